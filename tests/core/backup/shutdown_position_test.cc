// Where a kept AOF stands in replication: known only from a dump.rdb saved after the AOF's last
// write (a clean shutdown), and how a replica whose Redis forgot its position is judged.
#include "core/backup/shutdown_position.h"

#include <gtest/gtest.h>

namespace tidemark::backup {
namespace {

const std::string kId = "1111111111111111111111111111111111111111";
const std::string kFresh = "3333333333333333333333333333333333333333";
const std::string kZeros = "0000000000000000000000000000000000000000";

KeptAofEvidence Clean() {
  KeptAofEvidence e;
  e.aof_files = {{"d/appendonlydir/appendonly.aof.manifest", 1000},
                 {"d/appendonlydir/appendonly.aof.1.base.rdb", 900},
                 {"d/appendonlydir/appendonly.aof.1.incr.aof", 1500}};
  e.rdb = FileTime{"d/dump.rdb", 2000};
  e.rdb_repl_id = kId;
  e.rdb_repl_offset = "4287";
  return e;
}

TEST(ShutdownPosition, ADumpSavedAfterTheLastAofWriteGivesThePosition) {
  auto d = ShutdownPositionOfAof(Clean());
  ASSERT_TRUE(d.position) << d.reason;
  EXPECT_EQ(d.position->replid, kId);
  EXPECT_EQ(d.position->offset, 4287u);
  // Same nanosecond: nothing was written after it.
  KeptAofEvidence same = Clean();
  same.aof_files[2].mtime_ns = 2000;
  EXPECT_TRUE(ShutdownPositionOfAof(same).position);
}

TEST(ShutdownPosition, AnAofFileWrittenAfterTheDumpMeansUnknown) {
  KeptAofEvidence e = Clean();
  e.aof_files[2].mtime_ns = 2001;  // a crash after an earlier save: writes past its position
  auto d = ShutdownPositionOfAof(e);
  EXPECT_FALSE(d.position);
  EXPECT_NE(d.reason.find("appendonly.aof.1.incr.aof was written after d/dump.rdb"), std::string::npos)
      << d.reason;
  e = Clean();
  e.aof_files[0].mtime_ns = 5000;  // the manifest too (a rewrite since)
  EXPECT_FALSE(ShutdownPositionOfAof(e).position);
}

TEST(ShutdownPosition, NoDumpNoAuxOrABadOffsetMeansUnknown) {
  KeptAofEvidence e = Clean();
  e.rdb.reset();
  EXPECT_FALSE(ShutdownPositionOfAof(e).position);
  e = Clean();
  e.rdb_repl_id.reset();  // a Redis outside any replication chain writes none
  EXPECT_FALSE(ShutdownPositionOfAof(e).position);
  e = Clean();
  e.rdb_repl_offset = "12x";
  auto d = ShutdownPositionOfAof(e);
  EXPECT_FALSE(d.position);
  EXPECT_NE(d.reason.find("\"12x\""), std::string::npos);
}

TEST(ShutdownPosition, WrittenAfterNamesTheFirstNewerFile) {
  std::vector<FileTime> files = {{"a", 10}, {"b", 30}, {"c", 40}};
  EXPECT_FALSE(WrittenAfter(files, 40));
  ASSERT_TRUE(WrittenAfter(files, 20));
  EXPECT_EQ(WrittenAfter(files, 20)->path, "b");
}

ReplicationPosition FreshFromAof(uint64_t keys = 2000) {
  return {"slave", kFresh, 0, kZeros, -1, keys, false, "", -1};
}

TEST(PositionToJudge, AReplicaFreshFromItsAofIsJudgedByItsRecordedPosition) {
  bool substituted = false;
  auto p = PositionToJudge(FreshFromAof(), DataPosition{kId, 4287}, &substituted);
  EXPECT_TRUE(substituted);
  EXPECT_EQ(p.replid, kId);
  EXPECT_EQ(p.offset, 4287u);
  EXPECT_EQ(p.keys, 2000u);
  // Then pod 0 further on that history is followed, not judged older than the replica itself.
  ReplicationPosition pod0 = {"master", kId, 5000, kZeros, -1, 2100, false, "", -1};
  EXPECT_EQ(JudgePrimary(p, pod0).verdict, HoldbackVerdict::kFollow);
  EXPECT_EQ(JudgePrimary(FreshFromAof(), pod0).verdict, HoldbackVerdict::kOlder);
  // And a pod 0 behind the recorded position still holds it back.
  pod0.offset = 4000;
  EXPECT_EQ(JudgePrimary(p, pod0).verdict, HoldbackVerdict::kOlder);
}

TEST(PositionToJudge, ARedisThatKnowsItsPositionOrAPrimaryKeepsItsOwn) {
  bool substituted = true;
  ReplicationPosition synced = FreshFromAof();
  synced.offset = 9000;  // synced since: Redis's own position is real
  EXPECT_EQ(PositionToJudge(synced, DataPosition{kId, 4287}, &substituted).offset, 9000u);
  EXPECT_FALSE(substituted);
  ReplicationPosition primary = FreshFromAof();
  primary.role = "master";
  EXPECT_EQ(PositionToJudge(primary, DataPosition{kId, 4287}).replid, kFresh);
  ReplicationPosition with_replid2 = FreshFromAof();
  with_replid2.replid2 = kId;
  with_replid2.second_offset = 100;
  EXPECT_EQ(PositionToJudge(with_replid2, DataPosition{kId, 4287}).replid, kFresh);
  EXPECT_EQ(PositionToJudge(FreshFromAof(), std::nullopt).replid, kFresh);
}

}  // namespace
}  // namespace tidemark::backup
