// Pure parts of `tidemark-sidecar run`: the Prometheus rendering, the redis.conf fragment, the
// schedule's interval for the "backup overdue" alert.
#include <gtest/gtest.h>

#include "core/backup/utc_time.h"
#include "sidecar/live_config.h"
#include "sidecar/metrics.h"
#include "sidecar/persistence_metrics.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

TEST(Metrics, RendersPrometheusTextWithHelpTypeAndEscapedLabels) {
  Metrics m;
  m.Declare("tidemark_backups_total", Metrics::Type::kCounter, "Backups by result.");
  m.Declare("tidemark_backup_last_duration_seconds", Metrics::Type::kGauge, "Duration.");
  m.Add("tidemark_backups_total", {{"result", "success"}});
  m.Add("tidemark_backups_total", {{"result", "success"}});
  m.Add("tidemark_backups_total", {{"result", "fail\"ure\n"}}, 0);
  m.Set("tidemark_backup_last_duration_seconds", {}, 1.25);
  EXPECT_EQ(m.Render(),
            "# HELP tidemark_backup_last_duration_seconds Duration.\n"
            "# TYPE tidemark_backup_last_duration_seconds gauge\n"
            "tidemark_backup_last_duration_seconds 1.25\n"
            "# HELP tidemark_backups_total Backups by result.\n"
            "# TYPE tidemark_backups_total counter\n"
            "tidemark_backups_total{result=\"fail\\\"ure\\n\"} 0\n"
            "tidemark_backups_total{result=\"success\"} 2\n");
}

TEST(Metrics, UndeclaredMetricIsABug) {
  Metrics m;
  EXPECT_DEATH(m.Add("nope", {}), "");
}

TEST(ScheduleInterval, IsTheGapBetweenTheNextTwoRunsAndZeroForAScheduleThatNeverRepeats) {
  const int64_t now = *backup::ParseIsoUtc("2026-11-28T12:00:30Z");
  auto interval = [&](const char* cron) {
    return ScheduleIntervalSeconds(*backup::CronSchedule::Parse(cron), now);
  };
  EXPECT_EQ(interval("0 * * * *"), 3600);
  EXPECT_EQ(interval("30 */6 * * *"), 6 * 3600);  // 18:30, then 00:30
  EXPECT_EQ(interval("*/5 * * * *"), 300);
  EXPECT_EQ(interval("0 0 31 2 *"), 0);  // never fires
}

TEST(ConfFragment, ReadsWhatTheOperatorRenders) {
  auto text = testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                "/tests/core/policy/golden/aof-only.conf");
  auto d = ParseConfFragment(text, "aof-only.conf");
  ASSERT_TRUE(d) << d.error().ToString();
  std::map<std::string, std::string> m(d->begin(), d->end());
  EXPECT_EQ(m.at("appendonly"), "yes");
  EXPECT_EQ(m.at("save"), "");  // rendered as ""
  EXPECT_EQ(m.at("appendfsync").empty(), false);
}

TEST(ConfFragment, RefusesALineWithoutAValueNamingIt) {
  auto d = ParseConfFragment("# header\nappendonly yes\nsave\n", "frag.conf");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().where, "frag.conf");
  EXPECT_NE(d.error().message.find("line 3"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::sidecar
