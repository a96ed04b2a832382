#include "core/backup/retention.h"

#include <gtest/gtest.h>

#include <map>

#include "core/backup/backup_name.h"
#include "core/backup/utc_time.h"

namespace tidemark::backup {
namespace {

constexpr int64_t kHour = 3600, kDay = 86400;
const int64_t kNow = *ParseIsoUtc("2026-11-28T12:00:00Z");

RetentionItem Item(int64_t t, uint64_t keys = 10, bool verified = true) {
  return {GenerateBackupName(t, static_cast<uint32_t>(t)), t, verified, keys};
}

std::map<std::string, bool> Keeps(const std::vector<RetentionDecision>& ds) {
  std::map<std::string, bool> m;
  for (const auto& d : ds) m[d.name] = d.keep;
  return m;
}

TEST(Retention, KeepLastKeepsTheNNewestWhateverTheInputOrder) {
  std::vector<RetentionItem> items = {Item(kNow - 3 * kHour), Item(kNow), Item(kNow - 1 * kHour),
                                      Item(kNow - 2 * kHour)};
  auto ds = PlanRetention(items, {.keep_last = 2});
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].name, items[1].name);  // newest first
  EXPECT_TRUE(ds[0].keep);
  EXPECT_TRUE(ds[1].keep);
  EXPECT_FALSE(ds[2].keep);
  EXPECT_FALSE(ds[3].keep);
  EXPECT_EQ(ds[1].reasons.front(), "keep-last 2 of 2");
  EXPECT_NE(ds[3].reasons.front().find("outside the retention rules"), std::string::npos);
}

TEST(Retention, BackupsOfOneSecondAreOrderedByTheirMillisecondNotTheirName) {
  // Twenty backups in one second, each name's random part smaller than the one before: by name
  // the first created would look newest.
  std::vector<RetentionItem> items;
  for (uint32_t i = 0; i < 20; ++i)
    items.push_back({GenerateBackupName(kNow, 0xffffffffu - i * 0x01000000u), kNow, true, 10,
                     kNow * 1000 + 37 * i});
  auto ds = PlanRetention(items, {.keep_last = 3});
  ASSERT_EQ(ds.size(), 20u);
  for (size_t i = 0; i < ds.size(); ++i) {
    EXPECT_EQ(ds[i].name, items[19 - i].name) << i;  // newest (last created) first
    EXPECT_EQ(ds[i].keep, i < 3) << i;
  }
  // Without the millisecond (metadata written before it), the name is all there is.
  for (auto& item : items) item.created_ms.reset();
  EXPECT_EQ(PlanRetention(items, {.keep_last = 1}).front().name, items.front().name);
}

TEST(Retention, DailyKeepsTheNewestOfEachRecentDay) {
  std::vector<RetentionItem> items;
  for (int d = 0; d < 5; ++d)
    for (int h = 0; h < 3; ++h) items.push_back(Item(kNow - d * kDay - h * kHour));
  auto keeps = Keeps(PlanRetention(items, {.keep_last = 1, .keep_daily = 3}));
  for (int d = 0; d < 5; ++d)
    for (int h = 0; h < 3; ++h)
      EXPECT_EQ(keeps[GenerateBackupName(kNow - d * kDay - h * kHour,
                                         static_cast<uint32_t>(kNow - d * kDay - h * kHour))],
                h == 0 && d < 3)
          << "day " << d << " hour " << h;
}

TEST(Retention, WeeklyKeepsTheNewestOfEachIsoWeek) {
  std::vector<RetentionItem> items;
  for (int d = 0; d < 28; ++d) items.push_back(Item(kNow - d * kDay));  // 2026-11-28 is a Saturday
  auto ds = PlanRetention(items, {.keep_weekly = 3});
  std::vector<std::string> kept;
  for (const auto& d : ds)
    if (d.keep) kept.push_back(d.reasons.front());
  EXPECT_EQ(kept, (std::vector<std::string>{"weekly 2026-W48", "weekly 2026-W47", "weekly 2026-W46"}));
}

TEST(Retention, NeverDeletesTheNewestVerifiedBackup) {
  // The three newest failed verification: keep-last 2 would drop every verified one.
  std::vector<RetentionItem> items = {Item(kNow, 10, false), Item(kNow - kHour, 10, false),
                                      Item(kNow - 2 * kHour, 10, false), Item(kNow - 3 * kHour),
                                      Item(kNow - 4 * kHour)};
  auto ds = PlanRetention(items, {.keep_last = 2});
  EXPECT_FALSE(ds[2].keep);
  EXPECT_TRUE(ds[3].keep);
  EXPECT_EQ(ds[3].reasons, std::vector<std::string>{"newest verified backup"});
  EXPECT_FALSE(ds[4].keep);
}

TEST(Retention, EmptySnapshotsNeverRotateOutNonEmptyBackups) {
  // An accidental FLUSHALL, then three empty backups: keep-last 2 must still keep the two real ones.
  std::vector<RetentionItem> items = {Item(kNow, 0), Item(kNow - kHour, 0), Item(kNow - 2 * kHour, 0),
                                      Item(kNow - 3 * kHour, 500), Item(kNow - 4 * kHour, 400),
                                      Item(kNow - 5 * kHour, 300)};
  auto ds = PlanRetention(items, {.keep_last = 2});
  std::vector<bool> keep;
  for (const auto& d : ds) keep.push_back(d.keep);
  EXPECT_EQ(keep, (std::vector<bool>{true, true, false, true, true, false}));
  EXPECT_EQ(ds[2].reasons.front(), "empty backup outside the retention rules");
}

TEST(Retention, AllowEmptyLetsEmptySnapshotsCountLikeAnyOther) {
  std::vector<RetentionItem> items = {Item(kNow, 0), Item(kNow - kHour, 0), Item(kNow - 2 * kHour, 0),
                                      Item(kNow - 3 * kHour, 500)};
  auto ds = PlanRetention(items, {.keep_last = 2, .allow_empty = true});
  EXPECT_TRUE(ds[0].keep);
  EXPECT_TRUE(ds[1].keep);
  EXPECT_FALSE(ds[2].keep);
  EXPECT_FALSE(ds[3].keep);  // rotated out by the empty ones, as allowed
}

TEST(Retention, EmptyListingPlansNothing) {
  EXPECT_TRUE(PlanRetention({}, {.keep_last = 3}).empty());
}

}  // namespace
}  // namespace tidemark::backup
