// The operator and a real sidecar: tidemark-sidecar `run` next to a real redis-server, listening
// on 127.0.0.1, stands for pod 0's sidecar (the fake API server's pod has podIP 127.0.0.1; the
// operator is told the sidecar's port). Per-pod health in the status comes from its /v1/status,
// an unreachable sidecar shows as such, and the annotation tidemark.dev/backup-now gives exactly
// one backup per value, also across an operator restart.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/operator/controller/operator_fixture.h"
#include "tests/testing/redis_server.h"

namespace tidemark::controller {
namespace {

const char kPods[] = "/api/v1/namespaces/shop/pods";

class SidecarStatusTest : public OperatorTest {
 protected:
  // A pod of the resource "catalog" as the StatefulSet controller and kubelet would leave it.
  void AddPod(const std::string& name, const std::string& ip) {
    auto made = Call("POST", kPods,
                     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                         R"(","labels":{"app.kubernetes.io/name":"redis","app.kubernetes.io/instance":"catalog","app.kubernetes.io/managed-by":"tidemark-operator"}},"spec":{"containers":[{"name":"redis","image":"redis:7.0"}]}})",
                     "application/json");
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string status = ip.empty() ? R"({"status":{"phase":"Pending"}})"
                                          : R"({"status":{"phase":"Running","podIP":")" + ip +
                                                R"("}})";
    auto st = Call("PATCH", std::string(kPods) + "/" + name + "/status", status,
                   "application/merge-patch+json");
    ASSERT_EQ(st.status, 200) << st.body;
  }
  Json PodHealth(const std::string& pod) {
    Json rp = Get(std::string(kRp) + "catalog");
    if (!rp.has_field("status") || !rp.at("status").has_field("pods")) return Json::null();
    for (const auto& p : rp.at("status").at("pods").as_array())
      if (p.at("name").as_string() == pod) return p;
    return Json::null();
  }
  Json Request() {
    Json rp = Get(std::string(kRp) + "catalog");
    if (!rp.has_field("status") || !rp.at("status").has_field("backupRequest"))
      return Json::null();
    return rp.at("status").at("backupRequest");
  }
  void Annotate(const std::string& value) {
    auto r = Call("PATCH", std::string(kRp) + "catalog?fieldManager=kubectl",
                  R"({"metadata":{"annotations":{"tidemark.dev/backup-now":")" + value + R"("}}})",
                  "application/merge-patch+json");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Snapshots in the sidecar's store (each backup is one .rdb beside its metadata).
  size_t Backups() {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(store_))
      n += e.path().extension() == ".rdb";
    return n;
  }
  bool RequestIs(const std::string& value, const std::string& phase) {
    Json r = Request();
    return r.is_object() && r.at("value").as_string() == value &&
           r.at("phase").as_string() == phase;
  }
  std::string store_;
};

TEST_F(SidecarStatusTest, PodHealthAndOneBackupPerAnnotationValueThroughARealSidecar) {
  const std::string data = dir_.File("data");
  store_ = dir_.File("store");
  ::mkdir(data.c_str(), 0755);
  ::mkdir(store_.c_str(), 0755);
  testing::RedisServer redis(data);
  redis.Cli({"DEBUG", "POPULATE", "100"});
  const int port = testing::FreeLoopbackPort();
  auto sidecar = std::make_unique<ChildProcess>(
      TIDEMARK_SIDECAR,
      std::vector<std::string>{"run", "--redis", "unix:" + redis.socket(), "--store", store_,
                               "--listen", "127.0.0.1:" + std::to_string(port)},
      std::vector<std::string>{"POD_NAME=catalog-0"}, dir_.File("sidecar.log"));

  ApplyYaml("catalog",
            "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: catalog\n"
            "spec:\n  mode: rdb\n  workload:\n    replicas: 2\n  storage:\n"
            "    backup: {size: 1Gi}\n  backup:\n    schedule: \"0 3 * * *\"\n");
  AddPod("catalog-0", "127.0.0.1");
  AddPod("catalog-1", "");  // not scheduled yet
  const std::vector<std::string> flags = {"--sidecar-port=" + std::to_string(port),
                                          "--sidecar-timeout=1", "--resync-period=0.3"};
  auto op = StartOperator(Args(flags));

  // Health from the sidecar; the pod without an IP says so.
  ASSERT_TRUE(WaitFor(
      [&] {
        Json p0 = PodHealth("catalog-0"), p1 = PodHealth("catalog-1");
        return p0.is_object() && p0.has_field("redisUp") && p0.at("redisUp").as_bool() &&
               p0.at("reachable").as_bool() && p0.at("role").as_string() == "primary" &&
               p1.is_object() && !p1.at("reachable").as_bool();
      },
      std::chrono::seconds(20)))
      << op->Log() << sidecar->Log();
  EXPECT_NE(PodHealth("catalog-1").at("message").as_string().find("no IP yet"), std::string::npos);
  EXPECT_EQ(Backups(), 0u);

  // One backup for the value "first".
  Annotate("first");
  ASSERT_TRUE(WaitFor([&] { return RequestIs("first", "Succeeded"); }, std::chrono::seconds(30)))
      << op->Log() << sidecar->Log() << Request().serialize();
  EXPECT_EQ(Backups(), 1u);
  Json rp = Get(std::string(kRp) + "catalog");
  ASSERT_TRUE(rp.at("status").has_field("lastBackup")) << rp.serialize();
  EXPECT_NE(Request().at("message").as_string().find(
                rp.at("status").at("lastBackup").at("name").as_string()),
            std::string::npos);
  EXPECT_EQ(AwaitEvents("catalog", "BackupRequested", "Normal", 1), 1);
  EXPECT_EQ(AwaitEvents("catalog", "BackupSucceeded", "Normal", 1), 1);

  // A restarted operator relists everything and does not ask again for the same value.
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
  op = StartOperator(Args(flags), "op-b", "operator-b.log");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_NE(op->Log().find("caches synced"), std::string::npos) << op->Log();
  EXPECT_EQ(Backups(), 1u) << op->Log();
  EXPECT_TRUE(RequestIs("first", "Succeeded"));
  EXPECT_EQ(AwaitEvents("catalog", "BackupRequested", "", 1), 1);

  // A new value: one more.
  Annotate("second");
  ASSERT_TRUE(WaitFor([&] { return RequestIs("second", "Succeeded"); }, std::chrono::seconds(30)))
      << op->Log() << sidecar->Log();
  EXPECT_EQ(Backups(), 2u);

  // The sidecar stops: its pod is unreachable, and nothing it said before is shown as current.
  EXPECT_EQ(sidecar->Terminate(), 0) << sidecar->Log();
  ASSERT_TRUE(WaitFor(
      [&] {
        Json p0 = PodHealth("catalog-0");
        return p0.is_object() && !p0.at("reachable").as_bool() && !p0.has_field("redisUp");
      },
      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_NE(PodHealth("catalog-0").at("message").as_string().find("did not answer"),
            std::string::npos)
      << PodHealth("catalog-0").serialize();
  Json config = Condition(Get(std::string(kRp) + "catalog"), "ConfigApplied");
  EXPECT_EQ(config.at("reason").as_string(), "SidecarUnreachable") << op->Log();
  EXPECT_TRUE(op->Running());

  // A value asked while pod 0 cannot be reached waits as Requested, and is done once it can.
  Annotate("third");
  // The claim ("claimed by the operator") is written before the sidecar is asked, so the
  // phase alone is not the answer: wait until the failed ask is recorded.
  ASSERT_TRUE(WaitFor(
      [&] {
        Json r = Request();
        return r.is_object() && r.at("value").as_string() == "third" &&
               r.at("phase").as_string() == "Requested" &&
               r.at("message").as_string().find("could not be asked") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << op->Log() << Request().serialize();
  sidecar = std::make_unique<ChildProcess>(
      TIDEMARK_SIDECAR,
      std::vector<std::string>{"run", "--redis", "unix:" + redis.socket(), "--store", store_,
                               "--listen", "127.0.0.1:" + std::to_string(port)},
      std::vector<std::string>{"POD_NAME=catalog-0"}, dir_.File("sidecar2.log"));
  ASSERT_TRUE(WaitFor([&] { return RequestIs("third", "Succeeded"); }, std::chrono::seconds(30)))
      << op->Log() << sidecar->Log();
  EXPECT_EQ(Backups(), 3u);
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

}  // namespace
}  // namespace tidemark::controller
