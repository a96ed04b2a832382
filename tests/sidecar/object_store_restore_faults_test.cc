// The restore from the bucket reads the backup as one streamed GET (objstore::ObjectReader):
// with the real tidemark-sidecar binary, a real redis-server and s3rver behind fault_proxy.py,
// an encrypted backup whose GET is cut twice mid-body is resumed with ranged GETs of the same
// object and installed with the digest Redis had; cut more often than the retry budget (5
// attempts, the policy's default), the restore installs nothing and refuses to start empty.
#include <gtest/gtest.h>

#include <filesystem>

#include "sidecar/objstore/s3_client.h"
#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3rver.h"
#include "tests/sidecar/object_store_policy.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

class ObjectStoreRestoreFaults : public ::testing::Test {
 protected:
  ObjectStoreRestoreFaults() {
    WriteFile(tmp_.File("encryption-key"),
              "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  }

  std::string Policy(const std::string& resource, const std::string& endpoint) {
    return WriteObjectStorePolicy(
        tmp_, {resource, endpoint, "cut/ledger", "objectStore",
               R"({"keyId": "cut-key-1", "keyFile": ")" + tmp_.File("encryption-key") + "\"}"});
  }

  // Backs up a real Redis straight to s3rver; returns the data object's request target
  // ("/backups/cut/ledger/NAME.rdb.enc").
  std::string BackupDirect() {
    const std::string data = tmp_.File("source-data");
    std::filesystem::create_directory(data);
    RedisServer redis(data, {"appendonly no", "rdbcompression no"});
    // About 3 MB: the proxy cuts each broken answer at half its body.
    redis.Cli({"DEBUG", "POPULATE", "20000", "key", "128"});
    redis.Pipe("RPUSH q a b c\nHSET h f v\nZADD z 1 a 2 b\n");
    digest_ = redis.Digest();
    auto backup = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--policy",
                              Policy("ledger", s3_.endpoint())});
    EXPECT_EQ(backup.rc, 0) << backup.out << backup.err;
    redis.Stop();
    objstore::S3Config config;
    config.endpoint = s3_.endpoint();
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    auto client = objstore::S3Client::Create(std::move(config), sidecar::RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    auto objects = (*client)->ListObjects("cut/ledger/");
    EXPECT_TRUE(objects) << objects.error().ToString();
    for (const auto& o : objects ? *objects : std::vector<objstore::ListedObject>{})
      if (o.key.ends_with(".rdb.enc")) return "/backups/" + o.key;
    ADD_FAILURE() << "no data object in the bucket";
    return "";
  }

  SidecarRun RestoreViaProxy(const std::string& data) {
    std::filesystem::create_directory(data);
    return RunSidecar({"restore", "--data-dir", data, "--policy",
                       Policy("ledger-restored", "http://127.0.0.1:" + std::to_string(proxy_.port()))});
  }

  S3rver s3_;
  FaultProxy proxy_{s3_.port()};
  TempDir tmp_;
  std::string digest_;
};

TEST_F(ObjectStoreRestoreFaults, AGetCutTwiceMidBodyResumesAndInstallsTheSameDigest) {
  const std::string target = BackupDirect();
  ASSERT_FALSE(target.empty());
  proxy_.SetFaults("reset-response @GET " + target + "\nreset-response @GET " + target + "\n");
  const std::string data = tmp_.File("restored");
  auto restore = RestoreViaProxy(data);
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.AllLinesAreJson()) << restore.out;
  EXPECT_TRUE(restore.Logged("\"action\":\"installed-backup\"")) << restore.out;
  EXPECT_EQ(proxy_.LogLinesWith("GET " + target + " reset-response").size(), 2u);
  EXPECT_EQ(proxy_.LogLinesWith("GET " + target + " pass").size(), 1u);
  // The first GET is pinned to the ETag HEAD saw; both resumes ask for the rest of it.
  auto ranged = proxy_.LogLinesWith("ranged " + target + " ");
  ASSERT_EQ(ranged.size(), 3u);
  EXPECT_NE(ranged[0].find(" None if-match \""), std::string::npos) << ranged[0];
  for (size_t i = 1; i < ranged.size(); ++i)
    EXPECT_NE(ranged[i].find(" bytes="), std::string::npos) << ranged[i];
  RedisServer again(data, {"appendonly no"});
  EXPECT_EQ(again.Digest(), digest_);
}

TEST_F(ObjectStoreRestoreFaults, AGetCutBeyondTheRetryBudgetInstallsNothing) {
  const std::string target = BackupDirect();
  ASSERT_FALSE(target.empty());
  std::string rules;
  for (int i = 0; i < 5; ++i) rules += "reset-response @GET " + target + "\n";
  proxy_.SetFaults(rules);
  const std::string data = tmp_.File("restored");
  auto restore = RestoreViaProxy(data);
  EXPECT_NE(restore.rc, 0) << restore.out;
  EXPECT_TRUE(restore.Logged("\"msg\":\"backup skipped\"")) << restore.out;
  EXPECT_TRUE(restore.Logged("and 5 attempts")) << restore.out;
  EXPECT_FALSE(restore.Logged("\"action\":\"installed-backup\"")) << restore.out;
  EXPECT_EQ(proxy_.LogLinesWith("GET " + target + " reset-response").size(), 5u);
  EXPECT_TRUE(ListDir(data).empty()) << "a failed restore left files in the data directory";
}

}  // namespace
}  // namespace tidemark::testing
