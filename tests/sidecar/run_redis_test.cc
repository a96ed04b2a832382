// `tidemark-sidecar run` as a process next to a real redis-server: live policy, HTTP endpoints,
// backups on request, SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <thread>

#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"


namespace tidemark::testing {
namespace {

class SidecarRun : public WithDataAndStore<> {
 protected:
  void SetUp() override { port_ = FreePort(); }
  std::vector<std::string> Args(const RedisServer& redis) {
    return {"--redis", "unix:" + redis.socket(), "--store", store_, "--policy",
            tmp_.File("policy.json"), "--redis-conf", tmp_.File("redis.conf"),
            "--listen", "127.0.0.1:" + std::to_string(port_)};
  }
  std::string Policy() {
    return ReadFile(std::string(TIDEMARK_SOURCE_DIR) + "/tests/core/policy/golden/hybrid.policy.json");
  }
  int port_ = 0;
};

TEST_F(SidecarRun, PolicyFileChangesReachRedisAndABadFileKeepsThePreviousPolicy) {
  RedisServer redis(data_, {});
  WriteFile(tmp_.File("policy.json"), Policy());
  WriteFile(tmp_.File("redis.conf"), "# rendered\nappendfsync always\nsave \"\"\n");
  RunningSidecar sidecar(Args(redis), tmp_.File("run.log"));
  auto fsync = [&] { return redis.Cli({"CONFIG", "GET", "appendfsync"}); };
  ASSERT_TRUE(WaitFor([&] { return fsync() == "appendfsync\nalways"; }, 5000)) << sidecar.Log();
  EXPECT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 3000))
      << sidecar.Log();

  WriteFile(tmp_.File("redis.conf"), "appendfsync no\nsave \"900 1\"\n");
  EXPECT_TRUE(WaitFor([&] { return fsync() == "appendfsync\nno"; }, 5000)) << sidecar.Log();
  EXPECT_EQ(redis.Cli({"CONFIG", "GET", "save"}), "save\n900 1");

  // A broken file is refused, loudly, and nothing changes.
  WriteFile(tmp_.File("redis.conf"), "appendfsync\n");
  WriteFile(tmp_.File("policy.json"), "{\"apiVersion\": ");
  EXPECT_TRUE(WaitFor([&] { return sidecar.Log().find("policy file refused") != std::string::npos; },
                      5000))
      << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("redis.conf fragment refused"), std::string::npos);
  EXPECT_EQ(fsync(), "appendfsync\nno");
  // The status the operator reads names the refusal.
  auto status = Http(port_, "GET", "/v1/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("\"error\":"), std::string::npos);
  EXPECT_EQ(sidecar.Stop(), 0) << sidecar.Log();
}

TEST_F(SidecarRun, BackupOnRequestOneAtATimeWithMetricsAndListing) {
  RedisServer redis(data_, {});
  redis.Cli({"DEBUG", "POPULATE", "2000"});
  redis.Cli({"CONFIG", "SET", "rdb-key-save-delay", "200"});  // ~0.4 s per save
  WriteFile(tmp_.File("policy.json"), Policy());
  WriteFile(tmp_.File("redis.conf"), "appendfsync everysec\n");
  RunningSidecar sidecar(Args(redis), tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/healthz").status == 200; }, 5000))
      << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 5000));
  auto first = Http(port_, "POST", "/v1/backups");
  EXPECT_EQ(first.status, 202) << first.body;
  auto second = Http(port_, "POST", "/v1/backups");
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_NE(second.body.find("already pending or running"), std::string::npos);
  ASSERT_TRUE(WaitFor(
      [&] { return Http(port_, "GET", "/v1/status").body.find("\"lastResult\":\"success\"") !=
                   std::string::npos; },
      10000))
      << sidecar.Log();
  auto listing = Http(port_, "GET", "/v1/backups");
  EXPECT_NE(listing.body.find("\"keys\":2000"), std::string::npos) << listing.body;
  auto metrics = Http(port_, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("tidemark_backups_total{result=\"success\"} 1\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("tidemark_backup_last_keys 2000\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("tidemark_redis_up 1\n"), std::string::npos);
  EXPECT_EQ(Http(port_, "GET", "/nope").status, 404);
  size_t rdbs = 0;
  for (const auto& f : ListDir(store_)) rdbs += f.ends_with(".rdb");
  EXPECT_EQ(rdbs, 1u);
  EXPECT_EQ(sidecar.Stop(), 0) << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("\"msg\":\"sidecar stopping\""), std::string::npos);
}

TEST_F(SidecarRun, RedisDownIsReportedAndTheSidecarReconnectsAndReapplies) {
  WriteFile(tmp_.File("policy.json"), Policy());
  WriteFile(tmp_.File("redis.conf"), "appendfsync always\n");
  std::optional<RunningSidecar> sidecar;
  {
    RedisServer redis(data_, {});
    sidecar.emplace(Args(redis), tmp_.File("run.log"));
    ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 5000))
        << sidecar->Log();
  }  // Redis stops
  EXPECT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 503; }, 5000));
  EXPECT_NE(Http(port_, "GET", "/metrics").body.find("tidemark_redis_up 0\n"), std::string::npos)
      << sidecar->Log();
  RedisServer again(data_, {});  // a restarted Redis has lost the CONFIG SET
  EXPECT_TRUE(WaitFor(
      [&] { return again.Cli({"CONFIG", "GET", "appendfsync"}) == "appendfsync\nalways"; }, 8000))
      << sidecar->Log();
  EXPECT_NE(sidecar->Log().find("Redis unreachable; retrying with backoff"), std::string::npos)
      << sidecar->Log();
  EXPECT_EQ(sidecar->Stop(), 0) << sidecar->Log();
}

TEST_F(SidecarRun, ABackupRequestedWhileRedisIsDownWaitsAndRunsAfterItReturns) {
  WriteFile(tmp_.File("policy.json"), Policy());
  WriteFile(tmp_.File("redis.conf"), "appendfsync everysec\n");
  std::optional<RunningSidecar> sidecar;
  {
    RedisServer redis(data_, {});
    redis.Cli({"SET", "k", "v"});
    redis.Save();
    sidecar.emplace(Args(redis), tmp_.File("run.log"));
    ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 5000))
        << sidecar->Log();
  }
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 503; }, 5000));
  EXPECT_EQ(Http(port_, "POST", "/v1/backups").status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto status = Http(port_, "GET", "/v1/status").body;
  EXPECT_NE(status.find("\"up\":false"), std::string::npos) << status;
  EXPECT_NE(status.find("\"pending\":true"), std::string::npos) << status;  // reported, kept
  RedisServer again(data_, {});
  ASSERT_TRUE(WaitFor(
      [&] { return Http(port_, "GET", "/v1/status").body.find("\"lastResult\":\"success\"") !=
                   std::string::npos; },
      10000))
      << sidecar->Log();
  EXPECT_EQ(sidecar->Stop(), 0) << sidecar->Log();
}

TEST_F(SidecarRun, AofOverItsMaximumSizeIsRewrittenAndMeasured) {
  RedisServer redis(data_, {"appendonly yes", "auto-aof-rewrite-percentage 0"});
  std::string policy = Policy();
  const std::string max = "\"maxSizeBytes\": 8589934592";
  policy.replace(policy.find(max), max.size(), "\"maxSizeBytes\": 20000");
  WriteFile(tmp_.File("policy.json"), policy);
  WriteFile(tmp_.File("redis.conf"), "appendfsync everysec\n");
  RunningSidecar sidecar(Args(redis), tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 5000))
      << sidecar.Log();
  EXPECT_EQ(sidecar.Log().find("AOF rewrite triggered"), std::string::npos);  // small AOF: nothing
  std::string writes;
  for (int i = 0; i < 400; ++i) writes += "SET key" + std::to_string(i) + " " + std::string(60, 'x') + "\n";
  redis.Pipe(writes);  // about 40 KB of AOF over a ~100-byte base
  ASSERT_TRUE(WaitFor([&] { return sidecar.Log().find("AOF rewrite triggered") != std::string::npos; },
                      5000))
      << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("at or over maxSizeBytes 20000"), std::string::npos);
  EXPECT_TRUE(WaitFor([&] {
    return redis.Cli({"INFO", "persistence"}).find("aof_rewrites:1") != std::string::npos;
  }, 5000));
  auto metrics = Http(port_, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("tidemark_aof_rewrites_triggered_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tidemark_aof_current_size_bytes "), std::string::npos);
}

TEST_F(SidecarRun, DamageAppendedToTheLiveAofIsReportedOnce) {
  RedisServer redis(data_, {"appendonly yes"});
  WriteFile(tmp_.File("policy.json"), Policy());
  WriteFile(tmp_.File("redis.conf"), "appendfsync always\n");
  RunningSidecar sidecar(Args(redis), tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 5000))
      << sidecar.Log();
  for (int i = 0; i < 20; ++i) redis.Cli({"SET", "k" + std::to_string(i), "v"});
  ASSERT_TRUE(WaitFor([&] {
    auto m = Http(port_, "GET", "/metrics").body;
    return m.find("tidemark_aof_verified_bytes_total 0\n") == std::string::npos &&
           m.find("tidemark_aof_verified_bytes_total") != std::string::npos;
  }, 5000));
  EXPECT_EQ(sidecar.Log().find("does not verify"), std::string::npos) << sidecar.Log();
  std::string incr;
  for (const auto& f : ListDir(data_ + "/appendonlydir"))
    if (f.ends_with(".incr.aof")) incr = data_ + "/appendonlydir/" + f;
  ASSERT_FALSE(incr.empty());
  WriteFile(incr, ReadFile(incr) + "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nNOT RESP\r\n");
  redis.Cli({"SET", "after", "damage"});
  ASSERT_TRUE(WaitFor([&] { return sidecar.Log().find("does not verify") != std::string::npos; },
                      5000))
      << sidecar.Log();
  EXPECT_NE(Http(port_, "GET", "/v1/status").body.find("\"aof\":{\"problem\":\""),
            std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_NE(Http(port_, "GET", "/metrics").body.find("tidemark_aof_verify_problems_total 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace tidemark::testing
