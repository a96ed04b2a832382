#include "core/aof/resp.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/core/aof/resp_cmd.h"
#include "tests/testing/chunked_source.h"

namespace tidemark::aof {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(RespReader, ReadsCommandsWithNamesArgumentsAndOffsets) {
  const std::string a = Cmd({"SET", "key", "value"});
  const std::string data = a + Cmd({"del", "key"});
  SpanSource src(Bytes(data));
  RespReader reader(src, 100, "f");
  auto r1 = reader.Next();
  ASSERT_TRUE(r1 && *r1);
  EXPECT_EQ((*r1)->kind, RecordKind::kCommand);
  EXPECT_EQ((*r1)->name, "SET");
  EXPECT_EQ((*r1)->arg1, "key");
  EXPECT_EQ((*r1)->argc, 3u);
  EXPECT_EQ((*r1)->offset, 100u);
  EXPECT_EQ((*r1)->end, 100 + a.size());
  auto r2 = reader.Next();
  ASSERT_TRUE(r2 && *r2);
  EXPECT_EQ((*r2)->name, "del");
  EXPECT_EQ((*r2)->offset, 100 + a.size());
  auto end = reader.Next();
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, nullptr);
}

TEST(RespReader, StreamsPayloadsLargerThanItsBufferKeepingOnlyAPrefix) {
  const std::string big(3 * RespReader::kBufferBytes + 17, 'x');
  const std::string data = Cmd({"SET", big, "v"}) + Cmd({"INCR", "n"});
  for (size_t chunk : {1u, 7u, 4096u, 1u << 20}) {
    testing::ChunkedSource src(data, chunk);
    RespReader reader(src, 0, "f");
    auto r = reader.Next();
    ASSERT_TRUE(r && *r) << chunk;
    EXPECT_EQ((*r)->arg1.size(), RespReader::kKeptArgBytes);
    EXPECT_EQ((*r)->payload_bytes, data.size() - Cmd({"INCR", "n"}).size() - 4);
    auto r2 = reader.Next();
    ASSERT_TRUE(r2 && *r2) << chunk;
    EXPECT_EQ((*r2)->name, "INCR");
    EXPECT_EQ((*r2)->offset, data.size() - Cmd({"INCR", "n"}).size());
  }
}

TEST(RespReader, ParsesTimestampAnnotations) {
  const std::string data = "#TS:1700000000\r\n#other note\n#TS:12x\r\n";
  SpanSource src(Bytes(data));
  RespReader reader(src, 0, "f");
  auto a = reader.Next();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->kind, RecordKind::kAnnotation);
  EXPECT_EQ((*a)->timestamp, 1700000000);
  EXPECT_EQ((*a)->end, 16u);
  auto b = reader.Next();
  ASSERT_TRUE(b && *b);
  EXPECT_FALSE((*b)->timestamp);
  EXPECT_EQ((*b)->annotation, "other note");
  auto c = reader.Next();
  ASSERT_TRUE(c && *c);
  EXPECT_FALSE((*c)->timestamp) << "a malformed #TS is an annotation, not a timestamp";
}

struct BadCase {
  const char* name;
  std::string data;
  ErrorCode code;
  int64_t offset;
};

class RespErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(RespErrors, ReportsCodeAndOffset) {
  const BadCase& c = GetParam();
  SpanSource src(Bytes(c.data));
  RespReader reader(src, 0, "f.aof");
  Result<const AofRecord*> r;
  do {
    r = reader.Next();
  } while (r && *r);
  ASSERT_FALSE(r) << c.name;
  EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().ToString();
  EXPECT_EQ(r.error().offset, c.offset) << c.name << ": " << r.error().ToString();
  EXPECT_EQ(r.error().where, "f.aof");
}

const std::string kSet = Cmd({"SET", "a", "1"});  // 27 bytes

INSTANTIATE_TEST_SUITE_P(
    Cases, RespErrors,
    ::testing::Values(
        BadCase{"cut in count line", kSet + "*3\r", ErrorCode::kTruncated, 27},
        BadCase{"cut in payload", kSet + "*3\r\n$3\r\nSE", ErrorCode::kTruncated, 27},
        BadCase{"cut before final CRLF", kSet + kSet.substr(0, 26), ErrorCode::kTruncated, 27},
        BadCase{"partial annotation", kSet + "#TS:17", ErrorCode::kTruncated, 27},
        BadCase{"zero argc", kSet + "*0\r\n", ErrorCode::kCorrupt, 27},
        BadCase{"negative length", "*1\r\n$-1\r\n", ErrorCode::kCorrupt, 5},
        BadCase{"junk record start", kSet + "SET a 1\r\n", ErrorCode::kCorrupt, 27},
        BadCase{"bad CRLF after payload", "*1\r\n$3\r\nSETxy", ErrorCode::kCorrupt, 11},
        BadCase{"space after count", "*1 \r\n", ErrorCode::kCorrupt, 2},
        BadCase{"missing dollar", "*1\r\n3\r\nSET\r\n", ErrorCode::kCorrupt, 4},
        BadCase{"too many digits", "*11111111111111111111\r\n", ErrorCode::kCorrupt, 20},
        BadCase{"annotation longer than the loader's line", "#" + std::string(1100, 'a') + "\r\n",
                ErrorCode::kCorrupt, 0}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(RespReader, TellsANulFilledTailFromNulsFollowedByData) {
  {
    const std::string data = kSet + std::string(50, '\0');
    SpanSource src(Bytes(data));
    RespReader reader(src, 0, "f");
    ASSERT_TRUE(reader.Next());
    auto r = reader.Next();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 27);
    auto zero = reader.RestIsZero();
    ASSERT_TRUE(zero);
    EXPECT_TRUE(*zero);
  }
  {
    const std::string data = kSet + std::string(50, '\0') + kSet;
    SpanSource src(Bytes(data));
    RespReader reader(src, 0, "f");
    ASSERT_TRUE(reader.Next());
    ASSERT_FALSE(reader.Next());
    auto zero = reader.RestIsZero();
    ASSERT_TRUE(zero);
    EXPECT_FALSE(*zero);
  }
  {
    const std::string data = "*0\r\n" + std::string(10, '\0');
    SpanSource src(Bytes(data));
    RespReader reader(src, 0, "f");
    ASSERT_FALSE(reader.Next());
    auto zero = reader.RestIsZero();
    ASSERT_TRUE(zero);
    EXPECT_FALSE(*zero) << "the error is not at a NUL byte";
  }
}

}  // namespace
}  // namespace tidemark::aof
