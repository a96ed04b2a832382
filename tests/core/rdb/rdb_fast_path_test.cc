// The verifier's fast paths (a buffered string key + string value hashed and skipped in place;
// listpack members walked without a std::function) must give exactly the report of the careful
// path: same verdict, code, offset and message, whatever the input's chunking. Reading one byte
// per Read() never leaves a whole item in the buffer, so it is the careful path's reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/rdb/encodings.h"
#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_verifier.h"
#include "tests/testing/chunked_source.h"
#include "tests/core/rdb/rdb_builder.h"

namespace tidemark {
namespace {

using namespace rdb;
using testing::Bytes;
using testing::ChunkedSource;
using testing::Feed;
using testing::RdbBuilder;

RdbReport Verify(const Bytes& b, size_t chunk, Feed feed = Feed::kRead) {
  ChunkedSource src(b, chunk, feed);
  return VerifyRdb(src, RdbVerifyOptions{.name = "fast.rdb"});
}

// Everything a report says, as one comparable string.
std::string Describe(const RdbReport& r) {
  std::string s = r.error ? r.error->ToString() + " code=" + std::to_string(static_cast<int>(r.error->code)) +
                                " at=" + std::to_string(r.error->offset)
                          : "valid";
  s += " bytes=" + std::to_string(r.bytes);
  for (const auto& db : r.dbs)
    s += " db" + std::to_string(db.index) + "=" + std::to_string(db.keys) + "/" + std::to_string(db.keys_with_expiry);
  for (const auto& [k, v] : r.keys_by_type) s += " " + k + "=" + std::to_string(v);
  for (const auto& [k, v] : r.keys_by_encoding) s += " " + k + "=" + std::to_string(v);
  return s;
}

// String items of every length form next to items the fast path must leave alone.
Bytes MixedStrings(bool with_checksum, const std::string& last_key = "last") {
  RdbBuilder b(10);
  b.Op(kOpAux).Str("redis-ver").Str("7.0.15").Op(kOpSelectDb).Len(0).Op(kOpResizeDb).Len(12).Len(1);
  b.Op(kTypeString).Str("a").Str("short");
  b.Op(kTypeString).Str(std::string(70, 'k')).Str(std::string(200, 'v'));     // 14-bit lengths
  b.Op(kTypeString).Str("big").Str(std::string(17000, 'w'));                  // 32-bit length
  b.Op(kTypeString).Str("").Str("");                                           // empty key and value
  b.Op(kOpExpireTimeMs).Le(1700000000000, 8).Op(kTypeString).Str("exp").Str("x");
  b.Op(kTypeString).Str("int").Op(0xc0).Raw({42});                             // int8 value
  b.Op(kTypeHashListpack).Str("h").Blob(testing::Listpack(
      {std::string("f1"), std::string("v1"), std::string("f2"), int64_t{12}, std::string(300, 'f'), std::string("v")}));
  b.Op(kTypeSetListpack).Str("s").Blob(testing::Listpack({int64_t{1}, std::string("2"), std::string("x")}));
  b.Op(kTypeZsetListpack).Str("z").Blob(testing::Listpack({std::string("m"), std::string("1.5"), std::string("n"), int64_t{3}}));
  // Hashtable-encoded collections: members (and hash values) take the same fast path.
  b.Op(kTypeSet).Str("set").Len(3).Str("m1").Str(std::string(100, 'm')).Op(0xc0).Raw({5});
  b.Op(kTypeHash).Str("hash").Len(2).Str("f1").Str("v1").Str("f2").Str(std::string(17000, 'h'));
  b.Op(kTypeZset2).Str("zset2").Len(2).Str("a").Le(0x3ff8000000000000, 8).Str("b").Le(0, 8);
  b.Op(kTypeZset).Str("zset").Len(2).Str("a").Op(3).Raw({'1', '.', '5'}).Str("b").Op(254);
  b.Op(kTypeString).Str("after").Str(std::string(63, 'y'));
  b.Op(kTypeString).Str(last_key).Str(std::string(64, 'z'));
  return b.Finish(with_checksum);
}

// Inside one of the two 17000-byte fillers, where positions are alike and only sampled.
bool InsideFiller(const Bytes& file, size_t at) {
  return at > 0 && at + 1 < file.size() && file[at - 1] == file[at] && file[at] == file[at + 1] &&
         (file[at] == 'w' || file[at] == 'h') && at % 211 != 0;
}

void ExpectSameForEveryChunking(const Bytes& file, const std::string& context) {
  const std::string reference = Describe(Verify(file, 1));
  for (size_t chunk : {size_t{3}, size_t{16}, size_t{4096}, file.size() + 1})
    ASSERT_EQ(Describe(Verify(file, chunk)), reference) << context << ", chunk " << chunk;
  // Read in place from lent pieces; items that straddle two pieces are joined.
  ASSERT_EQ(Describe(Verify(file, 5, Feed::kLend)), reference) << context << ", lent 5";
  for (size_t chunk : {size_t{2}, size_t{100}, file.size() + 1})
    ASSERT_EQ(Describe(Verify(file, chunk, Feed::kLendWithCrc)), reference) << context << ", lent+crc " << chunk;
}

TEST(RdbFastPath, EveryChunkSizeGivesTheCarefulPathsReport) {
  Bytes file = MixedStrings(true);
  RdbReport whole = Verify(file, file.size());
  ASSERT_TRUE(whole.valid()) << Describe(whole);
  EXPECT_EQ(whole.total_keys(), 15u);
  EXPECT_EQ(whole.dbs[0].keys_with_expiry, 1u);
  for (size_t chunk = 1; chunk <= 64; ++chunk) {
    ASSERT_EQ(Describe(Verify(file, chunk)), Describe(whole)) << chunk;
    ASSERT_EQ(Describe(Verify(file, chunk, Feed::kLend)), Describe(whole)) << "lent " << chunk;
    ASSERT_EQ(Describe(Verify(file, chunk, Feed::kLendWithCrc)), Describe(whole)) << "lent+crc " << chunk;
  }
}

TEST(RdbFastPath, AChecksumMismatchIsFoundWhoeverComputesTheCrc) {
  // With Feed::kLendWithCrc the verifier never runs the CRC over the bytes itself; a flipped
  // byte inside a value (structurally harmless) must still fail the file, at the same offset.
  Bytes file = MixedStrings(true);
  const std::string needle(63, 'y');
  auto it = std::search(file.begin(), file.end(), needle.begin(), needle.end());
  ASSERT_NE(it, file.end());
  it[5] ^= 0x01;
  const std::string reference = Describe(Verify(file, 1));
  EXPECT_NE(reference.find("CRC-64 mismatch"), std::string::npos) << reference;
  for (size_t chunk : {size_t{1}, size_t{13}, size_t{4096}, file.size()}) {
    EXPECT_EQ(Describe(Verify(file, chunk, Feed::kLend)), reference) << chunk;
    EXPECT_EQ(Describe(Verify(file, chunk, Feed::kLendWithCrc)), reference) << chunk;
  }
}

TEST(RdbFastPath, EveryCutPointGivesTheCarefulPathsReport) {
  Bytes file = MixedStrings(true);
  for (size_t cut = 0; cut < file.size(); ++cut) {
    if (InsideFiller(file, cut)) continue;
    ExpectSameForEveryChunking(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut)),
                               "cut " + std::to_string(cut));
  }
}

TEST(RdbFastPath, EveryByteFlipGivesTheCarefulPathsReport) {
  // Checksum disabled, so structural problems are what gets reported.
  Bytes file = MixedStrings(false);
  std::mt19937 rng(7);
  for (size_t at = 0; at < file.size(); ++at) {
    if (InsideFiller(file, at)) continue;
    Bytes m = file;
    m[at] ^= static_cast<uint8_t>(1 + rng() % 255);
    ExpectSameForEveryChunking(m, "flip at " + std::to_string(at));
  }
}

TEST(RdbFastPath, DuplicateKeySeenByBothPathsIsFound) {
  // "a" goes through the fast path first; the same key again with an integer-encoded value
  // takes the careful path: both must hash the key alike.
  Bytes file = MixedStrings(true, "a");
  for (size_t chunk : {size_t{1}, file.size()}) {
    RdbReport r = Verify(file, chunk);
    ASSERT_FALSE(r.valid()) << chunk;
    EXPECT_NE(r.error->message.find("duplicate key"), std::string::npos) << r.error->ToString();
  }
  RdbBuilder b(10);
  b.Op(kOpSelectDb).Len(0).Op(kTypeString).Str("same").Str("v1");
  b.Op(kTypeString).Str("same").Op(0xc0).Raw({7});  // careful path: int-encoded value
  RdbReport r = Verify(b.Finish(), 1 << 20);
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("duplicate key"), std::string::npos);
}

TEST(RdbFastPath, DuplicateMemberSeenByBothPathsIsFound) {
  // "7" as a plain string (fast path) and as an int8 (careful path) are the same member.
  for (bool hash : {false, true}) {
    RdbBuilder b(10);
    b.Op(kOpSelectDb).Len(0).Op(hash ? kTypeHash : kTypeSet).Str("c").Len(2).Str("7");
    if (hash) b.Str("v");
    b.Op(0xc0).Raw({7});
    if (hash) b.Str("w");
    Bytes file = b.Finish();
    std::string reference = Describe(Verify(file, 1));
    EXPECT_NE(reference.find("duplicate"), std::string::npos) << reference;
    EXPECT_EQ(Describe(Verify(file, file.size())), reference);
  }
}

// Runs of plain string items are taken in one loop after their first item (BufferedStringItems):
// the run must end exactly at an expire time, a SELECTDB, a longer or encoded value, a chunk's
// end, and count its keys per db like the careful path.
Bytes StringRuns(const std::string& repeated_key) {
  RdbBuilder b(10);
  b.Op(kOpSelectDb).Len(0);
  for (int i = 0; i < 40; ++i) {
    if (i == 12) b.Op(kOpExpireTimeMs).Le(1700000000000, 8);
    if (i == 20) b.Op(kOpSelectDb).Len(3);
    if (i == 27) {
      b.Op(kTypeString).Str("enc").Op(0xc0).Raw({9});  // ends the run: careful path
    }
    std::string key = i == 33 ? repeated_key : "key:" + std::to_string(i);
    b.Op(kTypeString).Str(key).Str(std::string(static_cast<size_t>(i * 7 % 90), 'v'));
  }
  b.Op(kTypeString).Str("big").Str(std::string(20000, 'w'));  // 32-bit length: careful path
  b.Op(kTypeString).Str("tail").Str("t");
  return b.Finish(true);
}

TEST(RdbFastPath, StringRunsAreCountedAsTheCarefulPathCountsThem) {
  Bytes file = StringRuns("other");
  RdbReport whole = Verify(file, file.size());
  ASSERT_TRUE(whole.valid()) << Describe(whole);
  ASSERT_EQ(whole.dbs.size(), 2u);
  EXPECT_EQ(whole.dbs[0].keys, 20u);  // key:0..19
  EXPECT_EQ(whole.dbs[0].keys_with_expiry, 1u);
  EXPECT_EQ(whole.dbs[1].keys, 23u);  // key:20..39, "enc", "big", "tail"
  EXPECT_EQ(whole.keys_by_type.at("string"), 43u);
  const std::string reference = Describe(Verify(file, 1));
  EXPECT_EQ(Describe(whole), reference);
  for (size_t chunk : {size_t{7}, size_t{64}, size_t{1000}})
    for (Feed feed : {Feed::kRead, Feed::kLend, Feed::kLendWithCrc})
      ASSERT_EQ(Describe(Verify(file, chunk, feed)), reference) << chunk;
}

TEST(RdbFastPath, DuplicateKeyInsideAStringRunIsFound) {
  // key:33 repeats key:25: both in the middle of runs of db 3.
  Bytes file = StringRuns("key:25");
  for (size_t chunk : {size_t{1}, size_t{64}, file.size()}) {
    RdbReport r = Verify(file, chunk);
    ASSERT_FALSE(r.valid()) << chunk;
    EXPECT_NE(r.error->message.find("duplicate key in db 3"), std::string::npos) << r.error->ToString();
  }
  // The same name in another db is no duplicate.
  EXPECT_TRUE(Verify(StringRuns("key:5"), 1 << 20).valid());
}

TEST(RdbFastPath, PackedScoreTextIsANumberExactlyWhenStrtodSaysSo) {
  // Plain decimals skip strtod; everything else is still judged by it.
  auto verdict = [](const std::string& score) {
    RdbBuilder b(10);
    b.Op(kOpSelectDb).Len(0).Op(kTypeZsetListpack).Str("z").Blob(testing::Listpack({std::string("m"), score}));
    return Verify(b.Finish(), 1 << 20).valid();
  };
  for (const char* good : {"1.5", "-.5", "7.", "0012", "-3.25", "1e3", " 2", "+4", "inf", "0x10"})
    EXPECT_TRUE(verdict(good)) << good;
  for (const char* bad : {"", "-", ".", "1.2.3", "--1", "1-", "nan", "abc", "1.5x", "-nan"})
    EXPECT_FALSE(verdict(bad)) << bad;
}

TEST(ListpackBacklen, MultiByteBacklensAreCheckedExactly) {
  // An entry of 300 string bytes + a 2-byte header has a 2-byte backlen.
  auto lp = testing::Listpack({std::string(300, 'a'), std::string("b")});
  uint64_t n = 0;
  ASSERT_TRUE(ValidateListpack(lp, &n, nullptr));
  EXPECT_EQ(n, 2u);
  const size_t backlen_at = 6 + 2 + 300;  // header, 12-bit string header, data
  for (size_t i = 0; i < 2; ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0x7f}}) {
      auto m = lp;
      m[backlen_at + i] ^= flip;
      auto s = ValidateListpack(m, &n, nullptr);
      ASSERT_FALSE(s) << i << " " << int{flip};
      EXPECT_EQ(s.error().offset, static_cast<int64_t>(6 + 302)) << s.error().message;
      EXPECT_NE(s.error().message.find("backlen does not match the entry: expected 302"), std::string::npos)
          << s.error().message;
    }
  }
}

}  // namespace
}  // namespace tidemark
