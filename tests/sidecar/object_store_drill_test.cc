// backup.destinations: objectStore (no backup volume): a drill of `tidemark-sidecar run` (the real
// binary, next to a real redis-server) reads the backup from the bucket of a real s3rver —
// download, SHA-256, load into a scratch redis-server, digest compared — instead of reporting
// "the store holds no backup" while the bucket holds every backup. The local store directory
// stays empty: nothing is drilled from it, nothing is written to it.
#include <gtest/gtest.h>

#include "tests/objstore/s3rver.h"
#include "tests/sidecar/object_store_policy.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

class ObjectStoreDrill : public WithDataAndStore<> {
 protected:
  std::string Status() { return Http(port_, "GET", "/v1/status").body; }
  S3rver s3_;
  int port_ = FreePort();
};

TEST_F(ObjectStoreDrill, ABucketOnlyBackupIsDrilledFromTheBucket) {
  RedisServer redis(data_, {});
  redis.Pipe("SET a 1\nRPUSH l x y\nSELECT 2\nSET b 2\n");
  const std::string policy = WriteObjectStorePolicy(
      tmp_, {"cache", "http://127.0.0.1:" + std::to_string(s3_.port()), "drill/cache",
             "objectStore"});
  const std::string work = tmp_.File("work");
  ::mkdir(work.c_str(), 0755);
  RunningSidecar sidecar({"--redis", "unix:" + redis.socket(), "--store", store_, "--policy",
                          policy, "--work-dir", work, "--listen",
                          "127.0.0.1:" + std::to_string(port_)},
                         tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 10000))
      << sidecar.Log();
  auto posted = Http(port_, "POST", "/v1/backups");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_TRUE(WaitFor([&] { return Status().find("\"lastResult\":\"success\"") != std::string::npos; },
                      30000))
      << Status() << sidecar.Log();

  posted = Http(port_, "POST", "/v1/drills");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_TRUE(WaitFor([&] { return Status().find("\"lastDrill\":{") != std::string::npos; }, 30000))
      << Status() << sidecar.Log();
  const std::string status = Status();
  EXPECT_NE(status.find("\"result\":\"success\",\"reason\":null,\"keys\":3,"), std::string::npos)
      << status << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("\"destination\":\"objectStore\""), std::string::npos)
      << sidecar.Log();
  EXPECT_EQ(ListDir(store_), std::vector<std::string>{}) << "the volume is not a destination";
  EXPECT_EQ(ListDir(work), std::vector<std::string>{}) << "the scratch directory is removed";
}

}  // namespace
}  // namespace tidemark::testing
