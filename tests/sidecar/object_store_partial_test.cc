// backup.destinations: both, with the bucket refusing: `tidemark-sidecar run` and `backup` (the
// real binary) next to a real redis-server, the object store a real s3rver behind
// fault_proxy.py. A backup that reaches the volume but not the bucket is partial, never a plain
// success: /v1/status says lastResult "partial" with the failing destination in lastError and
// backup.destinations[], the metrics count it as tidemark_backups_total{result="partial"} and per
// destination (tidemark_backup_destination_*, what TidemarkBackupDestinationFailing compares),
// the log names the destination, the error and what to do; `backup` exits 4. The volume keeps
// its complete backup, the bucket holds nothing of it; the next backup that reaches the bucket
// clears it.
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
  // Backups finished so far, whatever their result.
  int BackupsDone() {
    const std::string m = Http(port_, "GET", "/metrics").body;
    int n = 0;
    for (const char* r : {"success", "partial", "failure"}) {
      const std::string series = "\ntidemark_backups_total{result=\"" + std::string(r) + "\"} ";
      if (auto at = m.find(series); at != std::string::npos) n += std::atoi(m.c_str() + at + series.size());
    }
    return n;
  }
  // Backs up on request and waits until the nth backup finished.
  void BackupAndWait(int nth, const RunningSidecar& sidecar) {
    auto posted = Http(port_, "POST", "/v1/backups");
    ASSERT_EQ(posted.status, 202) << posted.body;
    ASSERT_TRUE(WaitFor([&] { return BackupsDone() >= nth; }, 30000)) << sidecar.Log();
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
  EXPECT_NE(status.find("\"lastResult\":\"partial\",\"lastError\":\"backup "), std::string::npos)
      << status;
  EXPECT_NE(status.find("is on local, not on objectStore ("), std::string::npos) << status;
  EXPECT_NE(status.find("check the object store's endpoint"), std::string::npos) << status;
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
        "tidemark_backups_total{result=\"success\"} 1\n",
        "tidemark_backups_total{result=\"partial\"} 1\n",
        "tidemark_backups_total{result=\"failure\"} 0\n"})
    EXPECT_TRUE(HasMetric(line)) << line << Http(port_, "GET", "/metrics").body;
  EXPECT_FALSE(HasMetric("tidemark_backup_destination_last_failure_timestamp_seconds{destination=\"local\"}"));
  EXPECT_NE(sidecar.Log().find("backup incomplete: not every destination has it"), std::string::npos)
      << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("\"destination\":\"objectStore\",\"error\":\""), std::string::npos)
      << sidecar.Log();
  EXPECT_NE(sidecar.Log().find("\"next\":\"check the object store's endpoint"), std::string::npos)
      << sidecar.Log();
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
  EXPECT_NE(Status().find("\"lastResult\":\"success\",\"lastError\":null"), std::string::npos)
      << Status();
  EXPECT_NE(Status().find("{\"destination\":\"objectStore\",\"result\":\"success\",\"error\":null}"),
            std::string::npos)
      << Status();
  EXPECT_TRUE(HasMetric(
      "tidemark_backup_destination_results_total{destination=\"objectStore\",result=\"success\"} 2\n"));
  EXPECT_EQ(sidecar.Stop(), 0) << sidecar.Log();
}

TEST_F(ObjectStorePartial, TheBackupCommandExitsFourNamingTheDestinationThatMissedIt) {
  RedisServer redis(data_, {});
  redis.Cli({"DEBUG", "POPULATE", "300"});
  const std::string policy =
      WriteObjectStorePolicy(tmp_, {"cache", "http://127.0.0.1:" + std::to_string(proxy_.port()),
                                    "partial/cache", "both"});
  proxy_.SetFaults("status 403 AccessDenied @PUT\n");
  auto run = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_,
                         "--policy", policy});
  EXPECT_EQ(run.rc, 4) << run.out << run.err;
  EXPECT_TRUE(run.Logged("\"msg\":\"backup incomplete: not every destination has it\"")) << run.out;
  EXPECT_TRUE(run.Logged("\"destination\":\"objectStore\",\"error\":\"")) << run.out;
  EXPECT_TRUE(run.Logged("AccessDenied")) << run.out;
  EXPECT_TRUE(run.Logged("\"next\":\"check the object store's endpoint")) << run.out;
  // The last line is the verdict.
  const std::string last = run.out.substr(run.out.rfind('\n', run.out.size() - 2) + 1);
  EXPECT_NE(last.find("\"msg\":\"backup partial\""), std::string::npos) << last;
  EXPECT_NE(last.find("is on local, not on objectStore"), std::string::npos) << last;
  // The volume keeps its complete, verified backup; nothing of it in the bucket.
  std::vector<std::string> metadata;
  for (const auto& f : ListDir(store_))
    if (f.ends_with(".json")) metadata.push_back(f);
  ASSERT_EQ(metadata.size(), 1u) << ::testing::PrintToString(ListDir(store_));
  EXPECT_NE(ReadFile(store_ + "/" + metadata.front()).find("\"verified\":true"), std::string::npos);
  EXPECT_EQ(ListDir(s3_.storage_dir() + "/backups/partial/cache"), std::vector<std::string>{});
  EXPECT_EQ(proxy_.UploadsLeftOpen(), std::vector<std::string>{});

  // The bucket back: a plain success, exit 0.
  proxy_.SetFaults("");
  auto again = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_,
                           "--policy", policy});
  EXPECT_EQ(again.rc, 0) << again.out << again.err;
  EXPECT_FALSE(again.Logged("backup incomplete")) << again.out;
}

}  // namespace
}  // namespace tidemark::testing
