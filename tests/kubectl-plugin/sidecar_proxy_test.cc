// kubectl-tidemark end to end on real parts: a real redis-server with data, the real sidecar
// (`tidemark-sidecar run`) standing for pod 0's sidecar behind the fake API server's pod proxy,
// and the real operator turning the plugin's backup request into a backup. The plugin user holds
// only the permissions docs/kubectl-plugin.md lists.
#include <sys/stat.h>

#include <thread>

#include "tests/kubectl-plugin/plugin_fixture.h"
#include "tests/testing/redis_server.h"

namespace tidemark::kubectl {
namespace {

class PluginSidecarTest : public PluginTest {};

TEST_F(PluginSidecarTest, StatusBackupsAndBackupWaitThroughThePodProxy) {
  const std::string data = dir_.File("data"), store = dir_.File("store");
  ::mkdir(data.c_str(), 0755);
  ::mkdir(store.c_str(), 0755);
  testing::RedisServer redis(data);
  redis.Cli({"DEBUG", "POPULATE", "100"});
  const int port = testing::FreeLoopbackPort();
  testing::ChildProcess sidecar(TIDEMARK_SIDECAR,
                                {"run", "--redis", "unix:" + redis.socket(), "--store", store,
                                 "--listen", "127.0.0.1:" + std::to_string(port)},
                                {"POD_NAME=catalog-0"}, dir_.File("sidecar.log"));
  ApplyYaml(
      "catalog",
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: catalog\n"
      "spec:\n  mode: hybrid\n  aof:\n    rewrite:\n      maxSize: 2Gi\n  storage:\n"
      "    backup: {size: 1Gi}\n  backup:\n    schedule: \"0 3 * * *\"\n");
  AddPod("catalog", "catalog-0", "127.0.0.1", port);
  auto op = StartOperator(Args(
      {"--sidecar-port=" + std::to_string(port), "--sidecar-timeout=1", "--resync-period=0.3"}));
  ASSERT_TRUE(WaitFor(
      [&] {
        return Plugin({"backups", "catalog"}).exit_code == 0;
      },
      std::chrono::seconds(15)))
      << sidecar.Log();

  PluginRun r = Plugin({"backups", "catalog", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out).at("items").size(), 0u) << r.out;

  // backup --wait: annotation, operator, sidecar, status; progress on stderr.
  r = Plugin({"backup", "catalog", "--wait", "--timeout", "60s"});
  ASSERT_EQ(r.exit_code, 0) << r.err << op->Log() << sidecar.Log();
  EXPECT_NE(r.err.find("Succeeded"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("completed at"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("100 keys, verified"), std::string::npos) << r.out;

  const std::string first = Json::parse(Plugin({"backups", "catalog", "-o", "json"}).out)
                                .at("items")
                                .at(0)
                                .at("name")
                                .as_string();
  EXPECT_NE(r.out.find("backup " + first + " completed at"), std::string::npos) << r.out;
  r = Plugin({"backups", "catalog", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json backups = Json::parse(r.out);
  ASSERT_EQ(backups.at("items").size(), 1u) << r.out;
  EXPECT_EQ(backups.at("items").at(0).at("keys").as_integer(), 100);
  EXPECT_TRUE(backups.at("items").at(0).at("verified").as_bool());
  EXPECT_EQ(backups.at("store").as_string(),
            "volume claim backup-catalog-0, mounted at /backup in catalog-0");

  // A second backup: newest first (times are whole seconds: the second one starts a second later).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = Plugin({"backup", "catalog", "--wait", "--timeout", "60s", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << op->Log();
  const Json made = Json::parse(r.out);
  const std::string second = made.at("name").as_string();
  EXPECT_EQ(made.at("keys").as_integer(), 100) << r.out;
  EXPECT_TRUE(made.at("verified").as_bool()) << r.out;
  r = Plugin({"backups", "catalog", "-o", "yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("items:\n- createdAt: "), std::string::npos) << r.out;
  ASSERT_NE(r.out.find("name: " + second), std::string::npos) << r.out;
  EXPECT_LT(r.out.find("name: " + second), r.out.find("name: " + first)) << r.out;

  // status: policy in force, the pod's live sidecar status, backups, conditions.
  r = Plugin({"status", "catalog", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json view = Json::parse(r.out);
  EXPECT_EQ(view.at("policy").at("mode").as_string(), "hybrid");
  EXPECT_EQ(view.at("policy").at("aof").at("rewrite").at("maxSize").as_string(), "2Gi");
  EXPECT_EQ(view.at("policy").at("savePoints").size(), 3u);
  EXPECT_TRUE(view.at("pods").at(0).at("sidecar").at("redis").at("up").as_bool()) << r.out;
  EXPECT_EQ(view.at("backups").at("items").size(), 2u);
  EXPECT_EQ(view.at("status").at("lastBackup").at("name").as_string(), second);
  EXPECT_GT(view.at("status").at("conditions").size(), 0u);

  r = Plugin({"status", "catalog"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part :
       {"catalog in namespace shop", "Policy", "hybrid", "fsync everysec", "cap 2Gi", "Pods",
        "catalog-0", "primary", "Backups", second.c_str(), "Conditions", "BackupHealthy"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "colour when piped";
  r = Plugin({"status", "--color", "always"});  // every resource of the namespace
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\x1b[1m"), std::string::npos);
  EXPECT_NE(r.out.find("catalog-0"), std::string::npos);

  // Everything the plugin did was within the documented permissions (the fake refuses others
  // with 403, so success proves it) and went through the proxy, never to a pod IP.
  bool proxied = false;
  for (const auto& req : server_->Requests())
    if (req.user == "alice" && req.resource == "pods/proxy") proxied = true;
  EXPECT_TRUE(proxied);
}

// The status screen names a drill's load time for what it tells a person: the expected
// recovery time of that backup. The operator writes status.lastDrill from its sidecars (as here).
TEST_F(PluginSidecarTest, StatusShowsTheLastDrillAndTheExpectedRecoveryTime) {
  ApplyYaml("drilled",
            "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: drilled\n"
            "spec:\n  mode: rdb\n  storage:\n    backup: {size: 1Gi}\n");
  PluginRun r = Plugin({"status", "drilled"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("none recorded by the operator"), std::string::npos) << r.out;

  auto patched = Call("PATCH", std::string(controller::kRp) + "drilled/status",
                      R"({"status":{"lastDrill":{"time":"2026-11-28T03:30:00Z","pod":"drilled-0",)"
                      R"("backup":"20261128T030000Z-1a2b","result":"success","keys":4600000,)"
                      R"("loadSeconds":34.52,"peakMemoryBytes":1610612736}}})",
                      "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  r = Plugin({"status", "drilled"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"Last drill", "2026-11-28T03:30:00Z on drilled-0: success",
                           "backup 20261128T030000Z-1a2b", "4600000 keys",
                           "expected recovery time 34.5 s", "peak memory 1.5 GiB"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;

  patched = Call("PATCH", std::string(controller::kRp) + "drilled/status",
                 R"({"status":{"lastDrill":{"result":"failure","reason":"DEBUG DIGEST differs"}}})",
                 "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  r = Plugin({"status", "drilled"});
  EXPECT_NE(r.out.find("failure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(DEBUG DIGEST differs)"), std::string::npos) << r.out;
}

// The restore proof the operator records from the sidecar (status.lastRestore.check) has its own
// line under the restore: the result, both digests when they differ, and the reason.
TEST_F(PluginSidecarTest, StatusShowsTheRestoreCheckOfAnInstalledBackup) {
  ApplyYaml("restored",
            "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: restored\n"
            "spec:\n  mode: rdb\n  storage:\n    backup: {size: 1Gi}\n");
  const auto patch_restore = [&](const std::string& source, const std::string& check) {
    auto patched = Call("PATCH", std::string(controller::kRp) + "restored/status",
                        R"({"status":{"lastRestore":{"time":"2026-11-28T04:00:00Z","pod":"restored-0",)"
                        R"("source":")" + source + R"(","reason":"the newest verified backup","keys":12,)"
                        R"("check":)" + check + "}}}",
                        "application/merge-patch+json");
    ASSERT_EQ(patched.status, 200) << patched.body;
  };
  const auto screen = [&] {
    PluginRun r = Plugin({"status", "restored"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string digest = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  const std::string other = "ffffffffffffffffffffffffffffffffffffffff";

  // Restored from the pod's own volume: nothing installed, nothing to check, no line.
  patch_restore("local", "null");
  std::string out = screen();
  EXPECT_NE(out.find("Last restore:"), std::string::npos) << out;
  EXPECT_EQ(out.find("Restore check"), std::string::npos) << out;

  // An installed backup Redis has not loaded yet.
  patch_restore("backup/20261128T030000Z-1a2b", "null");
  out = screen();
  EXPECT_NE(out.find("Restore check: not reported yet"), std::string::npos) << out;

  patch_restore("backup/20261128T030000Z-1a2b",
                R"({"result":"verified","expectedDigest":")" + digest + R"(","actualDigest":")" +
                    digest + R"(","reason":null})");
  out = screen();
  EXPECT_NE(out.find("Restore check: verified: DEBUG DIGEST " + digest + " equals the backup's"),
            std::string::npos)
      << out;
  EXPECT_LT(out.find("Last restore:"), out.find("Restore check:")) << out;

  patch_restore("backup/20261128T030000Z-1a2b",
                R"({"result":"mismatch","expectedDigest":")" + digest + R"(","actualDigest":")" +
                    other + R"(","reason":"db 0 has 11 keys, the backup 12"})");
  out = screen();
  EXPECT_NE(out.find("Restore check: mismatch, backup's digest " + digest +
                     ", Redis's DEBUG DIGEST " + other + " (db 0 has 11 keys, the backup 12)"),
            std::string::npos)
      << out;

  patch_restore("backup/20261128T030000Z-1a2b",
                R"({"result":"unverifiable","expectedDigest":")" + digest +
                    R"x(","actualDigest":null,"reason":"DEBUG command disabled (enable-debug-command no)"})x");
  out = screen();
  EXPECT_NE(out.find("Restore check: unverifiable, backup's digest " + digest +
                     " (DEBUG command disabled (enable-debug-command no))"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find(other), std::string::npos) << "the merge patch removed the old digest\n" << out;
}

TEST_F(PluginSidecarTest, StatusShowsWhereAPartialBackupIsMissing) {
  ApplyYaml("partial",
            "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: partial\n"
            "spec:\n  mode: rdb\n  storage:\n    backup: {size: 1Gi}\n");
  auto patched = Call(
      "PATCH", std::string(controller::kRp) + "partial/status",
      R"({"status":{"lastBackup":{"name":"20261128T030000Z-1a2b","time":"2026-11-28T03:00:00Z",)"
      R"("sizeBytes":1048576,"keys":12,"destinations":[{"destination":"local","result":"Succeeded"},)"
      R"({"destination":"objectStore","result":"Failed","message":"PUT refused: 403 AccessDenied"}]}}})",
      "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  PluginRun r = Plugin({"status", "partial"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"Last backup", "20261128T030000Z-1a2b", "to local:", "published",
                           "to objectStore:", "missing (PUT refused: 403 AccessDenied)"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  // The volume's line says published, the store's says missing: not the other way round.
  EXPECT_LT(r.out.find("to local:"), r.out.find("published")) << r.out;
  EXPECT_LT(r.out.find("published"), r.out.find("to objectStore:")) << r.out;
}

}  // namespace
}  // namespace tidemark::kubectl
