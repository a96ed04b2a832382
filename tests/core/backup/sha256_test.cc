#include "core/format/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace tidemark {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Sha256, KnownAnswers) {
  Sha256 empty;
  EXPECT_EQ(*empty.FinishHex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 abc;
  ASSERT_TRUE(abc.Update(Bytes("abc")));
  EXPECT_EQ(*abc.FinishHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ChunkingDoesNotChangeTheDigest) {
  std::string data(100000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + 7);
  Sha256 whole;
  ASSERT_TRUE(whole.Update(Bytes(data)));
  Sha256 pieces;
  for (size_t pos = 0, step = 1; pos < data.size(); pos += step, step = step * 3 % 4099 + 1)
    ASSERT_TRUE(pieces.Update(Bytes(std::string_view(data).substr(pos, step))));
  EXPECT_EQ(pieces.bytes(), data.size());
  EXPECT_EQ(*whole.FinishHex(), *pieces.FinishHex());
}

TEST(Sha256, UpdateAfterFinishIsAnError) {
  Sha256 h;
  ASSERT_TRUE(h.FinishHex());
  EXPECT_FALSE(h.Update(Bytes("x")));
  EXPECT_FALSE(h.FinishHex());
}

TEST(Sha256, HexCheck) {
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
}

}  // namespace
}  // namespace tidemark
