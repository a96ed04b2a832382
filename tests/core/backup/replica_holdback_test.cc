// The hold-back rule: when a replica that lost pod 0 may follow it again.
#include "core/backup/replica_holdback.h"

#include <gtest/gtest.h>

namespace tidemark::backup {
namespace {

const std::string kOld = "1111111111111111111111111111111111111111";
const std::string kNew = "2222222222222222222222222222222222222222";
const std::string kZeros = "0000000000000000000000000000000000000000";

ReplicationPosition Replica(uint64_t offset, uint64_t keys = 100) {
  return {"slave", kOld, offset, kZeros, -1, keys, false, "", -1};
}
ReplicationPosition Primary(std::string replid, uint64_t offset, std::string replid2 = kZeros,
                            int64_t second_offset = -1, uint64_t keys = 100) {
  return {"master", std::move(replid), offset, std::move(replid2), second_offset, keys, false, "", -1};
}

TEST(ReplicaHoldback, SameHistoryAsFarOrFurtherIsFollowed) {
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kOld, 500)).verdict, HoldbackVerdict::kFollow);
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kOld, 900)).verdict, HoldbackVerdict::kFollow);
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kOld, 499)).verdict, HoldbackVerdict::kOlder);
}

TEST(ReplicaHoldback, APrimaryRestoredFromThisReplicasSnapshotContinuesItsHistory) {
  // Redis, loading an RDB with repl-id X / repl-offset N as a primary: replid2 X, second offset N+1.
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kNew, 520, kOld, 501)).verdict,
            HoldbackVerdict::kFollow);
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kNew, 520, kOld, 700)).verdict,
            HoldbackVerdict::kFollow);
  // An older backup of the same history: the replica is further than the snapshot.
  auto older = JudgePrimary(Replica(500), Primary(kNew, 300, kOld, 300));
  EXPECT_EQ(older.verdict, HoldbackVerdict::kOlder);
  EXPECT_NE(older.reason.find("older snapshot"), std::string::npos) << older.reason;
  // The reason names both positions.
  EXPECT_NE(older.reason.find("offset 500"), std::string::npos) << older.reason;
  EXPECT_NE(older.reason.find("up to offset 299"), std::string::npos) << older.reason;
}

TEST(ReplicaHoldback, APrimaryRestoredFromThisHistoryWithAofOnIsJudgedByItsRestoreRecord) {
  // With AOF on, Redis loads the restored snapshot without its repl-id: a new ID, no replid2,
  // offset from 0. Only pod 0's restore record still says which history its data holds.
  ReplicationPosition restored = Primary(kNew, 40);
  EXPECT_EQ(JudgePrimary(Replica(500), restored).verdict, HoldbackVerdict::kOlder);
  restored.restored_replid = kOld;
  restored.restored_offset = 500;
  auto follow = JudgePrimary(Replica(500), restored);
  EXPECT_EQ(follow.verdict, HoldbackVerdict::kFollow);
  EXPECT_NE(follow.reason.find("syncs in full"), std::string::npos) << follow.reason;
  EXPECT_NE(follow.reason.find("restored from a snapshot at replid " + kOld + " offset 500"),
            std::string::npos)
      << follow.reason;
  EXPECT_EQ(JudgePrimary(Replica(400), restored).verdict, HoldbackVerdict::kFollow);
  // A snapshot older than the replica, or of another history: older.
  restored.restored_offset = 499;
  auto older = JudgePrimary(Replica(500), restored);
  EXPECT_EQ(older.verdict, HoldbackVerdict::kOlder);
  EXPECT_NE(older.reason.find("older snapshot"), std::string::npos) << older.reason;
  restored.restored_replid = kNew;
  restored.restored_offset = 900;
  EXPECT_EQ(JudgePrimary(Replica(500), restored).verdict, HoldbackVerdict::kOlder);
}

TEST(ReplicaHoldback, AnEmptyOrForeignPrimaryIsOlder) {
  auto empty = JudgePrimary(Replica(500), Primary(kNew, 0, kZeros, -1, 0));
  EXPECT_EQ(empty.verdict, HoldbackVerdict::kOlder);
  EXPECT_NE(empty.reason.find("started empty"), std::string::npos) << empty.reason;
  // A zero secondary ID is no history, even when its offset field is set.
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kNew, 900, kZeros, 900)).verdict,
            HoldbackVerdict::kOlder);
  EXPECT_EQ(JudgePrimary(Replica(500), Primary(kNew, 900, kNew, 900)).verdict,
            HoldbackVerdict::kOlder);
}

TEST(ReplicaHoldback, AnEmptyReplicaFollowsWhateverThePrimaryHolds) {
  EXPECT_EQ(JudgePrimary(Replica(500, 0), Primary(kNew, 0, kZeros, -1, 0)).verdict,
            HoldbackVerdict::kFollow);
}

TEST(ReplicaHoldback, APrimaryThatIsLoadingOrNotAPrimaryIsWaitedFor) {
  auto loading = Primary(kOld, 900);
  loading.loading = true;
  EXPECT_EQ(JudgePrimary(Replica(500), loading).verdict, HoldbackVerdict::kWait);
  auto replica = Primary(kOld, 900);
  replica.role = "slave";
  EXPECT_EQ(JudgePrimary(Replica(500), replica).verdict, HoldbackVerdict::kWait);
}

}  // namespace
}  // namespace tidemark::backup
