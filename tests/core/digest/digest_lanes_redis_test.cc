// The batched, lane-hashed digest (digest_batch.h) against a real redis-server's DEBUG DIGEST at
// every SHA-1 level this CPU runs, and with the batches hashed on a BackgroundThread as the
// backup does, on a dataset shaped to reach the batch's edges (batch_edge_dataset.h).
#include <gtest/gtest.h>

#include "core/digest/dataset_digest.h"
#include "tests/core/digest/batch_edge_dataset.h"
#include "tests/core/digest/digest_every_level.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::RedisServer;
using testing::TempDir;

TEST(DigestLanesRedis, EveryLevelGivesTheServersDigestAcrossBatchEdges) {
  TempDir dir;
  RedisServer redis(dir.path());
  ASSERT_EQ(redis.Cli(testing::BatchEdgeFillCommand()), "1");
  redis.Save();
  const std::string expected = redis.Digest();
  ASSERT_EQ(expected.size(), 40u) << expected;
  ASSERT_NE(expected, std::string(40, '0'));

  ForEachSha1Level(dir.File("dump.rdb"), [&](const RdbDigestResult& r) {
    EXPECT_EQ(r.digest, expected);
    EXPECT_EQ(r.dbs.at(0).keys, testing::kBatchEdgeKeysDb0);
    EXPECT_EQ(r.dbs.at(1).keys, testing::kBatchEdgeKeysDb1);
  });
}

}  // namespace
}  // namespace tidemark
