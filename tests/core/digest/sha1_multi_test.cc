// Sha1Many against OpenSSL's EVP SHA-1 (the reference, not the scalar path under test) for random
// messages of every length around the block boundaries, lanes of mixed lengths, partial groups
// and long messages, at every level this CPU supports.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

#include "core/digest/sha1_multi.h"

namespace tidemark {
namespace {

Sha1Digest Reference(std::span<const uint8_t> m) {
  Sha1Digest d{};
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(m.data(), m.size(), d.data(), &n, EVP_sha1(), nullptr), 1);
  return d;
}

std::string Hex(const Sha1Digest& d) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) (s += kHex[b >> 4]) += kHex[b & 15];
  return s;
}

class Sha1ManyTest : public testing::TestWithParam<Sha1Level> {
 protected:
  void SetUp() override {
    if (!Sha1LevelSupported(GetParam())) GTEST_SKIP() << "this CPU lacks " << Sha1LevelName(GetParam());
  }

  // Hashes `lengths`-sized random messages in one call and checks each against the reference.
  void Check(const std::vector<size_t>& lengths, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<uint8_t>> bytes;
    for (size_t n : lengths) {
      std::vector<uint8_t> m(n);
      for (auto& b : m) b = static_cast<uint8_t>(rng());
      bytes.push_back(std::move(m));
    }
    std::vector<std::span<const uint8_t>> messages(bytes.begin(), bytes.end());
    std::vector<Sha1Digest> out(messages.size());
    Sha1Many(messages, out, GetParam());
    for (size_t i = 0; i < messages.size(); ++i)
      ASSERT_EQ(Hex(out[i]), Hex(Reference(messages[i]))) << "message " << i << " of " << messages.size()
                                                          << ", " << lengths[i] << " bytes";
  }
};

TEST_P(Sha1ManyTest, EveryLengthUpTo300InOneBatch) {
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  Check(lengths, 1);
}

TEST_P(Sha1ManyTest, ManyRandomMessagesOfMixedLengths) {
  std::mt19937 rng(7);
  std::vector<size_t> lengths(5000);
  for (auto& n : lengths) n = rng() % 301;
  Check(lengths, 2);
}

TEST_P(Sha1ManyTest, GroupsOfOneLengthWithEveryRemainder) {
  // 1..40 messages of one padded length: full groups of 8 or 16 lanes plus each partial group
  // size, both in lanes and scalar.
  for (size_t count = 1; count <= 40; ++count) {
    for (size_t n : {size_t{0}, size_t{20}, size_t{55}, size_t{56}, size_t{64}, size_t{119}, size_t{200}}) {
      SCOPED_TRACE(testing::Message() << count << " messages of " << n << " bytes");
      Check(std::vector<size_t>(count, n), static_cast<uint32_t>(count * 1000 + n));
    }
  }
}

TEST_P(Sha1ManyTest, LongMessagesBesideShortOnes) {
  Check({kMaxLaneBytes, kMaxLaneBytes + 1, 3, 1000, 20, 65536 + 7, 55, kMaxLaneBytes - 1, 0}, 3);
}

TEST_P(Sha1ManyTest, KnownAnswers) {
  const std::string abc = "abc";
  std::vector<std::span<const uint8_t>> messages(17, {reinterpret_cast<const uint8_t*>(abc.data()), abc.size()});
  messages[16] = {};
  std::vector<Sha1Digest> out(messages.size());
  Sha1Many(messages, out, GetParam());
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(Hex(out[i]), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(out[16]), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Sha1Level, BestIsSupportedAndScalarAlwaysIs) {
  EXPECT_TRUE(Sha1LevelSupported(Sha1Level::kScalar));
  EXPECT_TRUE(Sha1LevelSupported(BestSha1Level()));
}

INSTANTIATE_TEST_SUITE_P(Levels, Sha1ManyTest,
                         testing::Values(Sha1Level::kScalar, Sha1Level::kAvx2, Sha1Level::kAvx512),
                         [](const testing::TestParamInfo<Sha1Level>& info) {
                           return std::string(Sha1LevelName(info.param));
                         });

}  // namespace
}  // namespace tidemark
