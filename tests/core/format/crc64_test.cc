#include "core/format/crc64.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace tidemark {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc64, MatchesTheJonesCheckValue) {
  EXPECT_EQ(Crc64(0, Bytes("123456789")), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64, EmptyInputLeavesTheValueUnchanged) {
  EXPECT_EQ(Crc64(0, {}), 0u);
  EXPECT_EQ(Crc64(0x1234, {}), 0x1234u);
}

TEST(Crc64, MatchesABitwiseReferenceOnRandomData) {
  // Bit-at-a-time definition of the reflected Jones CRC, independent of the table code.
  auto reference = [](std::span<const uint8_t> d) {
    uint64_t crc = 0;
    for (uint8_t b : d) {
      crc ^= b;
      for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
  };
  std::mt19937_64 rng(7);
  for (size_t len : {1u, 7u, 15u, 16u, 17u, 31u, 64u, 1000u, 4099u}) {
    std::vector<uint8_t> data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    EXPECT_EQ(Crc64(0, data), reference(data)) << "length " << len;
  }
}

TEST(Crc64, ChunkingDoesNotChangeTheResult) {
  std::vector<uint8_t> data(100000);
  std::mt19937 rng(1);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  uint64_t whole = Crc64(0, data);
  for (size_t chunk : {1u, 3u, 16u, 1000u, 65536u}) {
    uint64_t crc = 0;
    for (size_t i = 0; i < data.size(); i += chunk)
      crc = Crc64(crc, std::span<const uint8_t>(data).subspan(i, std::min(chunk, data.size() - i)));
    EXPECT_EQ(crc, whole) << "chunk " << chunk;
  }
}

}  // namespace
}  // namespace tidemark
