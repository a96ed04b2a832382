#include "core/rdb/rdb_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/format/crc64.h"
#include "tests/testing/chunked_source.h"

namespace tidemark::rdb {
namespace {

struct Case {
  std::vector<uint8_t> bytes;
  uint64_t value;
  bool encoded;
};

TEST(RdbLength, EveryFormDecodes) {
  std::vector<Case> cases = {
      {{0x00}, 0, false},
      {{0x3f}, 63, false},
      {{0x40, 0x40}, 64, false},                          // 14-bit, big-endian
      {{0x7f, 0xff}, 16383, false},
      {{0x80, 0x00, 0x01, 0x00, 0x00}, 65536, false},     // 32-bit, big-endian
      {{0x81, 0, 0, 0, 1, 0, 0, 0, 0}, 1ull << 32, false},  // 64-bit, big-endian
      {{0xc0}, 0, true},                                  // int8 string
      {{0xc3}, 3, true},                                  // LZF string
  };
  for (const auto& c : cases) {
    SpanSource src(c.bytes);
    RdbInput in(src, "t");
    auto len = in.ReadLength();
    ASSERT_TRUE(len) << len.error().ToString();
    EXPECT_EQ(len->value, c.value);
    EXPECT_EQ(len->encoded, c.encoded);
    EXPECT_EQ(in.offset(), c.bytes.size());
  }
}

TEST(RdbLength, UnknownFormAndTruncationAreErrorsWithOffsets) {
  std::vector<uint8_t> bad = {0x82};
  SpanSource src(bad);
  RdbInput in(src, "t");
  auto len = in.ReadLength();
  ASSERT_FALSE(len);
  EXPECT_EQ(len.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(len.error().offset, 0);

  std::vector<uint8_t> cut = {0x80, 0x00, 0x01};
  SpanSource src2(cut);
  RdbInput in2(src2, "t");
  auto len2 = in2.ReadLength();
  ASSERT_FALSE(len2);
  EXPECT_EQ(len2.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(len2.error().offset, 3);
}

TEST(RdbString, IntegerEncodingsReadAsTheirDecimalText) {
  std::vector<uint8_t> bytes = {0xc0, 0xfe, 0xc1, 0x39, 0x30, 0xc2, 0x15, 0xcd, 0x5b, 0x07};
  SpanSource src(bytes);
  RdbInput in(src, "t");
  StringValue v;
  for (const char* expect : {"-2", "12345", "123456789"}) {
    ASSERT_TRUE(in.ReadString(StringUse::kKeep, v));
    EXPECT_EQ(std::string(v.bytes.begin(), v.bytes.end()), expect);
  }
}

TEST(RdbString, EqualContentHashesAlikeWhateverItsEncoding) {
  // "12345" as a raw string and as an int16-encoded string are the same key to Redis.
  std::vector<uint8_t> bytes = {0x05, '1', '2', '3', '4', '5', 0xc1, 0x39, 0x30};
  SpanSource src(bytes);
  RdbInput in(src, "t");
  StringValue a, b;
  ASSERT_TRUE(in.ReadString(StringUse::kHash, a));
  ASSERT_TRUE(in.ReadString(StringUse::kHash, b));
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.preview, "12345");
}

TEST(RdbInput, BytesAndCrcAreTheSameWhateverTheChunksAndWhoComputesTheCrc) {
  // Random runs of every primitive over a stream cut into pieces of many sizes: reads that fit a
  // piece are read in place, the others are joined across pieces; Crc() must be the CRC of
  // exactly the bytes consumed, also when the source supplies the CRC before each piece.
  std::mt19937 rng(5);
  std::vector<uint8_t> data(5000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (auto feed : {testing::Feed::kRead, testing::Feed::kLend, testing::Feed::kLendWithCrc}) {
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{64}, size_t{1000}, data.size()}) {
      testing::ChunkedSource src(data, chunk, feed);
      RdbInput in(src, "t");
      std::mt19937 steps(static_cast<unsigned>(chunk));
      uint8_t buf[300];
      while (in.offset() + 300 < data.size()) {
        const uint64_t at = in.offset();
        size_t n = 1 + steps() % 300;
        switch (steps() % 3) {
          case 0: {
            auto b = in.Byte();
            ASSERT_TRUE(b);
            EXPECT_EQ(*b, data[at]);
            break;
          }
          case 1: {
            auto v = in.LittleEndian(1 + n % 8);
            ASSERT_TRUE(v);
            EXPECT_EQ(*v & 0xff, data[at]);
            break;
          }
          default:
            ASSERT_TRUE(in.Raw(buf, n));
            EXPECT_TRUE(std::equal(buf, buf + n, data.begin() + static_cast<long>(at)));
        }
        ASSERT_EQ(in.Crc(), Crc64(0, {data.data(), in.offset()}))
            << "feed " << static_cast<int>(feed) << ", chunk " << chunk << ", at " << in.offset();
      }
      EXPECT_FALSE(*in.AtEnd());
    }
  }
}

TEST(RdbInput, ReadingPastTheEndIsATruncationAtTheEnd) {
  std::vector<uint8_t> data(100, 7);
  for (auto feed : {testing::Feed::kRead, testing::Feed::kLend, testing::Feed::kLendWithCrc}) {
    for (size_t chunk : {size_t{1}, size_t{30}, size_t{100}}) {
      testing::ChunkedSource src(data, chunk, feed);
      RdbInput in(src, "t");
      uint8_t buf[64];
      ASSERT_TRUE(in.Raw(buf, 60));
      auto s = in.Raw(buf, 41);
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().code, ErrorCode::kTruncated);
      EXPECT_EQ(s.error().offset, 100);
      EXPECT_EQ(in.Crc(), Crc64(0, {data.data(), 60}));
    }
  }
}

}  // namespace
}  // namespace tidemark::rdb
