// `tidemark inspect`: the pure view over INFO/CONFIG facts, and the command against real
// redis-servers in each persistence strategy.
#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/inspect/persistence_view.h"
#include "core/policy/load.h"
#include "core/policy/render_redis_conf.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::ReadFile;
using testing::RedisServer;
using testing::RunCommand;
using testing::TempDir;

bool Has(const inspect::PersistenceView& v, const std::string& code) {
  return std::any_of(v.findings.begin(), v.findings.end(), [&](const auto& f) { return f.code == code; });
}

inspect::Facts HybridFacts() {
  inspect::Facts f;
  f.config = {{"save", "3600 1"}, {"appendonly", "yes"}, {"appendfsync", "everysec"},
              {"aof-use-rdb-preamble", "yes"}, {"auto-aof-rewrite-percentage", "100"},
              {"auto-aof-rewrite-min-size", "1000"}};
  f.info = {{"rdb_last_save_time", "1795840000"}, {"rdb_last_bgsave_status", "ok"},
            {"rdb_changes_since_last_save", "12"}, {"aof_rewrite_in_progress", "0"},
            {"aof_last_bgrewrite_status", "ok"}, {"aof_last_write_status", "ok"},
            {"aof_current_size", "1500"}, {"aof_base_size", "1000"}};
  return f;
}

TEST(InspectView, AHealthyHybridSetupHasNoFindings) {
  auto v = inspect::Inspect(HybridFacts());
  EXPECT_TRUE(v.healthy());
  EXPECT_EQ(v.changes_since_save, 12);
  ASSERT_TRUE(v.aof_growth_percent);
  EXPECT_EQ(*v.aof_growth_percent, 50);
}

// The finding follows Redis's own trigger (serverCron in src/server.c, 7.0): growth in whole
// percent, current * 100 / base - 100, at or over auto-aof-rewrite-percentage, the AOF strictly
// over auto-aof-rewrite-min-size, and a base of 0 counted as 1 byte.
TEST(InspectView, TheRewriteFindingIsRedissOwnRewriteRule) {
  auto f = HybridFacts();  // +100% wanted over 1000 bytes, min size 1000
  const auto finding = [&](const std::string& size, const std::string& base) {
    f.info["aof_current_size"] = size;
    f.info["aof_base_size"] = base;
    return Has(inspect::Inspect(f), "aof-past-rewrite-threshold");
  };
  EXPECT_FALSE(finding("1999", "1000")) << "99% in whole percent";
  EXPECT_TRUE(finding("2000", "1000"));
  EXPECT_EQ(inspect::Inspect(f).aof_growth_percent, 100);

  // A server started on a new AOF reports aof_base_size 0 until its first rewrite: Redis divides
  // by 1 instead, so any AOF over the minimum size is due.
  EXPECT_TRUE(finding("1001", "0"));
  auto v = inspect::Inspect(f);
  EXPECT_EQ(v.aof_growth_percent, 1001 * 100 - 100);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].message,
            "the AOF grew 100000% over its base (aof_base_size 0, which Redis counts as 1 byte), past "
            "auto-aof-rewrite-percentage 100, and no rewrite is running");
  EXPECT_FALSE(finding("1000", "0")) << "Redis wants the AOF over the minimum size, not at it";
  EXPECT_FALSE(finding("0", "0")) << "an empty AOF is not over a minimum of 0";
  f.config["auto-aof-rewrite-min-size"] = "0";
  EXPECT_FALSE(finding("1", "0")) << "1 byte over a base counted as 1 byte: +0%";
  EXPECT_TRUE(finding("2", "0")) << "+100%";
}

TEST(InspectView, WarningsInTheGuidesTerms) {
  auto f = HybridFacts();
  f.info["aof_current_size"] = "2000";  // +100%: at the threshold, no rewrite running
  f.info["rdb_last_bgsave_status"] = "err";
  auto v = inspect::Inspect(f);
  EXPECT_TRUE(Has(v, "aof-past-rewrite-threshold"));
  EXPECT_TRUE(Has(v, "bgsave-failed"));
  f.info["aof_rewrite_in_progress"] = "1";
  EXPECT_FALSE(Has(inspect::Inspect(f), "aof-past-rewrite-threshold")) << "a rewrite is already running";
  f.config["auto-aof-rewrite-min-size"] = "100000";
  f.info["aof_rewrite_in_progress"] = "0";
  EXPECT_FALSE(Has(inspect::Inspect(f), "aof-past-rewrite-threshold")) << "below the minimum size";
  f.config["save"] = "";
  f.config["appendonly"] = "no";
  v = inspect::Inspect(f);
  EXPECT_TRUE(Has(v, "rdb-disabled"));
  EXPECT_TRUE(Has(v, "aof-disabled"));
}

TEST(InspectView, PolicyDifferencesAndFsyncNoOnDataThePolicyProtects) {
  auto f = HybridFacts();
  f.config["appendfsync"] = "no";
  std::vector<std::pair<std::string, std::string>> policy = {{"appendfsync", "everysec"}, {"save", "3600 1"}};
  auto v = inspect::Inspect(f, &policy);
  ASSERT_EQ(v.policy_differences.size(), 1u);
  EXPECT_EQ(v.policy_differences[0], "appendfsync: redis has 'no', policy wants 'everysec'");
  EXPECT_TRUE(Has(v, "appendfsync-no"));
}

struct InspectRun {
  int rc;
  web::json::value json;
};

InspectRun Inspect(const RedisServer& redis, const std::string& extra = "") {
  std::string out;
  int rc = RunCommand(std::string(TIDEMARK_CLI) + " inspect --json --redis unix:" + redis.socket() + " " + extra +
                          " 2>/dev/null",
                      &out);
  return {rc, out.empty() ? web::json::value::null() : web::json::value::parse(out)};
}

std::vector<std::string> Codes(const web::json::value& j) {
  std::vector<std::string> out;
  for (const auto& f : j.at("findings").as_array()) out.push_back(f.at("code").as_string());
  return out;
}

TEST(InspectRedis, EachStrategyIsReportedWithItsWarnings) {
  struct Case {
    std::vector<std::string> config;
    std::vector<std::string> codes;
  };
  const Case cases[] = {
      {{"appendonly no", "save \"3600 1\""}, {"aof-disabled"}},
      {{"appendonly yes", "save \"\""}, {"rdb-disabled"}},
      {{"appendonly yes", "aof-use-rdb-preamble yes", "save \"3600 1 300 100\""}, {}},
      {{"appendonly no", "save \"\""}, {"rdb-disabled", "aof-disabled"}},
  };
  for (const Case& c : cases) {
    TempDir dir;
    RedisServer redis(dir.path(), c.config);
    redis.Cli({"SET", "k", "v"});
    InspectRun r = Inspect(redis);
    ASSERT_FALSE(r.json.is_null());
    EXPECT_EQ(r.rc, c.codes.empty() ? 0 : 1) << r.json.serialize();
    EXPECT_TRUE(r.json.at("connected").as_bool());
    EXPECT_EQ(Codes(r.json), c.codes) << r.json.serialize();
    EXPECT_EQ(r.json.at("changesSinceLastSave").as_integer(), 1) << r.json.serialize();
  }
}

TEST(InspectRedis, APolicyItsServerFollowsHasNoDifferencesAndDriftIsListed) {
  std::string policy_file = std::string(TIDEMARK_SOURCE_DIR) + "/examples/hybrid.yaml";
  auto resource = policy::LoadRedisPersistence(ReadFile(policy_file));
  ASSERT_TRUE(resource);
  std::vector<std::string> conf;
  for (const auto& [k, v] : policy::RedisConfDirectives(*resource)) conf.push_back(k + " \"" + v + "\"");
  TempDir dir;
  RedisServer redis(dir.path(), conf);
  InspectRun r = Inspect(redis, "--policy " + policy_file);
  EXPECT_EQ(r.rc, 0) << r.json.serialize();
  EXPECT_EQ(r.json.at("policyDifferences").size(), 0u) << r.json.serialize();

  redis.Cli({"CONFIG", "SET", "appendfsync", "no"});
  r = Inspect(redis, "--policy " + policy_file);
  EXPECT_EQ(r.rc, 1);
  ASSERT_EQ(r.json.at("policyDifferences").size(), 1u) << r.json.serialize();
  EXPECT_EQ(r.json.at("policyDifferences")[0].as_string(), "appendfsync: redis has 'no', policy wants 'everysec'");
  EXPECT_EQ(Codes(r.json), std::vector<std::string>{"appendfsync-no"});
}

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice).
int FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool WaitForInfo(const RedisServer& redis, const std::string& field) {
  for (int i = 0; i < 600; ++i) {
    if (redis.Cli({"INFO", "persistence"}).find(field) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The guide's "last BGSAVE failed", from a real failed BGSAVE (its directory removed under it),
// read over TCP.
TEST(InspectRedis, OverTcpAFailedBgsaveIsAFinding) {
  TempDir dir;
  const int port = FreeTcpPort();
  RedisServer redis(dir.path(), {"port " + std::to_string(port), "bind 127.0.0.1", "appendonly no",
                                 "save \"3600 1\"", "enable-protected-configs yes"});
  const std::string gone = dir.File("gone");
  std::filesystem::create_directory(gone);
  redis.Cli({"CONFIG", "SET", "dir", gone});
  std::filesystem::remove(gone);
  redis.Cli({"BGSAVE"});
  ASSERT_TRUE(WaitForInfo(redis, "rdb_last_bgsave_status:err"));
  redis.Cli({"CONFIG", "SET", "dir", dir.path()});
  std::string out;
  const int rc = RunCommand(std::string(TIDEMARK_CLI) + " inspect --json --redis tcp://127.0.0.1:" +
                                std::to_string(port) + " 2>/dev/null",
                            &out);
  EXPECT_EQ(rc, 1) << out;
  auto j = web::json::value::parse(out);
  EXPECT_EQ(j.at("lastBgsaveStatus").as_string(), "err");
  EXPECT_EQ(Codes(j), (std::vector<std::string>{"aof-disabled", "bgsave-failed"})) << out;
}

// A BGSAVE of 5 s a key (rdb-key-save-delay): while its child runs, Redis starts no automatic AOF
// rewrite, so writes can take the AOF past its threshold. SHUTDOWN NOSAVE kills the child.
bool StartASlowBgsave(const RedisServer& redis) {
  redis.Cli({"CONFIG", "SET", "rdb-key-save-delay", "5000000"});
  redis.Cli({"BGSAVE"});
  return WaitForInfo(redis, "rdb_bgsave_in_progress:1");
}

// The guide's "AOF past its rewrite threshold": a BGSAVE that takes its time (rdb-key-save-delay)
// holds back Redis's own automatic rewrite while writes grow the AOF past 100% of its base.
TEST(InspectRedis, AnAofPastItsRewriteThresholdIsAFinding) {
  TempDir dir;
  RedisServer redis(dir.path(), {"appendonly no", "aof-use-rdb-preamble yes", "save \"3600 1\"",
                                 "auto-aof-rewrite-percentage 100", "auto-aof-rewrite-min-size 0"});
  // AOF switched on over data: its base holds a key (an empty base has no growth to measure).
  redis.Cli({"SET", "first", std::string(100, 'v')});
  redis.Cli({"CONFIG", "SET", "appendonly", "yes"});
  ASSERT_TRUE(WaitForInfo(redis, "aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0"));
  ASSERT_EQ(redis.Cli({"INFO", "persistence"}).find("aof_base_size:0\r"), std::string::npos);
  ASSERT_TRUE(StartASlowBgsave(redis));
  std::string writes;
  for (int i = 0; i < 50; ++i) writes += "SET key:" + std::to_string(i) + " " + std::string(100, 'x') + "\n";
  redis.Pipe(writes);
  InspectRun r = Inspect(redis);
  EXPECT_EQ(r.rc, 1) << r.json.serialize();
  EXPECT_EQ(Codes(r.json), std::vector<std::string>{"aof-past-rewrite-threshold"}) << r.json.serialize();
}

// A server started with AOF on and no AOF yet reports aof_base_size 0 until its first rewrite;
// Redis counts that base as 1 byte and rewrites once the AOF passes the minimum size, so inspect
// reports such an AOF too. A slow BGSAVE (a child running) holds Redis's own rewrite back.
TEST(InspectRedis, AnAofOverABaseOfZeroIsPastItsRewriteThreshold) {
  TempDir dir;
  // The minimum size stays high until the BGSAVE runs: else Redis rewrites at the first write.
  RedisServer redis(dir.path(), {"appendonly yes", "aof-use-rdb-preamble yes", "save \"3600 1\"",
                                 "auto-aof-rewrite-percentage 100", "auto-aof-rewrite-min-size 64mb"});
  redis.Cli({"SET", "first", std::string(100, 'v')});
  ASSERT_TRUE(StartASlowBgsave(redis));
  redis.Cli({"CONFIG", "SET", "auto-aof-rewrite-min-size", "0"});
  redis.Cli({"SET", "second", std::string(100, 'w')});
  ASSERT_NE(redis.Cli({"INFO", "persistence"}).find("aof_base_size:0\r"), std::string::npos)
      << redis.Cli({"INFO", "persistence"});
  InspectRun r = Inspect(redis);
  EXPECT_EQ(r.rc, 1) << r.json.serialize();
  EXPECT_EQ(r.json.at("aofBaseSize").as_integer(), 0) << r.json.serialize();
  EXPECT_EQ(Codes(r.json), std::vector<std::string>{"aof-past-rewrite-threshold"}) << r.json.serialize();
}

TEST(InspectRedis, PasswordFromAFileOrTheEnvironmentNeverTheCommandLine) {
  TempDir dir;
  RedisServer redis(dir.path());  // the helper PINGs without a password: set it afterwards
  redis.Cli({"CONFIG", "SET", "requirepass", "s3cret"});
  testing::WriteFile(dir.File("pw"), "s3cret\n");
  std::string out;
  EXPECT_EQ(Inspect(redis, "--password-file " + dir.File("pw")).json.at("connected").as_bool(), true);
  EXPECT_EQ(RunCommand("TIDEMARK_REDIS_PASSWORD=s3cret " + std::string(TIDEMARK_CLI) + " inspect --redis unix:" +
                           redis.socket() + " >/dev/null 2>&1"),
            1) << "connected (findings: no AOF)";
  EXPECT_EQ(Inspect(redis).rc, 2) << "no password: cannot read INFO";
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " inspect --redis unix:" + redis.socket() +
                       " --password s3cret >/dev/null 2>&1"),
            2);
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " inspect --redis unix:" + dir.File("nothing.sock") +
                       " >/dev/null 2>&1"),
            2);
  // Back to no password, so the helper can stop the server.
  RunCommand("REDISCLI_AUTH=s3cret redis-cli -s " + redis.socket() + " CONFIG SET requirepass '' >/dev/null 2>&1");
}

}  // namespace
}  // namespace tidemark
