// kubectl-tidemark restore, verify and drill. restore: what it prints before changing anything,
// that nothing changes without the confirmation, and the requests it makes once confirmed
// (the spec's restore.source, then pod 0 deleted by uid; with --backup the data claim first).
// verify: a real sidecar verifies the real files of a real Redis, and a corrupt file fails with
// its offset. drill: a real drill of a real backup by the real sidecar, started and followed
// through the proxy, its result printed and turned into the exit code.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/kubectl-plugin/plugin_fixture.h"
#include "tests/testing/redis_server.h"

namespace tidemark::kubectl {
namespace {

class PluginRestoreVerifyTest : public PluginTest {
 protected:
  // Redis with data, a sidecar on its data directory, the resource and pod 0.
  void StartPod(const std::string& mode) {
    data_ = dir_.File("data");
    store_ = dir_.File("store");
    ::mkdir(data_.c_str(), 0755);
    ::mkdir(store_.c_str(), 0755);
    redis_ = std::make_unique<testing::RedisServer>(
        data_,
        mode == "hybrid" ? std::vector<std::string>{"appendonly yes"} : std::vector<std::string>{});
    redis_->Cli({"DEBUG", "POPULATE", "50"});
    redis_->Save();
    port_ = testing::FreeLoopbackPort();
    sidecar_ = std::make_unique<testing::ChildProcess>(
        TIDEMARK_SIDECAR,
        std::vector<std::string>{"run", "--redis", "unix:" + redis_->socket(), "--store", store_,
                                 "--data-dir", data_, "--listen",
                                 "127.0.0.1:" + std::to_string(port_)},
        std::vector<std::string>{"POD_NAME=catalog-0"}, dir_.File("sidecar.log"));
    ApplyYaml("catalog",
              "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n"
              "  name: catalog\nspec:\n  mode: " +
                  mode +
                  "\n  storage:\n    backup: {size: 1Gi}\n  backup:\n"
                  "    schedule: \"0 3 * * *\"\n");
    AddPod("catalog", "catalog-0", "127.0.0.1", port_);
    ASSERT_TRUE(WaitFor(
        [&] {
          return Plugin({"backups", "catalog"}).exit_code == 0;
        },
        std::chrono::seconds(15)))
        << sidecar_->Log();
  }
  // A backup through pod 0's sidecar, by the proxy (the operator is not running); waits for it.
  void TakeBackup(size_t expected_count = 1) {
    auto posted = Call("POST", "/api/v1/namespaces/shop/pods/catalog-0:" +
                                   std::to_string(port_) + "/proxy/v1/backups");
    ASSERT_EQ(posted.status, 202) << posted.body;
    ASSERT_TRUE(WaitFor(
        [&] {
          PluginRun b = Plugin({"backups", "catalog", "-o", "json"});
          return b.exit_code == 0 && Json::parse(b.out).at("items").size() == expected_count;
        },
        std::chrono::seconds(20)))
        << sidecar_->Log();
  }
  // The sidecar's GET /v1/status, by the proxy.
  Json SidecarStatus() {
    auto got = Call("GET", "/api/v1/namespaces/shop/pods/catalog-0:" + std::to_string(port_) +
                               "/proxy/v1/status");
    return got.status == 200 ? Json::parse(got.body) : Json::null();
  }
  Json Source() {
    Json rp = Get(std::string(controller::kRp) + "catalog");
    return rp.at("spec").has_field("restore") ? rp.at("spec").at("restore").at("source")
                                              : Json::null();
  }
  int Deletes(const std::string& resource) {
    int n = 0;
    for (const auto& r : server_->Requests())
      n += r.user == "alice" && r.verb == "delete" && r.resource == resource;
    return n;
  }

  std::string data_, store_;
  int port_ = 0;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::ChildProcess> sidecar_;
};

TEST_F(PluginRestoreVerifyTest, VerifyReportsEachFileAndFindsCorruption) {
  StartPod("rdb");
  PluginRun r = Plugin({"verify", "catalog", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json report = Json::parse(r.out).at("pods").at(0);
  EXPECT_TRUE(report.at("valid").as_bool());
  ASSERT_EQ(report.at("files").size(), 1u) << r.out;
  EXPECT_EQ(report.at("files").at(0).at("keys").as_integer(), 50);
  EXPECT_EQ(report.at("files").at(0).at("kind").as_string(), "rdb");

  // A second RDB file with one byte flipped in its middle: found, with where.
  std::ifstream in(data_ + "/dump.rdb", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  bytes[bytes.size() / 2] ^= 0x5a;
  testing::WriteFile(data_ + "/copy.rdb", bytes);
  r = Plugin({"verify", "catalog"});
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_NE(r.out.find("PROBLEMS FOUND"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("copy.rdb"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("do not verify"), std::string::npos) << r.err;
}

TEST_F(PluginRestoreVerifyTest, RestoreToATimeShowsThePlanAndChangesNothingUnconfirmed) {
  StartPod("hybrid");
  PluginRun r = Plugin({"backup", "catalog"});  // the operator is not running: only annotated
  ASSERT_EQ(r.exit_code, 0) << r.err;
  TakeBackup();  // the fallback snapshot of the plan
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // T after the backup's second
  const std::string t = [] {
    char buf[32];
    std::time_t now = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return std::string(buf);
  }();

  r = Plugin({"restore", "catalog", "--to-time", t});  // stdin is empty: not confirmed
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
  for (const char* part :
       {"Restore shop/catalog to the state at", "pointInTime: ", "Pod catalog-0 is deleted",
        "appendonlydir.before-pitr-", "(now: latest)", "kept"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_TRUE(Source().is_null());
  EXPECT_EQ(Deletes("pods"), 0);

  // Wrong requests are refused before anything changes.
  r = Plugin({"restore", "catalog", "--backup", "20990101T000000Z-00000000", "--yes"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no backup named"), std::string::npos) << r.err;
  r = Plugin({"restore", "catalog", "--to-time", "yesterday", "--yes"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = Plugin({"restore", "catalog"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Source().is_null());

  // Confirmed: the spec names T, and once the operator has seen the change (here the test plays
  // the operator: observedGeneration), pod 0 is deleted, precondition its uid.
  std::thread operator_stand_in([&] {
    WaitFor([&] { return Source().is_object(); }, std::chrono::seconds(20));
    Json rp = Get(std::string(controller::kRp) + "catalog");
    const auto generation = rp.at("metadata").at("generation").as_integer();
    Call("PATCH", std::string(controller::kRp) + "catalog/status",
         R"({"status":{"observedGeneration":)" + std::to_string(generation) + "}}",
         "application/merge-patch+json");
  });
  r = Plugin({"restore", "catalog", "--to-time", t, "--yes", "--timeout", "30s"});
  operator_stand_in.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Source().at("type").as_string(), "pointInTime");
  EXPECT_EQ(Source().at("pointInTime").as_string(), t);
  EXPECT_EQ(Deletes("pods"), 1);
  EXPECT_EQ(Deletes("persistentvolumeclaims"), 0);
  EXPECT_TRUE(Get("/api/v1/namespaces/shop/pods/catalog-0").is_null());
  EXPECT_NE(r.err.find("afterwards set the source back"), std::string::npos) << r.err;
}

TEST_F(PluginRestoreVerifyTest, DrillStartsADrillOnTheSidecarBehindTheProxy) {
  StartPod("rdb");
  TakeBackup();
  PluginRun r = Plugin({"drill", "catalog"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("drill queued on catalog-0"), std::string::npos) << r.out;
  // The sidecar really ran it: its status records the drill of that backup.
  Json drill;
  ASSERT_TRUE(WaitFor(
      [&] {
        Json status = SidecarStatus();
        if (!status.is_object() || status.at("lastDrill").is_null()) return false;
        drill = status.at("lastDrill");
        return true;
      },
      std::chrono::seconds(30)))
      << sidecar_->Log();
  EXPECT_EQ(drill.at("result").as_string(), "success") << drill.serialize();
  EXPECT_EQ(drill.at("keys").as_integer(), 50);
  bool proxied = false;
  for (const auto& req : server_->Requests())
    proxied |= req.user == "alice" && req.verb == "create" && req.resource == "pods/proxy";
  EXPECT_TRUE(proxied);
}

TEST_F(PluginRestoreVerifyTest, DrillWaitFollowsTheDrillAndPrintsItsResult) {
  StartPod("rdb");
  TakeBackup();
  const std::string backup =
      Json::parse(Plugin({"backups", "catalog", "-o", "json"}).out).at("items").at(0).at("name")
          .as_string();
  PluginRun r = Plugin({"drill", "catalog", "--wait", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json drill = Json::parse(r.out).at("lastDrill");
  EXPECT_EQ(drill.at("result").as_string(), "success");
  EXPECT_EQ(drill.at("backup").as_string(), backup);
  EXPECT_EQ(drill.at("keys").as_integer(), 50);
  EXPECT_EQ(drill.at("expectedDigest").as_string(), drill.at("actualDigest").as_string());
  EXPECT_NE(r.err.find("drill queued on catalog-0"), std::string::npos) << r.err;

  // The text screen of a second drill: a new record, newer than the one before.
  r = Plugin({"drill", "catalog", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* part : {"drill on catalog-0: success", "keys          50", "digest        equal",
                           "load          "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_NE(r.out.find(backup), std::string::npos) << r.out;
}

TEST_F(PluginRestoreVerifyTest, DrillWaitExitCodeFollowsTheResult) {
  StartPod("rdb");
  // No backup yet: the sidecar skips the drill (exit 10).
  PluginRun r = Plugin({"drill", "catalog", "--wait"});
  EXPECT_EQ(r.exit_code, 10) << r.err << r.out;
  EXPECT_NE(r.err.find("skipped: the store holds no backup"), std::string::npos) << r.err;

  // A backup whose snapshot was altered in the store: the drill fails (exit 1) and says why.
  TakeBackup();
  bool altered = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(store_)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".rdb") continue;
    std::string bytes = testing::ReadFile(entry.path().string());
    bytes[bytes.size() / 2] ^= 0x5a;
    testing::WriteFile(entry.path().string(), bytes);
    altered = true;
  }
  ASSERT_TRUE(altered) << "no .rdb file in the store " << store_;
  r = Plugin({"drill", "catalog", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_NE(r.out.find("drill on catalog-0: failure"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("the drill on catalog-0 failed: "), std::string::npos) << r.err;

}

}  // namespace
}  // namespace tidemark::kubectl
