// RDB files assembled byte by byte: old versions and encodings that Redis 7.0 cannot write, and
// structures broken in ways a CRC cannot catch (the checksum is recomputed or disabled).
#include <gtest/gtest.h>

#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_verifier.h"
#include "tests/core/rdb/rdb_builder.h"

namespace tidemark {
namespace {

using namespace rdb;
using testing::Bytes;
using testing::RdbBuilder;

RdbReport Verify(const Bytes& b) {
  SpanSource src(b);
  return VerifyRdb(src, RdbVerifyOptions{.name = "crafted.rdb"});
}

std::string Message(const RdbReport& r) { return r.error ? r.error->ToString() : "valid"; }

TEST(RdbCrafted, Version9FileWithZiplistZipmapQuicklistAndModuleAux) {
  RdbBuilder b(9);
  b.Op(kOpAux).Str("redis-ver").Str("5.0.14");
  b.Op(kOpSelectDb).Len(0).Op(kOpResizeDb).Len(5).Len(1);
  b.Op(kTypeListZiplist).Str("zl").Blob(testing::Ziplist({std::string("a"), int64_t{1}}));
  b.Op(kTypeHashZipmap).Str("zm").Blob(testing::Zipmap({{"f", "v"}}));
  b.Op(kTypeZsetZiplist).Str("zz").Blob(testing::Ziplist({std::string("m"), std::string("1.5")}));
  b.Op(kTypeListQuicklist).Str("ql").Len(2).Blob(testing::Ziplist({std::string("x")})).Blob(testing::Ziplist({int64_t{3}}));
  b.Op(kOpExpireTimeMs).Le(4102444800000ULL, 8);
  b.Op(kTypeHashZiplist).Str("hz").Blob(testing::Ziplist({std::string("f"), std::string("v")}));
  RdbReport r = Verify(b.Finish());
  ASSERT_TRUE(r.valid()) << Message(r);
  EXPECT_EQ(r.rdb_version, 9u);
  EXPECT_EQ(r.total_keys(), 5u);
  EXPECT_EQ(r.dbs[0].keys_with_expiry, 1u);
  EXPECT_EQ(r.keys_by_encoding["ziplist"], 3u);
  EXPECT_EQ(r.checksum, RdbChecksum::kVerified);
}

TEST(RdbCrafted, OldVersionWithoutChecksum) {
  RdbBuilder b(4);
  b.Op(kOpSelectDb).Len(0).Op(kTypeString).Str("k").Str("v");
  RdbReport r = Verify(b.Finish());
  ASSERT_TRUE(r.valid()) << Message(r);
  EXPECT_EQ(r.checksum, RdbChecksum::kAbsent);
}

TEST(RdbCrafted, ChecksumZeroIsReportedAsDisabled) {
  RdbBuilder b(10);
  b.Op(kTypeString).Str("k").Str("v");
  RdbReport r = Verify(b.Finish(false));
  ASSERT_TRUE(r.valid()) << Message(r);
  EXPECT_EQ(r.checksum, RdbChecksum::kDisabled);
}

TEST(RdbCrafted, DuplicateKeyInADbIsInvalid) {
  // redis-server panics on this file ("Duplicated key"); a checksum cannot see it.
  RdbBuilder b(10);
  b.Op(kOpSelectDb).Len(0).Op(kTypeString).Str("same").Str("1").Op(kTypeString).Str("same").Str("2");
  RdbReport r = Verify(b.Finish());
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("duplicate key in db 0"), std::string::npos) << Message(r);
}

TEST(RdbCrafted, SameKeyInTwoDbsIsFine) {
  RdbBuilder b(10);
  b.Op(kOpSelectDb).Len(0).Op(kTypeString).Str("same").Str("1");
  b.Op(kOpSelectDb).Len(1).Op(kTypeString).Str("same").Str("2");
  EXPECT_TRUE(Verify(b.Finish()).valid());
}

TEST(RdbCrafted, EmptyCollectionIsInvalid) {
  RdbBuilder b(10);
  b.Op(kTypeSet).Str("s").Len(0);
  RdbReport r = Verify(b.Finish());
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("empty collection"), std::string::npos) << Message(r);
}

TEST(RdbCrafted, DuplicateMembersAreInvalid) {
  RdbBuilder set(10);
  set.Op(kTypeSet).Str("s").Len(2).Str("m").Str("m");
  EXPECT_FALSE(Verify(set.Finish()).valid());
  RdbBuilder lp(11);
  lp.Op(kTypeHashListpack).Str("h").Blob(testing::Listpack({std::string("f"), std::string("1"), std::string("f"), std::string("2")}));
  RdbReport r = Verify(lp.Finish());
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("duplicate hash field 'f'"), std::string::npos) << Message(r);
}

TEST(RdbCrafted, MemberDuplicateCheckIsBoundedByItsOption) {
  // A hashtable-encoded collection larger than max_tracked_members is not tracked (memory stays
  // bounded); one within it is. The hash-with-field-TTLs path follows the same bound.
  auto file = [](uint64_t min_expire_or_set) {
    RdbBuilder b(12);
    if (min_expire_or_set == 0) {
      b.Op(kTypeSet).Str("s").Len(3).Str("m").Str("x").Str("m");
    } else {
      b.Op(kTypeHashMetadata).Str("h").Le(min_expire_or_set, 8).Len(3);
      b.Len(0).Str("f").Str("1").Len(0).Str("g").Str("2").Len(0).Str("f").Str("3");
    }
    return b.Finish();
  };
  for (uint64_t kind : {uint64_t{0}, uint64_t{1}}) {
    Bytes b = file(kind);
    SpanSource tracked(b), untracked(b);
    RdbReport t = VerifyRdb(tracked, RdbVerifyOptions{.name = "crafted.rdb", .max_tracked_members = 3});
    RdbReport u = VerifyRdb(untracked, RdbVerifyOptions{.name = "crafted.rdb", .max_tracked_members = 2});
    ASSERT_FALSE(t.valid()) << kind;
    EXPECT_NE(t.error->message.find("duplicate"), std::string::npos) << Message(t);
    EXPECT_TRUE(u.valid()) << kind << ": " << Message(u);
  }
}

TEST(RdbCrafted, BrokenListpackInsideAValidChecksumIsInvalidWithItsOffset) {
  auto lp = testing::Listpack({std::string("f"), std::string("v")});
  lp[4] = 3;  // wrong element count
  RdbBuilder b(11);
  b.Op(kTypeHashListpack).Str("h").Blob(lp);
  RdbReport r = Verify(b.Finish());
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("key 'h' (hash) in db 0"), std::string::npos) << Message(r);
  EXPECT_NE(r.error->message.find("header counts 3 elements"), std::string::npos) << Message(r);
  EXPECT_EQ(r.error->offset, 12);  // the payload string starts after header (9), type (1), key (2)
}

TEST(RdbCrafted, OddListpackHashIsInvalid) {
  RdbBuilder b(11);
  b.Op(kTypeHashListpack).Str("h").Blob(testing::Listpack({std::string("f"), std::string("v"), std::string("g")}));
  EXPECT_FALSE(Verify(b.Finish()).valid());
}

TEST(RdbCrafted, ZsetNanScoreIsInvalid) {
  RdbBuilder b(10);
  b.Op(kTypeZset2).Str("z").Len(1).Str("m").Le(0x7ff8000000000000ULL, 8);
  RdbReport r = Verify(b.Finish());
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("NaN"), std::string::npos);
}

TEST(RdbCrafted, ModuleValuesAreWalkedAndNamed) {
  const uint64_t id = testing::ModuleTypeId("tidemark0", 1);
  RdbBuilder b(10);
  b.Op(kOpModuleAux).Op(0x81).Le(__builtin_bswap64(id), 8).Len(kModuleOpUint).Len(2).Len(kModuleOpString).Str("aux").Len(kModuleOpEof);
  RdbReport r = Verify(b.Finish());
  ASSERT_TRUE(r.valid()) << Message(r);
  ASSERT_EQ(r.modules.size(), 1u);
  EXPECT_EQ(r.modules[0], "tidemark0");
}

TEST(RdbCrafted, HashFieldExpirationTypes) {
  RdbBuilder b(12);
  b.Op(kTypeHashMetadata).Str("h").Le(1000, 8).Len(2).Len(0).Str("f1").Str("v1").Len(5).Str("f2").Str("v2");
  b.Op(kTypeHashListpackEx).Str("hl").Le(1000, 8).Blob(testing::Listpack({std::string("f"), std::string("v"), int64_t{0}}));
  RdbReport r = Verify(b.Finish());
  ASSERT_TRUE(r.valid()) << Message(r);
  RdbBuilder bad(12);
  bad.Op(kTypeHashListpackEx).Str("hl").Le(1000, 8).Blob(testing::Listpack({std::string("f"), std::string("v"), std::string("x")}));
  EXPECT_FALSE(Verify(bad.Finish()).valid());
}

TEST(RdbCrafted, VersionsOutsideTheKnownRangeAreRejected) {
  EXPECT_EQ(Verify(RdbBuilder(13).Finish()).error->code, ErrorCode::kUnsupported);
  EXPECT_EQ(Verify(RdbBuilder(0).Finish()).error->code, ErrorCode::kCorrupt);
  Bytes notrdb = {'R', 'E', 'D', 'I', 'X', '0', '0', '1', '0', 0xff};
  EXPECT_NE(Verify(notrdb).error->message.find("not an RDB file"), std::string::npos);
}

TEST(RdbCrafted, TrailingBytesAfterTheChecksumAreReportedUnlessAllowed) {
  RdbBuilder b(10);
  b.Op(kTypeString).Str("k").Str("v");
  Bytes bytes = b.Finish();
  size_t rdb_size = bytes.size();
  bytes.push_back('*');
  EXPECT_FALSE(Verify(bytes).valid());
  SpanSource src(bytes);
  RdbReport r = VerifyRdb(src, RdbVerifyOptions{.name = "x", .allow_trailing_data = true});
  ASSERT_TRUE(r.valid()) << Message(r);
  EXPECT_EQ(r.bytes, rdb_size);
}

TEST(RdbCrafted, EveryTruncationIsReported) {
  RdbBuilder b(11);
  b.Op(kOpAux).Str("redis-ver").Str("7.2.0").Op(kOpSelectDb).Len(0);
  b.Op(kTypeHashListpack).Str("h").Blob(testing::Listpack({std::string("f"), std::string("v")}));
  b.Op(kTypeString).Str("k").Str(std::string(1000, 'x'));
  Bytes full = b.Finish();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    RdbReport r = Verify(Bytes(full.begin(), full.begin() + cut));
    ASSERT_FALSE(r.valid()) << cut;
    EXPECT_EQ(r.error->code, ErrorCode::kTruncated) << cut << ": " << Message(r);
  }
}

}  // namespace
}  // namespace tidemark
