// The restart classification checked against a real redis-server (7.0): every directive of a
// rendered persistence.conf that the table calls live is accepted by CONFIG SET on a running
// server (what the sidecar does), and every one it calls restart-worthy is refused.
#include <gtest/gtest.h>

#include <map>

#include "core/policy/render_redis_conf.h"
#include "operator/reconcile/restart_table.h"
#include "tests/operator/reconcile/fixtures.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;

// Which row of the table decides each directive of the fragment.
const std::map<std::string, std::string> kRowOfDirective = {
    {"appendonly", "spec.mode"},
    {"save", "spec.rdb.savePoints"},
    {"dbfilename", "spec.rdb.fileName"},
    {"rdbcompression", "spec.rdb.compression"},
    {"rdbchecksum", "spec.rdb.checksum"},
    {"stop-writes-on-bgsave-error", "spec.rdb.stopWritesOnBgsaveError"},
    {"appenddirname", "appenddirname, appendfilename (fixed)"},
    {"appendfilename", "appenddirname, appendfilename (fixed)"},
    {"appendfsync", "spec.aof.fsync"},
    {"aof-use-rdb-preamble", "spec.aof.rdbPreamble"},
    {"aof-timestamp-enabled", "spec.aof.timestamps"},
    {"auto-aof-rewrite-percentage", "spec.aof.rewrite.growthPercent"},
    {"auto-aof-rewrite-min-size", "spec.aof.rewrite.minSize"},
    {"aof-load-truncated", "spec.restore.allowAofTailRepair, maxAofTailRepairBytes"},
    {"enable-debug-command", "enable-debug-command (fixed)"},
};

TEST(LiveConfig, RedisTakesLiveDirectivesAndRefusesRestartOnes) {
  int live = 0, refused = 0;
  for (const auto& file : ExampleFiles()) {
    SCOPED_TRACE(file);
    auto r = LoadExample(Stem(file));
    r.spec.rdb.file_name = "other.rdb";  // a value the server does not already have
    tidemark::testing::TempDir dir;
    tidemark::testing::RedisServer redis(dir.path());
    for (const auto& [directive, value] : policy::RedisConfDirectives(r)) {
      auto row = kRowOfDirective.find(directive);
      ASSERT_NE(row, kRowOfDirective.end()) << directive << ": no row of the table decides it";
      const SettingRule* rule = FindSettingRule(row->second);
      ASSERT_TRUE(rule) << row->second;
      const std::string answer = redis.Cli({"CONFIG", "SET", directive, value});
      if (rule->effect == ChangeEffect::kLive) {
        EXPECT_EQ(answer, "OK") << "CONFIG SET " << directive << " " << value;
        ++live;
      } else {
        EXPECT_EQ(rule->effect, ChangeEffect::kRestart) << directive;
        EXPECT_NE(answer, "OK") << directive << " is settable live: why restart?";
        ++refused;
      }
    }
  }
  EXPECT_GT(live, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace tidemark::reconcile
