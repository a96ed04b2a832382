#include "sidecar/manifest_rebuild.h"

#include <gtest/gtest.h>

#include "core/aof/manifest.h"

namespace tidemark::sidecar {
namespace {

TEST(ManifestRebuild, OneBaseAndOneIncrementalFileAreUnambiguous) {
  auto text = RebuildAofManifest({"appendonly.aof.3.incr.aof", "appendonly.aof.2.base.rdb",
                                  "redis.log", "temp-rewriteaof-bg-123.aof"},
                                 "appendonly.aof", "dir");
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(*text,
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
  auto parsed = aof::ParseManifest(*text, "m");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->LoadOrder().size(), 2u);
}

TEST(ManifestRebuild, BaseAloneIsEnough) {
  auto text = RebuildAofManifest({"appendonly.aof.1.base.aof"}, "appendonly.aof", "dir");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "file appendonly.aof.1.base.aof seq 1 type b\n");
}

TEST(ManifestRebuild, RefusesWhenHistoryMayBeMixedIn) {
  auto two_bases = RebuildAofManifest(
      {"appendonly.aof.1.base.rdb", "appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof"},
      "appendonly.aof", "data/appendonlydir");
  ASSERT_FALSE(two_bases);
  EXPECT_EQ(two_bases.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(two_bases.error().where, "data/appendonlydir");
  EXPECT_NE(two_bases.error().message.find("2 base files"), std::string::npos);
  auto two_incrs = RebuildAofManifest(
      {"appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof"},
      "appendonly.aof", "d");
  ASSERT_FALSE(two_incrs);
  EXPECT_NE(two_incrs.error().message.find("history"), std::string::npos);
  auto no_base = RebuildAofManifest({"appendonly.aof.1.incr.aof"}, "appendonly.aof", "d");
  ASSERT_FALSE(no_base);
  EXPECT_NE(no_base.error().message.find("no base file"), std::string::npos);
}

TEST(ManifestRebuild, PartsOfAnotherPrefixAreRefusedAndNoPartsIsNotFound) {
  auto other = RebuildAofManifest({"other.aof.1.base.rdb"}, "appendonly.aof", "d");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kCorrupt);
  auto none = RebuildAofManifest({"redis.log"}, "appendonly.aof", "d");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  // Sequence numbers are positive decimals as Redis writes them; anything else is not guessed at.
  EXPECT_EQ(RebuildAofManifest({"appendonly.aof.01.base.rdb"}, "appendonly.aof", "d").error().code,
            ErrorCode::kCorrupt);
}

TEST(ManifestRebuild, NewManifestIsWhatRedisLoads) {
  EXPECT_EQ(NewAofManifest("appendonly.aof"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
}

}  // namespace
}  // namespace tidemark::sidecar
