// The `run` loop (Agent) in-process against a real redis-server, on a clock that runs 50 times
// faster than the real one: a cron minute or a 30 s retry passes in about a second while Redis
// works in real time. Redis dying during a scheduled backup; settings changed behind the
// sidecar's back.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "core/backup/utc_time.h"
#include "sidecar/agent.h"
#include "sidecar/metrics.h"
#include "tests/sidecar/fake_clock.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

using sidecar::Agent;
using sidecar::AgentOptions;

constexpr int64_t kSpeedup = 50;

// An Agent on its own thread with a fast clock, logging to a file.
class AgentThread {
 public:
  AgentThread(AgentOptions options, const std::string& store_dir, const std::string& log_path)
      : log_file_(log_path),
        log_path_(log_path),
        clock_(*backup::ParseIsoUtc("2026-11-28T12:00:30Z"), kSpeedup),
        log_(log_file_, clock_, "test-0"),
        store_(*sidecar::DirBackupStore::Open(store_dir)),
        agent_(std::move(options), store_, log_, clock_, metrics_) {
    // As sidecar/main.cc: a write to a Redis that just died must come back as EPIPE, not end the
    // process (the test binary died of SIGPIPE when Redis was stopped mid-BGSAVE).
    ::signal(SIGPIPE, SIG_IGN);
    thread_ = std::thread([this] { agent_.Run(stop_); });
  }
  ~AgentThread() {
    stop_ = true;
    thread_.join();
  }
  std::string Get(const std::string& path) { return agent_.Handle("GET", path).body; }
  std::string Log() const { return ReadFile(log_path_); }

 private:
  std::ofstream log_file_;
  std::string log_path_;
  FastClock clock_;
  sidecar::JsonLog log_;
  sidecar::Metrics metrics_;
  bool declared_ = (sidecar::DeclareSidecarMetrics(metrics_), true);  // before the agent uses them
  sidecar::DirBackupStore store_;
  Agent agent_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class AgentRedis : public WithDataAndStore<> {
 protected:
  AgentOptions Options(const RedisServer& redis) {
    AgentOptions o;
    o.endpoint = *sidecar::ParseRedisEndpoint("unix:" + redis.socket());
    o.pod = "test-0";
    return o;
  }
};

TEST_F(AgentRedis, RedisDyingDuringAScheduledBackupIsReportedAndTheBackupRetried) {
  // Every minute; the clock starts at 12:00:30, so the first one is due after 30 s (0.6 s real).
  std::string policy = ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                "/tests/core/policy/golden/rdb-only.policy.json");
  policy.replace(policy.find("\"0 * * * *\""), 11, "\"* * * * *\"");
  WriteFile(tmp_.File("policy.json"), policy);
  std::optional<RedisServer> redis;
  redis.emplace(data_, std::vector<std::string>{"rdb-key-save-delay 2000"});  // ~2 s per BGSAVE
  redis->Cli({"DEBUG", "POPULATE", "1000"});
  AgentOptions o = Options(*redis);
  o.policy_path = tmp_.File("policy.json");
  AgentThread agent(o, store_, tmp_.File("agent.log"));

  ASSERT_TRUE(WaitFor([&] { return agent.Get("/v1/status").find("\"running\":true") !=
                                   std::string::npos; }, 10000))
      << agent.Get("/v1/status") << agent.Log();
  redis->Stop();  // in the middle of the backup's BGSAVE
  ASSERT_TRUE(WaitFor([&] {
    auto s = agent.Get("/v1/status");
    return s.find("\"lastResult\":\"failure\"") != std::string::npos &&
           s.find("\"pending\":true") != std::string::npos;
  }, 10000)) << agent.Get("/v1/status") << agent.Log();
  // Reported: status, metrics, log; the retry waits for Redis.
  std::string status = agent.Get("/v1/status");
  EXPECT_NE(status.find("\"up\":false"), std::string::npos) << status;
  EXPECT_NE(agent.Get("/metrics").find("tidemark_backups_total{result=\"failure\"} 1\n"),
            std::string::npos);
  EXPECT_NE(agent.Log().find("scheduled backup failed; it will be retried"), std::string::npos)
      << agent.Log();
  EXPECT_NE(agent.Log().find("retrying the failed scheduled backup"), std::string::npos)
      << agent.Log();

  redis.emplace(data_);  // Redis back, without the slow saves
  ASSERT_TRUE(WaitFor([&] { return agent.Get("/v1/status").find("\"lastResult\":\"success\"") !=
                                   std::string::npos; }, 15000))
      << agent.Get("/v1/status") << agent.Log();
  EXPECT_NE(agent.Get("/metrics").find("tidemark_backups_total{result=\"failure\"} 1\n"),
            std::string::npos);
  size_t rdbs = 0;
  for (const auto& f : ListDir(store_)) rdbs += f.ends_with(".rdb");
  EXPECT_GE(rdbs, 1u);
}

// What alerts watch between backups: Redis's own save status, from INFO persistence.
TEST_F(AgentRedis, AFailedBgsaveAndTheScheduleShowInTheMetricsUntilASaveSucceeds) {
  WriteFile(tmp_.File("policy.json"), ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                               "/tests/core/policy/golden/rdb-only.policy.json"));
  // Redis 7 protects `dir`; the test's local connection may change it.
  RedisServer redis(data_, {"enable-protected-configs local"});
  redis.Cli({"SET", "k", "v"});
  AgentOptions o = Options(redis);
  o.policy_path = tmp_.File("policy.json");
  AgentThread agent(o, store_, tmp_.File("agent.log"));
  auto metric = [&](const std::string& line) {
    return agent.Get("/metrics").find("\n" + line + "\n") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_rdb_last_bgsave_ok 1"); }, 10000))
      << agent.Get("/metrics");
  EXPECT_TRUE(metric("tidemark_backup_schedule_interval_seconds 3600"));  // "0 * * * *"
  EXPECT_TRUE(metric("tidemark_drill_schedule_interval_seconds 0"));    // "drill": null
  EXPECT_TRUE(metric("tidemark_aof_enabled 0"));

  // A save into a directory that no longer exists fails, for root too.
  const std::string gone = tmp_.File("gone");
  ASSERT_EQ(::mkdir(gone.c_str(), 0755), 0);
  ASSERT_EQ(redis.Cli({"CONFIG", "SET", "dir", gone}), "OK");
  ASSERT_EQ(::rmdir(gone.c_str()), 0);
  redis.Cli({"BGSAVE"});
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_rdb_last_bgsave_ok 0"); }, 10000))
      << agent.Get("/metrics");

  redis.Cli({"CONFIG", "SET", "dir", data_});
  redis.Cli({"BGSAVE"});
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_rdb_last_bgsave_ok 1"); }, 10000))
      << agent.Get("/metrics");
}

// The "drill overdue" alert's yardstick follows the policy: the drill cron's period, 0 when off.
TEST_F(AgentRedis, TheDrillScheduleIntervalFollowsThePolicy) {
  const std::string golden = std::string(TIDEMARK_SOURCE_DIR) + "/tests/core/policy/golden/";
  RedisServer redis(data_);
  AgentOptions o = Options(redis);
  o.policy_path = tmp_.File("policy.json");
  WriteFile(*o.policy_path, ReadFile(golden + "hybrid.policy.json"));  // drill "15 3 * * *"
  AgentThread agent(o, store_, tmp_.File("agent.log"));
  auto metric = [&](const std::string& line) {
    return agent.Get("/metrics").find("\n" + line + "\n") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_drill_schedule_interval_seconds 86400"); }, 10000))
      << agent.Get("/metrics") << agent.Log();

  std::string hourly = ReadFile(golden + "hybrid.policy.json");
  hourly.replace(hourly.find("\"15 3 * * *\""), 12, "\"15 * * * *\"");
  WriteFile(*o.policy_path, hourly);
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_drill_schedule_interval_seconds 3600"); }, 10000))
      << agent.Get("/metrics") << agent.Log();

  WriteFile(*o.policy_path, ReadFile(golden + "rdb-only.policy.json"));  // "drill": null
  ASSERT_TRUE(WaitFor([&] { return metric("tidemark_drill_schedule_interval_seconds 0"); }, 10000))
      << agent.Get("/metrics") << agent.Log();
}

// The drill's cron fires inside the loop (every minute here: due 30 s after the start, 0.6 s real),
// drills the store's backup into a scratch server and reports it: /v1/status lastDrill and the
// three drill metrics.
TEST_F(AgentRedis, AScheduledDrillRunsInTheLoopAndIsReportedInStatusAndMetrics) {
  const std::string golden = std::string(TIDEMARK_SOURCE_DIR) + "/tests/core/policy/golden/";
  RedisServer redis(data_);
  redis.Pipe("SET a 1\nRPUSH l x y\nSELECT 2\nSET b 2\n");
  auto backup = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
  ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
  AgentOptions o = Options(redis);
  o.policy_path = tmp_.File("policy.json");
  o.work_dir = tmp_.File("work");
  ::mkdir(o.work_dir.c_str(), 0755);
  std::string policy = ReadFile(golden + "hybrid.policy.json");
  policy.replace(policy.find("\"15 3 * * *\""), 12, "\"* * * * *\"");
  WriteFile(*o.policy_path, policy);
  AgentThread agent(o, store_, tmp_.File("agent.log"));
  ASSERT_TRUE(WaitFor([&] {
    return agent.Get("/v1/status").find("\"result\":\"success\",\"reason\":null,\"keys\":3,") !=
           std::string::npos;
  }, 30000)) << agent.Get("/v1/status") << agent.Log();
  EXPECT_TRUE(agent.Log().find("drill passed") != std::string::npos) << agent.Log();
  const std::string metrics = agent.Get("/metrics");
  EXPECT_NE(metrics.find("\ntidemark_drill_runs_total{result=\"success\"} 1\n"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("\ntidemark_drill_last_success_timestamp_seconds 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\ntidemark_drill_load_seconds "), std::string::npos) << metrics;
  EXPECT_EQ(ListDir(o.work_dir), std::vector<std::string>{}) << "the scratch directory is removed";
}

TEST_F(AgentRedis, ASettingChangedBehindTheSidecarsBackIsReportedAsDriftAndPutBack) {
  RedisServer redis(data_);
  // enable-debug-command is startup-only (the test server runs with "yes"): never drift.
  WriteFile(tmp_.File("redis.conf"), "appendfsync always\nhz 20\nenable-debug-command local\n");
  AgentOptions o = Options(redis);
  o.conf_path = tmp_.File("redis.conf");
  AgentThread agent(o, store_, tmp_.File("agent.log"));
  ASSERT_TRUE(WaitFor([&] { return redis.Cli({"CONFIG", "GET", "appendfsync"}) ==
                                   "appendfsync\nalways"; }, 10000))
      << agent.Log();
  EXPECT_EQ(agent.Log().find("policy drift"), std::string::npos);  // applying is not drift

  redis.Cli({"CONFIG", "SET", "appendfsync", "no"});
  // The periodic check (10 s of the fast clock) finds it and puts it back.
  ASSERT_TRUE(WaitFor([&] { return redis.Cli({"CONFIG", "GET", "appendfsync"}) ==
                                   "appendfsync\nalways"; }, 10000))
      << agent.Log();
  ASSERT_TRUE(WaitFor([&] { return agent.Log().find("policy drift") != std::string::npos; }, 2000));
  const std::string log = agent.Log();
  const std::string line = log.substr(log.find("policy drift"));
  EXPECT_NE(line.find("appendfsync"), std::string::npos) << line;
  EXPECT_EQ(line.substr(0, line.find('\n')).find("hz"), std::string::npos) << line;
  EXPECT_EQ(redis.Cli({"CONFIG", "GET", "hz"}), "hz\n20");
  EXPECT_EQ(agent.Get("/readyz"), "ready\n");
}

}  // namespace
}  // namespace tidemark::testing
