// The pure half of drills: which backups a run covers, and how a server's key counts are read.
#include <gtest/gtest.h>

#include "sidecar/drill.h"

namespace tidemark::sidecar {
namespace {

backup::BackupMetadata At(int64_t created) {
  backup::BackupMetadata m;
  m.name = "b" + std::to_string(created);
  m.created_unix = created;
  return m;
}

// A backup of second `created` whose metadata has createdAtMillis (`ms` into that second).
backup::BackupMetadata AtMs(int64_t created, int64_t ms, std::string name) {
  backup::BackupMetadata m = At(created);
  m.name = std::move(name);
  m.created_unix_ms = created * 1000 + ms;
  return m;
}

std::vector<std::string> Names(const std::vector<backup::BackupMetadata>& list) {
  std::vector<std::string> out;
  for (const auto& m : list) out.push_back(m.name);
  return out;
}

TEST(DrillSelection, NewestDrillsTheNewestAndEveryNewWhatCameSinceOldestFirst) {
  const std::vector<backup::BackupMetadata> listing = {At(300), At(200), At(100)};  // newest first
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kNewest, At(100))), std::vector<std::string>{"b300"});
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, At(100))),
            (std::vector<std::string>{"b200", "b300"}));
  EXPECT_TRUE(SelectDrillBackups(listing, DrillWhat::kEveryNew, At(300)).empty());
  // A restarted sidecar does not know what it drilled: the newest only, not the whole store.
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, std::nullopt)),
            std::vector<std::string>{"b300"});
  EXPECT_TRUE(SelectDrillBackups({}, DrillWhat::kNewest, std::nullopt).empty());
}

// Whole seconds cannot order two backups of one second: the later one was drilled with the
// earlier (or skipped) depending on the name's random part. createdAtMillis decides.
TEST(DrillSelection, EveryNewDrillsEachOfTwoBackupsOfOneSecondOnce) {
  // Names chosen so that name order is the opposite of creation order.
  const auto early = AtMs(500, 100, "z-early"), late = AtMs(500, 900, "a-late");
  EXPECT_EQ(Names(SelectDrillBackups({early}, DrillWhat::kEveryNew, std::nullopt)),
            std::vector<std::string>{"z-early"});
  EXPECT_EQ(Names(SelectDrillBackups({late, early}, DrillWhat::kEveryNew, early)),
            std::vector<std::string>{"a-late"});
  EXPECT_TRUE(SelectDrillBackups({late, early}, DrillWhat::kEveryNew, late).empty());
  // Both new since a backup of the second before: oldest first.
  EXPECT_EQ(Names(SelectDrillBackups({late, early, At(499)}, DrillWhat::kEveryNew, At(499))),
            (std::vector<std::string>{"z-early", "a-late"}));
}

// Metadata written before createdAtMillis counts as made at the start of its second, then by
// name: every backup still comes after the one drilled last exactly once.
TEST(DrillSelection, EveryNewWorksWithMetadataWithoutMillis) {
  const auto old_a = At(500), old_b = [] { auto m = At(500); m.name = "b500-2"; return m; }();
  const auto now = AtMs(500, 1, "a-now");  // a new sidecar's backup in the same second
  const std::vector<backup::BackupMetadata> listing = {now, old_b, old_a};  // newest first
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, old_a)),
            (std::vector<std::string>{"b500-2", "a-now"}));
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, old_b)),
            std::vector<std::string>{"a-now"});
}

TEST(DrillSelection, KeysPerDbReadsInfoKeyspace) {
  auto dbs = KeysPerDb({{"db0", "keys=3,expires=1,avg_ttl=10"}, {"db12", "keys=7,expires=0,avg_ttl=0"},
                        {"other", "1"}});
  EXPECT_EQ(dbs, (std::map<uint64_t, uint64_t>{{0, 3}, {12, 7}}));
}

}  // namespace
}  // namespace tidemark::sidecar
