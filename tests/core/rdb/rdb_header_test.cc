// The head of an RDB (its AUX fields) read without the rest: what the restore step takes from a
// dump.rdb Redis saved at shutdown.
#include "core/rdb/rdb_header.h"

#include <gtest/gtest.h>

#include "core/rdb/rdb_format.h"
#include "tests/core/rdb/rdb_builder.h"

namespace tidemark {
namespace {

using testing::Bytes;
using testing::RdbBuilder;

// Counts what the parser pulls, to show it stops at the head.
class CountingSource final : public ByteSource {
 public:
  explicit CountingSource(const Bytes& data) : data_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = std::min(out.size(), data_.size() - pos_);
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  size_t consumed() const { return pos_; }

 private:
  const Bytes& data_;
  size_t pos_ = 0;
};

Bytes ShutdownDump(size_t trailing_values) {
  RdbBuilder b(10);
  b.Op(rdb::kOpAux).Str("redis-ver").Str("7.0.15");
  b.Op(rdb::kOpAux).Str("repl-stream-db").Raw({0xC0, 0x00});           // int8 0
  b.Op(rdb::kOpAux).Str("repl-id").Str(std::string(40, 'a'));
  b.Op(rdb::kOpAux).Str("repl-offset").Raw({0xC1, 0xBF, 0x10});        // int16 4287
  b.Op(rdb::kOpSelectDb).Len(0);
  for (size_t i = 0; i < trailing_values; ++i)
    b.Op(rdb::kTypeString).Str("key:" + std::to_string(i)).Str(std::string(100, 'v'));
  return b.Finish();
}

TEST(RdbHeader, AuxFieldsAreReadIntegersAsDecimalText) {
  Bytes data = ShutdownDump(1);
  CountingSource src(data);
  auto h = ReadRdbHeader(src, "dump.rdb");
  ASSERT_TRUE(h) << h.error().ToString();
  EXPECT_EQ(h->rdb_version, 10u);
  EXPECT_EQ(h->Aux("repl-id"), std::string(40, 'a'));
  EXPECT_EQ(h->Aux("repl-offset"), "4287");
  EXPECT_EQ(h->Aux("repl-stream-db"), "0");
  EXPECT_EQ(h->Aux("absent"), std::nullopt);
}

TEST(RdbHeader, StopsAtTheFirstDatabaseWithoutReadingTheData) {
  Bytes data = ShutdownDump(20000);  // ~2.3 MB of values after the head
  CountingSource src(data);
  ASSERT_TRUE(ReadRdbHeader(src, "dump.rdb"));
  EXPECT_LE(src.consumed(), size_t{256 * 1024});
  EXPECT_GT(data.size(), size_t{2'000'000});
}

TEST(RdbHeader, BadMagicTruncationAndNewerVersionsAreErrorsNamingTheFile) {
  Bytes not_rdb = {'R', 'E', 'D', 'I', 'X', '0', '0', '1', '0'};
  CountingSource a(not_rdb);
  auto bad = ReadRdbHeader(a, "x.rdb");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(bad.error().offset, 0);
  EXPECT_EQ(bad.error().where, "x.rdb");

  Bytes whole = ShutdownDump(0);
  Bytes cut(whole.begin(), whole.begin() + 40);  // inside the AUX fields
  CountingSource b(cut);
  auto truncated = ReadRdbHeader(b, "cut.rdb");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kTruncated) << truncated.error().ToString();

  Bytes v12 = RdbBuilder(12).Finish();
  CountingSource c(v12);
  auto newer = ReadRdbHeader(c, "new.rdb", /*max_version=*/10);
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(newer.error().message.find("RDB version 12"), std::string::npos);
}

}  // namespace
}  // namespace tidemark
