// The batched, lane-hashed digest (digest_batch.h) against a real redis-server's DEBUG DIGEST at
// every SHA-1 level this CPU runs, on a dataset shaped to reach the batch's edges: keys larger
// than a batch (their chains carried across flushes), elements of every padded length up to and
// past the longest a lane takes, expiring keys, and two databases.
#include <gtest/gtest.h>

#include "core/digest/dataset_digest.h"
#include "tests/core/digest/digest_every_level.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::RedisServer;
using testing::TempDir;

// More elements in one key than a batch holds, for each kind of chain.
constexpr int kBig = static_cast<int>(DigestBatch::kBatchElements) + 3000;

const char kFill[] = R"(
  local big = tonumber(ARGV[1])
  for i = 1, big do
    redis.call('RPUSH', 'biglist', 'item-' .. i)
    redis.call('HSET', 'bighash', 'f' .. i, string.rep('v', i % 700))
    redis.call('SADD', 'bigset', 'member-' .. i)
    redis.call('ZADD', 'bigzset', i * 0.25, 'zm-' .. i)
  end
  for i = 1, big / 4 do redis.call('XADD', 'bigstream', '*', 'sensor', i % 7, 'reading', string.rep('r', i % 90)) end
  for i = 0, 1200 do
    redis.call('SET', 's:' .. i, string.rep('x', i))
    if i % 3 == 0 then redis.call('PEXPIRE', 's:' .. i, 100000000) end
  end
  for i = 1, 400 do
    redis.call('HSET', 'h:' .. i, 'name', 'user' .. i, 'visits', i, 'bio', string.rep('b', i))
    redis.call('RPUSH', 'l:' .. i, 'a', i, string.rep('c', i * 2))
    redis.call('SADD', 'is:' .. i, i, i + 1, i * 3)
    redis.call('ZADD', 'z:' .. i, 1, 'a' .. i, 2.5, 'b' .. i, -i, string.rep('z', i))
  end
  redis.call('SELECT', 1)
  for i = 1, 300 do redis.call('SET', 'db1:' .. i, i) end
  return 1)";

TEST(DigestLanesRedis, EveryLevelGivesTheServersDigestAcrossBatchEdges) {
  TempDir dir;
  RedisServer redis(dir.path());
  ASSERT_EQ(redis.Cli({"EVAL", kFill, "0", std::to_string(kBig)}), "1");
  redis.Save();
  const std::string expected = redis.Digest();
  ASSERT_EQ(expected.size(), 40u) << expected;
  ASSERT_NE(expected, std::string(40, '0'));

  ForEachSha1Level(dir.File("dump.rdb"), [&](const RdbDigestResult& r) {
    EXPECT_EQ(r.digest, expected);
    EXPECT_EQ(r.dbs.at(0).keys, 5u + 1201u + 4u * 400u);
    EXPECT_EQ(r.dbs.at(1).keys, 300u);
  });
}

}  // namespace
}  // namespace tidemark
