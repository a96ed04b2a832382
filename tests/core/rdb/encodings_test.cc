#include "core/rdb/encodings.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/core/rdb/rdb_builder.h"

namespace tidemark::rdb {
namespace {

using testing::Bytes;
using testing::Element;

std::vector<Element> Mixed() {
  return {std::string("a"), int64_t{5}, std::string(100, 'x'), int64_t{-3000}, int64_t{1} << 40,
          std::string(5000, 'y'), std::string("")};
}

std::vector<std::string> Texts(const std::function<Status(std::span<const uint8_t>, uint64_t*, const ElementVisitor*)>& f,
                               const Bytes& b) {
  std::vector<std::string> out;
  ElementVisitor v = [&](const PackedElement& e) {
    char buf[24];
    out.emplace_back(e.Text(buf));
    return Status{};
  };
  uint64_t n = 0;
  EXPECT_TRUE(f(b, &n, &v));
  EXPECT_EQ(n, out.size());
  return out;
}

TEST(Listpack, AcceptsAWellFormedPayloadAndYieldsItsElements) {
  auto texts = Texts(ValidateListpack, testing::Listpack(Mixed()));
  ASSERT_EQ(texts.size(), 7u);
  EXPECT_EQ(texts[0], "a");
  EXPECT_EQ(texts[1], "5");
  EXPECT_EQ(texts[3], "-3000");
  EXPECT_EQ(texts[4], "1099511627776");
  EXPECT_EQ(texts[5].size(), 5000u);
}

TEST(Listpack, RejectsWrongTotalBytes) {
  auto lp = testing::Listpack(Mixed());
  lp[0] ^= 1;
  uint64_t n;
  auto s = ValidateListpack(lp, &n, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().offset, 0);
  EXPECT_NE(s.error().message.find("header says"), std::string::npos);
}

TEST(Listpack, RejectsAWrongElementCount) {
  auto lp = testing::Listpack(Mixed());
  lp[4] = 9;
  uint64_t n;
  EXPECT_FALSE(ValidateListpack(lp, &n, nullptr));
  lp[4] = 0xff;  // 65535 means "count unknown": accepted
  lp[5] = 0xff;
  EXPECT_TRUE(ValidateListpack(lp, &n, nullptr));
}

TEST(Listpack, RejectsABrokenBacklen) {
  auto lp = testing::Listpack({std::string("abc"), std::string("def")});
  // First entry: 0x83 'a' 'b' 'c' then backlen 4 at offset 10.
  ASSERT_EQ(lp[10], 4);
  lp[10] = 5;
  uint64_t n;
  auto s = ValidateListpack(lp, &n, nullptr);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("backlen"), std::string::npos);
}

TEST(Listpack, SurvivesEveryTruncationAndRandomFlips) {
  auto lp = testing::Listpack(Mixed());
  uint64_t n;
  for (size_t cut = 0; cut < lp.size(); ++cut)
    EXPECT_FALSE(ValidateListpack(std::span<const uint8_t>(lp).first(cut), &n, nullptr)) << cut;
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    auto m = lp;
    m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    (void)ValidateListpack(m, &n, nullptr);  // must not crash or read out of bounds (ASan)
  }
}

TEST(Ziplist, AcceptsAWellFormedPayload) {
  auto texts = Texts(ValidateZiplist, testing::Ziplist({std::string("k"), int64_t{7}, std::string(300, 'v'), int64_t{-99999}}));
  ASSERT_EQ(texts.size(), 4u);
  EXPECT_EQ(texts[1], "7");
  EXPECT_EQ(texts[3], "-99999");
}

TEST(Ziplist, RejectsABadPrevlenAndABadTail) {
  auto zl = testing::Ziplist({std::string("k"), std::string("v")});
  uint64_t n;
  auto bad = zl;
  bad[13] = 9;  // second entry's prevlen (first entry is 3 bytes: prevlen, enc, 'k')
  EXPECT_FALSE(ValidateZiplist(bad, &n, nullptr));
  bad = zl;
  bad[4] ^= 1;
  auto s = ValidateZiplist(bad, &n, nullptr);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("tail"), std::string::npos);
}

TEST(Ziplist, SurvivesEveryTruncationAndRandomFlips) {
  auto zl = testing::Ziplist({std::string("k"), int64_t{7}, std::string(300, 'v'), int64_t{-99999}});
  uint64_t n;
  for (size_t cut = 0; cut < zl.size(); ++cut)
    EXPECT_FALSE(ValidateZiplist(std::span<const uint8_t>(zl).first(cut), &n, nullptr)) << cut;
  std::mt19937 rng(12);
  for (int i = 0; i < 5000; ++i) {
    auto m = zl;
    m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    (void)ValidateZiplist(m, &n, nullptr);
  }
}

TEST(Intset, AcceptsSortedMembersAndRejectsUnsortedOrEmpty) {
  uint64_t n;
  EXPECT_TRUE(ValidateIntset(testing::Intset({-5, 1, 70000}, 4), &n, nullptr));
  EXPECT_EQ(n, 3u);
  EXPECT_FALSE(ValidateIntset(testing::Intset({1, 1}, 2), &n, nullptr));
  EXPECT_FALSE(ValidateIntset(testing::Intset({3, 2}, 8), &n, nullptr));
  EXPECT_FALSE(ValidateIntset(testing::Intset({}, 2), &n, nullptr));
  EXPECT_FALSE(ValidateIntset(testing::Intset({1, 2}, 3), &n, nullptr));
  auto is = testing::Intset({1, 2, 3}, 2);
  is.pop_back();
  EXPECT_FALSE(ValidateIntset(is, &n, nullptr));
}

TEST(Zipmap, AcceptsPairsAndRejectsACountMismatch) {
  auto zm = testing::Zipmap({{"f1", "v1"}, {"f2", "v2"}});
  uint64_t n;
  EXPECT_TRUE(ValidateZipmap(zm, &n, nullptr));
  EXPECT_EQ(n, 4u);
  zm[0] = 3;
  EXPECT_FALSE(ValidateZipmap(zm, &n, nullptr));
}

}  // namespace
}  // namespace tidemark::rdb
