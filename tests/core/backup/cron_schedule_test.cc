#include "core/backup/cron_schedule.h"

#include <gtest/gtest.h>

#include "core/backup/utc_time.h"

namespace tidemark::backup {
namespace {

int64_t T(const char* iso) { return *ParseIsoUtc(iso); }

std::string Next(const char* schedule, const char* after) {
  auto c = CronSchedule::Parse(schedule);
  EXPECT_TRUE(c) << schedule;
  int64_t n = c->NextAfter(T(after));
  return n < 0 ? "never" : FormatIsoUtc(n);
}

TEST(CronSchedule, NextRuns) {
  EXPECT_EQ(Next("30 */6 * * *", "2026-11-28T02:15:00Z"), "2026-11-28T06:30:00Z");
  EXPECT_EQ(Next("30 */6 * * *", "2026-11-28T06:30:00Z"), "2026-11-28T12:30:00Z");
  EXPECT_EQ(Next("* * * * *", "2026-11-28T06:30:59Z"), "2026-11-28T06:31:00Z");
  EXPECT_EQ(Next("0 0 1 1 *", "2026-11-28T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(Next("0 0 29 2 *", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Next("0 0 31 2 *", "2026-03-01T00:00:00Z"), "never");
  EXPECT_EQ(Next("15 3 * * 1-5", "2026-11-28T00:00:00Z"), "2026-11-30T03:15:00Z");  // Sat -> Mon
  EXPECT_EQ(Next("0 12 * * 7", "2026-11-28T13:00:00Z"), "2026-11-29T12:00:00Z");    // 7 = Sunday
  EXPECT_EQ(Next("5/20 * * * *", "2026-11-28T10:46:00Z"), "2026-11-28T11:05:00Z");
}

TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 1st of the month OR any Monday, as cron(8) does.
  auto c = CronSchedule::Parse("0 0 1 * 1");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->Matches(T("2026-11-30T00:00:30Z")));   // a Monday
  EXPECT_TRUE(c->Matches(T("2026-12-01T00:00:00Z")));   // a Tuesday, the 1st
  EXPECT_FALSE(c->Matches(T("2026-12-02T00:00:00Z")));
  EXPECT_FALSE(c->Matches(T("2026-11-30T00:01:00Z")));
}

TEST(CronSchedule, RefusesWhatValidationRefuses) {
  for (const char* bad : {"* * * *", "60 * * * *", "* 24 * * *", "5-2 * * * *", "*/0 * * * *",
                          "x * * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", ""}) {
    auto c = CronSchedule::Parse(bad);
    EXPECT_FALSE(c) << "'" << bad << "'";
  }
  EXPECT_NE(CronSchedule::Parse("* 24 * * *").error().message.find("hour: 24 is out of range 0-23"),
            std::string::npos);
}

}  // namespace
}  // namespace tidemark::backup
