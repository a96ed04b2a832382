// backup.destinations: both, with the bucket refusing: `tidemark-sidecar run` (the real binary)
// next to a real redis-server, its object store a real s3rver behind fault_proxy.py. A backup that
// reaches the volume but not the bucket succeeds as a backup and shows, per destination, in
// /v1/status (backup.destinations[]), in the metrics (tidemark_backup_destination_*, what
// TidemarkBackupDestinationFailing compares) and in the log; the bucket holds nothing of it; the
// next backup that reaches the bucket clears it.
#include <gtest/gtest.h>

#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3rver.h"
#include "tests/sidecar/object_store_policy.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

class ObjectStorePartial : public WithDataAndStore<> {
 protected:
  bool HasMetric(const std::string& line) {
    return Http(port_, "GET", "/metrics").body.find("\n" + line) != std::string::npos;
  }
  std::string Status() { return Http(port_, "GET", "/v1/status").body; }
  // Backs up on request and waits until the status shows a new lastResult.
  void BackupAndWait(int nth, const RunningSidecar& sidecar) {
    auto posted = Http(port_, "POST", "/v1/backups");
    ASSERT_EQ(posted.status, 202) << posted.body;
    ASSERT_TRUE(WaitFor(
        [&] {
          return HasMetric("tidemark_backups_total{result=\"success\"} " + std::to_string(nth)) ||
                 HasMetric("tidemark_backups_total{result=\"failure\"} 1");
        },
        30000))
        << sidecar.Log();
  }

  S3rver s3_;
  FaultProxy proxy_{s3_.port(), {"", "", s3_.storage_dir()}};
  int port_ = FreePort();
};

TEST_F(ObjectStorePartial, ABackupTheBucketRefusedShowsPerDestinationAndClearsWithTheNext) {
  RedisServer redis(data_, {});
  redis.Cli({"DEBUG", "POPULATE", "500"});
  const std::string policy =
      WriteObjectStorePolicy(tmp_, {"cache", "http://127.0.0.1:" + std::to_string(proxy_.port()),
                                    "partial/cache", "both"});
  RunningSidecar sidecar({"--redis", "unix:" + redis.socket(), "--store", store_,
                          "--policy", policy, "--listen", "127.0.0.1:" + std::to_string(port_)},
                         tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port_, "GET", "/readyz").status == 200; }, 10000))
      << sidecar.Log();
  EXPECT_NE(Status().find("\"destinations\":[]"), std::string::npos) << Status();

  BackupAndWait(1, sidecar);
  EXPECT_NE(Status().find("\"destinations\":[{\"destination\":\"local\",\"result\":\"success\","
                          "\"error\":null},{\"destination\":\"objectStore\",\"result\":"
                          "\"success\",\"error\":null}]"),
            std::string::npos)
      << Status();

  // The credentials are revoked: every PUT refused (403 is not retried).
  proxy_.SetFaults("status 403 AccessDenied @PUT\n");
  BackupAndWait(2, sidecar);
  const std::string status = Status();
  EXPECT_NE(status.find("\"lastResult\":\"success\""), std::string::npos) << status;
  EXPECT_NE(status.find("{\"destination\":\"local\",\"result\":\"success\",\"error\":null}"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("{\"destination\":\"objectStore\",\"result\":\"failure\",\"error\":\""),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("AccessDenied"), std::string::npos) << status;
  for (const char* line :
       {"tidemark_backup_destination_results_total{destination=\"local\",result=\"success\"} 2\n",
        "tidemark_backup_destination_results_total{destination=\"objectStore\",result=\"success\"} 1\n",
        "tidemark_backup_destination_results_total{destination=\"objectStore\",result=\"failure\"} 1\n",
        "tidemark_backup_destination_results_total{destination=\"local\",result=\"failure\"} 0\n",
        "tidemark_backup_destination_last_failure_timestamp_seconds{destination=\"objectStore\"} ",
        "tidemark_backups_total{result=\"success\"} 2\n"})
    EXPECT_TRUE(HasMetric(line)) << line << Http(port_, "GET", "/metrics").body;
  EXPECT_FALSE(HasMetric("tidemark_backup_destination_last_failure_timestamp_seconds{destination=\"local\"}"));
  EXPECT_NE(sidecar.Log().find("backup incomplete: not every destination has it"), std::string::npos)
      << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("\"destination\":\"objectStore\""), std::string::npos) << sidecar.Log();
  // The volume has both backups, the bucket the first alone, and no upload is left open.
  size_t local = 0;
  for (const auto& f : ListDir(store_)) local += f.ends_with(".json");
  EXPECT_EQ(local, 2u);
  const auto bucket = ListDir(s3_.storage_dir() + "/backups/partial/cache");
  EXPECT_EQ(std::count_if(bucket.begin(), bucket.end(),
                          [](const std::string& f) { return f.ends_with(".json._S3rver_object"); }),
            1)
      << ::testing::PrintToString(bucket);
  EXPECT_EQ(proxy_.UploadsLeftOpen(), std::vector<std::string>{});

  proxy_.SetFaults("");
  BackupAndWait(3, sidecar);
  EXPECT_NE(Status().find("{\"destination\":\"objectStore\",\"result\":\"success\",\"error\":null}"),
            std::string::npos)
      << Status();
  EXPECT_TRUE(HasMetric(
      "tidemark_backup_destination_results_total{destination=\"objectStore\",result=\"success\"} 2\n"));
  EXPECT_EQ(sidecar.Stop(), 0) << sidecar.Log();
}

}  // namespace
}  // namespace tidemark::testing
