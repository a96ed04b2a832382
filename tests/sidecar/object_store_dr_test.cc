// Disaster recovery from the bucket alone (docs/disaster-recovery.md), with a real redis-server,
// a real S3-compatible server (s3rver) and the real tidemark-sidecar binary: back up from one
// data directory to the bucket (encrypted, destinations objectStore: no backup volume at all),
// delete every local file, restore into a new data directory through a second policy naming the
// same bucket and prefix, and compare DEBUG DIGEST. Without the key, the restore refuses.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/objstore/s3rver.h"
#include "tests/sidecar/object_store_policy.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

class ObjectStoreDr : public ::testing::Test {
 protected:
  ObjectStoreDr() {
    WriteFile(tmp_.File("encryption-key"),
              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
  }

  // A sidecar policy as the operator renders it for `resource` (docs/policy.md).
  std::string Policy(const std::string& resource, bool with_key) {
    return WriteObjectStorePolicy(
        tmp_, {resource, s3_.endpoint(), "dr/ledger", "objectStore",
               with_key ? R"({"keyId": "dr-key-1", "keyFile": ")" + tmp_.File("encryption-key") + "\"}"
                        : "null"});
  }

  S3rver s3_;
  TempDir tmp_;
};

TEST_F(ObjectStoreDr, ANewDataDirectoryRestoresFromTheBucketAloneWithTheSameDigest) {
  const std::string old_data = tmp_.File("old-data");
  std::filesystem::create_directory(old_data);
  std::string digest;
  {
    RedisServer redis(old_data, {"appendonly no"});
    redis.Cli({"DEBUG", "POPULATE", "2000", "key", "32"});
    redis.Pipe("RPUSH q a b c\nHSET h f v\nZADD z 1 a 2 b\nSELECT 2\nSET other db\n");
    digest = redis.Digest();
    ASSERT_NE(digest, std::string(40, '0'));
    auto backup = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--policy",
                              Policy("ledger", true)});
    ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
    EXPECT_TRUE(backup.AllLinesAreJson()) << backup.out;
    EXPECT_TRUE(backup.Logged("s3://backups/dr/ledger/")) << backup.out;
    EXPECT_TRUE(backup.Logged(".rdb.enc")) << backup.out;
    redis.Stop();
  }
  // Everything local is gone: the data directory (and there never was a backup volume).
  std::filesystem::remove_all(old_data);

  // Without the key: refused, naming the key id, and Redis is not given an empty start.
  const std::string no_key_data = tmp_.File("no-key-data");
  std::filesystem::create_directory(no_key_data);
  auto refused = RunSidecar({"restore", "--data-dir", no_key_data, "--policy",
                             Policy("ledger-without-key", false)});
  EXPECT_NE(refused.rc, 0) << refused.out;
  EXPECT_TRUE(refused.Logged("\"msg\":\"backup skipped\"")) << refused.out;
  EXPECT_TRUE(refused.Logged("encrypted with key id 'dr-key-1'")) << refused.out;
  EXPECT_TRUE(ListDir(no_key_data).empty());

  // A new resource elsewhere, same bucket and prefix, with the key: restores on first start.
  const std::string new_data = tmp_.File("new-data");
  std::filesystem::create_directory(new_data);
  auto restore = RunSidecar({"restore", "--data-dir", new_data, "--policy",
                             Policy("ledger-restored", true)});
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.AllLinesAreJson()) << restore.out;
  EXPECT_TRUE(restore.Logged("\"action\":\"installed-backup\"")) << restore.out;
  EXPECT_TRUE(restore.Logged("s3://backups/dr/ledger/")) << restore.out;
  RedisServer again(new_data, {"appendonly no"});
  EXPECT_EQ(again.Digest(), digest);
}

}  // namespace
}  // namespace tidemark::testing
