#include "sidecar/aof_rewrite_plan.h"

#include <gtest/gtest.h>

#include "core/backup/utc_time.h"

namespace tidemark::sidecar {
namespace {

const int64_t kInside = *backup::ParseIsoUtc("2026-11-28T02:30:00Z");
const int64_t kOutside = *backup::ParseIsoUtc("2026-11-28T12:00:00Z");

AofRewritePolicy Managed() {
  AofRewritePolicy p;
  p.managed = true;
  p.growth_percent = 100;
  p.min_size = 1000;
  p.max_size = 1000000;
  p.window_start = 60;  // 01:00
  p.window_end = 300;   // 05:00
  return p;
}

AofState State(uint64_t current, uint64_t base) {
  AofState s;
  s.enabled = true;
  s.current_size = current;
  s.base_size = base;
  return s;
}

TEST(AofRewritePlan, GrowthInsideTheWindowOnly) {
  EXPECT_TRUE(PlanAofRewrite(Managed(), State(4000, 2000), kInside));
  EXPECT_FALSE(PlanAofRewrite(Managed(), State(3999, 2000), kInside));   // 99% growth
  EXPECT_FALSE(PlanAofRewrite(Managed(), State(4000, 2000), kOutside));  // outside 01:00-05:00
  EXPECT_FALSE(PlanAofRewrite(Managed(), State(900, 100), kInside));     // under minSize
  auto reason = PlanAofRewrite(Managed(), State(4000, 2000), kInside);
  EXPECT_NE(reason->find("grew 100%"), std::string::npos) << *reason;
}

TEST(AofRewritePlan, MaxSizeRewritesAtOnceEvenOutsideTheWindowOrUnmanaged) {
  auto reason = PlanAofRewrite(Managed(), State(1000000, 999999), kOutside);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("maxSizeBytes 1000000"), std::string::npos);
  AofRewritePolicy unmanaged = Managed();
  unmanaged.managed = false;
  EXPECT_TRUE(PlanAofRewrite(unmanaged, State(2000000, 1), kOutside));
  EXPECT_FALSE(PlanAofRewrite(unmanaged, State(4000, 2000), kInside));  // growth is Redis's job
}

TEST(AofRewritePlan, NothingWhileOffOrARewriteRuns) {
  AofState s = State(2000000, 1);
  s.rewrite_in_progress = true;
  EXPECT_FALSE(PlanAofRewrite(Managed(), s, kInside));
  s = State(2000000, 1);
  s.rewrite_scheduled = true;
  EXPECT_FALSE(PlanAofRewrite(Managed(), s, kInside));
  s = State(2000000, 1);
  s.enabled = false;
  EXPECT_FALSE(PlanAofRewrite(Managed(), s, kInside));
}

TEST(AofRewritePlan, WindowAcrossMidnight) {
  AofRewritePolicy p = Managed();
  p.window_start = 23 * 60;
  p.window_end = 2 * 60;
  EXPECT_TRUE(PlanAofRewrite(p, State(4000, 1000), *backup::ParseIsoUtc("2026-11-28T23:30:00Z")));
  EXPECT_TRUE(PlanAofRewrite(p, State(4000, 1000), *backup::ParseIsoUtc("2026-11-28T01:59:00Z")));
  EXPECT_FALSE(PlanAofRewrite(p, State(4000, 1000), *backup::ParseIsoUtc("2026-11-28T02:00:00Z")));
}

TEST(AofRewritePlan, TimeOfDay) {
  EXPECT_EQ(ParseTimeOfDay("00:00"), 0);
  EXPECT_EQ(ParseTimeOfDay("23:59"), 23 * 60 + 59);
  EXPECT_FALSE(ParseTimeOfDay("24:00"));
  EXPECT_FALSE(ParseTimeOfDay("1:00"));
}

}  // namespace
}  // namespace tidemark::sidecar
