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

std::vector<std::string> Names(const std::vector<backup::BackupMetadata>& list) {
  std::vector<std::string> out;
  for (const auto& m : list) out.push_back(m.name);
  return out;
}

TEST(DrillSelection, NewestDrillsTheNewestAndEveryNewWhatCameSinceOldestFirst) {
  const std::vector<backup::BackupMetadata> listing = {At(300), At(200), At(100)};  // newest first
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kNewest, 150)), std::vector<std::string>{"b300"});
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, 150)),
            (std::vector<std::string>{"b200", "b300"}));
  EXPECT_TRUE(SelectDrillBackups(listing, DrillWhat::kEveryNew, 300).empty());
  // A restarted sidecar does not know what it drilled: the newest only, not the whole store.
  EXPECT_EQ(Names(SelectDrillBackups(listing, DrillWhat::kEveryNew, std::nullopt)),
            std::vector<std::string>{"b300"});
  EXPECT_TRUE(SelectDrillBackups({}, DrillWhat::kNewest, std::nullopt).empty());
}

TEST(DrillSelection, KeysPerDbReadsInfoKeyspace) {
  auto dbs = KeysPerDb({{"db0", "keys=3,expires=1,avg_ttl=10"}, {"db12", "keys=7,expires=0,avg_ttl=0"},
                        {"other", "1"}});
  EXPECT_EQ(dbs, (std::map<uint64_t, uint64_t>{{0, 3}, {12, 7}}));
}

}  // namespace
}  // namespace tidemark::sidecar
