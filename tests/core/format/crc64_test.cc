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

TEST(Crc64, EveryLengthAroundTheFoldingBlocksMatchesTheTable) {
  // The folding path starts at 128 bytes and works in 128-byte steps, then 16-byte steps, then a
  // table tail: every length from 1 to 600 and a few seeds cover each boundary. The one-byte-at-a-
  // time fold through Crc64 on short pieces (< 128 bytes) is the table path.
  std::mt19937_64 rng(11);
  std::vector<uint8_t> data(600);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (uint64_t seed : {uint64_t{0}, uint64_t{0x0123456789abcdefULL}}) {
    for (size_t len = 1; len <= data.size(); ++len) {
      uint64_t table = seed;
      for (size_t i = 0; i < len; i += 64)
        table = Crc64(table, std::span<const uint8_t>(data).subspan(i, std::min<size_t>(64, len - i)));
      ASSERT_EQ(Crc64(seed, std::span<const uint8_t>(data).first(len)), table) << "length " << len;
    }
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

TEST(Crc64, UnwindStepsBackToTheCrcBeforeTheBytes) {
  // A reader that knows the CRC at a chunk boundary steps back over the bytes it still holds.
  std::mt19937_64 rng(3);
  std::vector<uint8_t> data(700);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const uint64_t whole = Crc64(0, data);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{9}, size_t{300}, size_t{699}, size_t{700}}) {
    std::span<const uint8_t> head(data.data(), cut), tail(data.data() + cut, data.size() - cut);
    EXPECT_EQ(Crc64Unwind(whole, tail), Crc64(0, head)) << "cut at " << cut;
  }
  // From a seed other than zero too, and never a no-op on non-empty input.
  EXPECT_EQ(Crc64Unwind(Crc64(0xfeedULL, data), data), 0xfeedULL);
  EXPECT_NE(Crc64Unwind(whole, std::span<const uint8_t>(data.data(), 1)), whole);
}

TEST(Crc64Shift, JoinsTheCrcsOfPiecesComputedApart) {
  std::mt19937_64 rng(13);
  std::vector<uint8_t> data(300000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const std::span<const uint8_t> all(data);
  // Lengths of the second piece: none, short ones (table path), around the folding blocks, and a
  // read-ahead slot's 256 KiB.
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 127u, 128u, 255u, 256u, 4099u, 262144u}) {
    const Crc64Shift shift(len);
    for (size_t first : {0u, 1u, 100u, 30000u}) {
      auto a = all.subspan(0, first), b = all.subspan(first, len);
      EXPECT_EQ(shift.Join(Crc64(0, a), Crc64(0, b)), Crc64(0, all.subspan(0, first + len)))
          << "first " << first << ", second " << len;
      EXPECT_EQ(shift(Crc64(0, a)) ^ Crc64(0, b), Crc64(Crc64(0, a), b));
    }
  }
}

TEST(Crc64Shift, ExtendsOverZeroBytes) {
  const std::vector<uint8_t> zeros(1000, 0);
  for (uint64_t crc : {uint64_t{1}, uint64_t{1} << 63, uint64_t{0xe9c6d914c4b8d9caULL}}) {
    for (size_t n : {1u, 2u, 3u, 64u, 999u, 1000u})
      EXPECT_EQ(Crc64Shift(n)(crc), Crc64(crc, {zeros.data(), n})) << n;
    EXPECT_EQ(Crc64Shift(0)(crc), crc);
  }
}

}  // namespace
}  // namespace tidemark
