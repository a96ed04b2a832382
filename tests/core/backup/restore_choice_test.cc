#include "core/backup/restore_choice.h"

#include <gtest/gtest.h>

namespace tidemark::backup {
namespace {

RestoreCandidate Backup(std::string id, int64_t t, uint64_t keys = 10) {
  RestoreCandidate c;
  c.kind = CandidateKind::kBackup;
  c.id = std::move(id);
  c.time = t;
  c.keys = keys;
  c.rdb_version = 10;
  return c;
}

RestoreCandidate Local(int64_t t, uint64_t keys = 10, bool usable = true) {
  RestoreCandidate c = Backup("local dump.rdb", t, keys);
  c.kind = CandidateKind::kLocal;
  c.usable = usable;
  if (!usable) c.unusable_why = "CRC-64 mismatch";
  return c;
}

std::vector<std::string> Order(const std::vector<RestoreCandidate>& cs,
                               const RestoreChoiceOptions& o = {}) {
  std::vector<std::string> ids;
  for (const auto& r : RankRestoreCandidates(cs, o))
    ids.push_back((r.eligible ? "" : "x ") + cs[r.index].id);
  return ids;
}

TEST(RestoreChoice, NewestBackupFirst) {
  EXPECT_EQ(Order({Backup("a", 100), Backup("c", 300), Backup("b", 200)}),
            (std::vector<std::string>{"c", "b", "a"}));
}

TEST(RestoreChoice, UsableLocalDataWinsATieAndNewerBackupsWinOtherwise) {
  EXPECT_EQ(Order({Backup("b", 100), Local(100)}),
            (std::vector<std::string>{"local dump.rdb", "b"}));
  EXPECT_EQ(Order({Backup("b", 200), Local(100)}),
            (std::vector<std::string>{"b", "local dump.rdb"}));
}

TEST(RestoreChoice, UnusableLocalDataIsIneligibleWithItsReason) {
  std::vector<RestoreCandidate> cs = {Local(500, 10, false), Backup("b", 100)};
  auto ranked = RankRestoreCandidates(cs, {});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(cs[ranked[0].index].id, "b");
  EXPECT_TRUE(ranked[0].eligible);
  EXPECT_FALSE(ranked[1].eligible);
  EXPECT_EQ(ranked[1].reason, "local data unusable: CRC-64 mismatch");
}

TEST(RestoreChoice, SameReplicationHistoryRanksByOffsetNotTime) {
  RestoreCandidate older_but_further = Backup("a", 100);
  older_but_further.repl_id = "abc";
  older_but_further.repl_offset = 9000;
  RestoreCandidate newer_but_behind = Backup("b", 200);
  newer_but_behind.repl_id = "abc";
  newer_but_behind.repl_offset = 10;
  EXPECT_EQ(Order({newer_but_behind, older_but_further}), (std::vector<std::string>{"a", "b"}));
  newer_but_behind.repl_id = "other";  // different histories: time decides
  EXPECT_EQ(Order({newer_but_behind, older_but_further}), (std::vector<std::string>{"b", "a"}));
}

TEST(RestoreChoice, EmptyDataRanksAfterRealDataUnlessAllowed) {
  std::vector<RestoreCandidate> cs = {Local(300, 0), Backup("b", 100, 42)};
  EXPECT_EQ(Order(cs), (std::vector<std::string>{"b", "local dump.rdb"}));
  auto ranked = RankRestoreCandidates(cs, {});
  EXPECT_NE(ranked[1].reason.find("empty: ranks after non-empty data"), std::string::npos);
  EXPECT_EQ(Order(cs, {.allow_empty = true}), (std::vector<std::string>{"local dump.rdb", "b"}));
}

RestoreCandidate Replica(std::string url, int64_t link_down_at, std::string replid,
                         uint64_t offset, uint64_t keys = 10) {
  RestoreCandidate c = Backup(std::move(url), link_down_at, keys);
  c.kind = CandidateKind::kReplica;
  c.repl_id = std::move(replid);
  c.repl_offset = offset;
  return c;
}

TEST(RestoreChoice, ReplicaAheadOfTheBackupOnTheSameHistoryWinsAndTheHighestOffsetFirst) {
  RestoreCandidate backup = Backup("b", 1000);
  backup.repl_id = "h1";
  backup.repl_offset = 5000;
  // The stale replica's link went down long after the backup, but it holds less of h1.
  EXPECT_EQ(Order({backup, Replica("r-stale", 2000, "h1", 4000), Replica("r1", 1500, "h1", 9000)}),
            (std::vector<std::string>{"r1", "b", "r-stale"}));
  // Exactly as far as the backup: the replica holds at least as much.
  EXPECT_EQ(Order({backup, Replica("r", 1000, "h1", 5000)}), (std::vector<std::string>{"r", "b"}));
}

TEST(RestoreChoice, ReplicaOnAnotherHistoryIsComparedByTime) {
  RestoreCandidate backup = Backup("b", 1000);
  backup.repl_id = "h2";
  backup.repl_offset = 10;
  EXPECT_EQ(Order({backup, Replica("r", 900, "h1", 999999)}), (std::vector<std::string>{"b", "r"}));
  EXPECT_EQ(Order({backup, Replica("r", 1100, "h1", 1)}), (std::vector<std::string>{"r", "b"}));
}

TEST(RestoreChoice, UnreachableOrEmptyReplicasDoNotWinAndAPinnedBackupExcludesReplicas) {
  RestoreCandidate down = Replica("r-down", 2000, "h1", 9000);
  down.usable = false;
  down.unusable_why = "answered HTTP 403";
  EXPECT_EQ(Order({Backup("b", 100), down, Replica("r-empty", 2000, "h1", 9000, 0)}),
            (std::vector<std::string>{"b", "r-empty", "x r-down"}));
  EXPECT_EQ(Order({Backup("b", 100), Replica("r", 2000, "h1", 9000)}, {.pinned_backup = "b"}),
            (std::vector<std::string>{"b", "x r"}));
}

TEST(RestoreChoice, PolicyPinsABackupOrTurnsBackupsOff) {
  std::vector<RestoreCandidate> cs = {Backup("new", 300), Backup("old", 100)};
  EXPECT_EQ(Order(cs, {.pinned_backup = "old"}), (std::vector<std::string>{"old", "x new"}));
  EXPECT_EQ(Order(cs, {.backups_allowed = false}), (std::vector<std::string>{"x new", "x old"}));
}

TEST(RestoreChoice, RdbVersionNewerThanTheServerIsIneligible) {
  RestoreCandidate future = Backup("future", 900);
  future.rdb_version = 12;
  auto ranked = RankRestoreCandidates({future, Backup("b", 100)}, {.max_rdb_version = 10});
  EXPECT_FALSE(ranked[1].eligible);
  EXPECT_EQ(ranked[1].reason, "RDB version 12 is newer than the server loads (10)");
}

}  // namespace
}  // namespace tidemark::backup
