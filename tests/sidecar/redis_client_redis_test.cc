// The sidecar's Redis client against a real redis-server: reply timeouts, the default and a
// per-command one (DEBUG DIGEST on millions of keys outlasts the default by minutes; a drill of
// the 1 GB benchmark dataset failed on it).
#include <gtest/gtest.h>

#include "sidecar/redis_client.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

using sidecar::RedisClient;
using sidecar::RedisReply;

constexpr int kShortMs = 300;

RedisClient ConnectTo(const RedisServer& redis) {
  auto endpoint = sidecar::ParseRedisEndpoint("unix:" + redis.socket());
  EXPECT_TRUE(endpoint.has_value());
  auto client = RedisClient::Connect(*endpoint, std::nullopt, kShortMs);
  EXPECT_TRUE(client.has_value()) << (client ? "" : client.error().ToString());
  return std::move(*client);
}

TEST(RedisClientTimeouts, ACommandSlowerThanTheDefaultTimeoutFailsAndBreaksTheConnection) {
  TempDir dir;
  RedisServer redis(dir.path());
  RedisClient client = ConnectTo(redis);
  auto slow = client.Command({"DEBUG", "SLEEP", "1"});
  ASSERT_FALSE(slow.has_value());
  EXPECT_NE(slow.error().ToString().find("DEBUG"), std::string::npos) << slow.error().ToString();
  auto next = client.Command({"PING"});
  ASSERT_FALSE(next.has_value()) << "a connection that timed out mid-reply must not be reused";
}

TEST(RedisClientTimeouts, APerCommandTimeoutWaitsForTheReplyThenTheDefaultAppliesAgain) {
  TempDir dir;
  RedisServer redis(dir.path());
  RedisClient client = ConnectTo(redis);
  auto slow = client.Command({"DEBUG", "SLEEP", "1"}, 60000);
  ASSERT_TRUE(slow.has_value()) << slow.error().ToString();
  EXPECT_EQ(slow->type, RedisReply::Type::kStatus);
  EXPECT_EQ(slow->str, "OK");
  auto again = client.Command({"DEBUG", "SLEEP", "1"});
  EXPECT_FALSE(again.has_value()) << "the default timeout must be back after the slow command";
}

}  // namespace
}  // namespace tidemark::testing
