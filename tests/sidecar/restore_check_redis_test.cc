// The restore proof's question to Redis (sidecar/restore_check.h) against a real redis-server:
// one that refuses DEBUG, one that gives no answer in time (stopped with SIGSTOP), one that
// answers.
#include <signal.h>

#include <gtest/gtest.h>

#include "sidecar/restore_check.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

using sidecar::AskDatasetDigest;
using sidecar::RedisClient;
using sidecar::RestoreCheck;

RedisClient ConnectTo(const RedisServer& redis) {
  auto endpoint = sidecar::ParseRedisEndpoint("unix:" + redis.socket());
  EXPECT_TRUE(endpoint.has_value());
  auto client = RedisClient::Connect(*endpoint, std::nullopt);
  EXPECT_TRUE(client.has_value()) << (client ? "" : client.error().ToString());
  return std::move(*client);
}

pid_t ServerPid(const RedisServer& redis) {
  const std::string info = redis.Cli({"INFO", "server"});
  const auto at = info.find("process_id:");
  return at == std::string::npos ? -1 : std::stoi(info.substr(at + 11));
}

// Stops the server until it goes out of scope, whatever the test's assertions did.
class Stopped {
 public:
  explicit Stopped(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Stopped() { ::kill(pid_, SIGCONT); }

 private:
  pid_t pid_;
};

TEST(RestoreCheck, ARedisThatRefusesDebugMakesTheCheckUnverifiable) {
  TempDir dir;
  RedisServer redis(dir.path(), {"enable-debug-command no"});
  RedisClient client = ConnectTo(redis);
  RestoreCheck check;
  EXPECT_FALSE(AskDatasetDigest(client, 5000, check).has_value());
  EXPECT_EQ(check.result, "unverifiable");
  EXPECT_EQ(check.reason,
            "DEBUG command disabled (enable-debug-command): cannot compare the dataset digest");
  EXPECT_EQ(check.actual, "");
  auto ping = client.Command({"PING"});  // an error reply leaves the connection usable
  ASSERT_TRUE(ping) << ping.error().ToString();
}

TEST(RestoreCheck, NoAnswerInTimeIsUnverifiableAndHandsBackTheBrokenConnection) {
  TempDir dir;
  RedisServer redis(dir.path());
  RedisClient client = ConnectTo(redis);
  const pid_t pid = ServerPid(redis);
  ASSERT_GT(pid, 0);
  RestoreCheck check;
  std::optional<Error> lost;
  {
    Stopped stopped(pid);
    lost = AskDatasetDigest(client, 300, check);
  }
  ASSERT_TRUE(lost.has_value()) << "a digest that did not answer must hand back the connection's error";
  EXPECT_EQ(lost->code, ErrorCode::kIo) << lost->ToString();
  EXPECT_EQ(check.result, "unverifiable");
  EXPECT_NE(check.reason.find("DEBUG DIGEST gave no answer within 300 ms: "), std::string::npos)
      << check.reason;
  EXPECT_NE(check.reason.find(lost->ToString()), std::string::npos) << check.reason;
  EXPECT_EQ(check.actual, "");
}

TEST(RestoreCheck, AnAnswerFillsTheActualDigestAndLeavesTheResultToTheComparison) {
  TempDir dir;
  RedisServer redis(dir.path());
  redis.Cli({"DEBUG", "POPULATE", "100"});
  RedisClient client = ConnectTo(redis);
  RestoreCheck check;
  EXPECT_FALSE(AskDatasetDigest(client, 5000, check).has_value());
  EXPECT_EQ(check.result, "");
  EXPECT_EQ(check.actual, redis.Digest());
  EXPECT_EQ(check.actual.size(), 40u);
}

}  // namespace
}  // namespace tidemark::testing
