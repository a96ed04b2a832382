// kubectl-tidemark's errors against the fake API server, each with its documented exit code and
// a message naming the cause: no such resource, RBAC forbidden (verb and resource from the 403
// Status), a sidecar nothing listens for (503 "error trying to reach service"), a pod without an
// IP (400 "address not allowed"), usage and kubeconfig mistakes. Also the fake's pod proxy
// itself: the real server's refusals, and a pod's own answer relayed as it is.
#include <sys/stat.h>

#include "tests/kubectl-plugin/plugin_fixture.h"

namespace tidemark::kubectl {
namespace {

const char kCatalog[] =
    "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: catalog\n"
    "spec:\n  mode: rdb\n  storage:\n    backup: {size: 1Gi}\n  backup:\n"
    "    schedule: \"0 3 * * *\"\n";

class PluginErrorsTest : public PluginTest {};

TEST_F(PluginErrorsTest, NoSuchResourceIsExitThree) {
  PluginRun r = Plugin({"status", "missing"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("redispersistences.tidemark.dev shop/missing not found"), std::string::npos)
      << r.err;
  r = Plugin({"backup", "missing", "-n", "other"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("other/missing"), std::string::npos) << r.err;
}

TEST_F(PluginErrorsTest, ForbiddenNamesTheVerbAndResource) {
  ApplyYaml("catalog", kCatalog);
  const int port = testing::FreeLoopbackPort();
  AddPod("catalog", "catalog-0", "127.0.0.1", port);
  // A user who may read the resource and list pods, but not use the pod proxy.
  server_->AddToken("reader", "bob",
                    {{"get", "tidemark.dev", "redispersistences", ""}, {"list", "", "pods", ""}});
  const std::string reader = KubeconfigFor("reader", "reader-kubeconfig");
  PluginRun r = Plugin({"backups", "catalog"}, reader);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("User \"bob\" cannot get resource \"pods/proxy\" in API group \"\" in the "
                       "namespace \"shop\""),
            std::string::npos)
      << r.err;
  // Asking for a backup needs patch on the resource.
  r = Plugin({"backup", "catalog"}, reader);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot patch resource \"redispersistences\" in API group "
                       "\"tidemark.dev\""),
            std::string::npos)
      << r.err;
  // Nothing at all: the first read is refused.
  server_->AddToken("nobody", "carol", {});
  r = Plugin({"status", "catalog"}, KubeconfigFor("nobody", "nobody-kubeconfig"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot get resource \"redispersistences\""), std::string::npos) << r.err;
}

TEST_F(PluginErrorsTest, UnreachableSidecarIsExitFive) {
  ApplyYaml("catalog", kCatalog);
  const int port = testing::FreeLoopbackPort();  // nothing listens there
  AddPod("catalog", "catalog-0", "127.0.0.1", port);
  AddPod("catalog", "catalog-1", "", port);
  PluginRun r = Plugin({"backups", "catalog"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("sidecar unreachable: error trying to reach service: dial tcp 127.0.0.1:" +
                       std::to_string(port)),
            std::string::npos)
      << r.err;
  // status still shows the resource; each pod says why its sidecar could not be read.
  r = Plugin({"status", "catalog", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json view = Json::parse(r.out);
  ASSERT_EQ(view.at("pods").size(), 2u) << r.out;
  EXPECT_NE(view.at("pods").at(0).at("sidecarError").as_string().find("error trying to reach"),
            std::string::npos);
  EXPECT_NE(view.at("pods").at(1).at("sidecarError").as_string().find("address not allowed"),
            std::string::npos);
  EXPECT_EQ(view.at("policy").at("mode").as_string(), "rdb");
}

TEST_F(PluginErrorsTest, UsageAndKubeconfigMistakes) {
  PluginRun r = Plugin({"backup"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("needs exactly one NAME"), std::string::npos) << r.err;
  r = Plugin({"status", "-o", "xml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Plugin({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Plugin({"status", "--kubeconfig", dir_.File("no-such-file")});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  r = Plugin({"status", "--context", "nope"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("no context named \"nope\""), std::string::npos) << r.err;
  r = Plugin({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("exit codes"), std::string::npos);
}

// Credentials from an exec plugin, as kubectl runs it (operator/kube/exec_credential.h): the
// plugin user's token comes from a script; a failing script is a kubeconfig problem (exit 7).
TEST_F(PluginErrorsTest, ExecCredentialPluginLikeKubectl) {
  server_->AddToken("exec-token", "alice", PluginUserPermissions());
  const std::string script = dir_.File("get-token.sh");
  testing::WriteFile(script,
                     "#!/bin/sh\n[ \"$1\" = shop ] || { echo \"login failed for $1\" >&2; exit 2; }\n"
                     "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                     "\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n");
  ::chmod(script.c_str(), 0755);
  auto kubeconfig = [&](const std::string& arg) {
    const std::string path = dir_.File("exec-kubeconfig-" + arg);
    testing::WriteFile(path, "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n"
                             "    server: " + server_->url() +
                                 "\nusers:\n- name: sso\n  user:\n    exec:\n"
                                 "      apiVersion: client.authentication.k8s.io/v1\n"
                                 "      command: " + script + "\n      args: [" + arg + "]\n"
                                 "      interactiveMode: Never\n"
                                 "contexts:\n- name: fake\n  context:\n    cluster: fake\n"
                                 "    user: sso\n    namespace: shop\ncurrent-context: fake\n");
    return path;
  };
  PluginRun r = Plugin({"status", "missing"}, kubeconfig("shop"));
  EXPECT_EQ(r.exit_code, 3) << r.err;  // authenticated: the resource is what is missing
  EXPECT_EQ(server_->Requests().back().user, "alice");
  r = Plugin({"status", "missing"}, kubeconfig("nowhere"));
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("exit code 2: login failed for nowhere"), std::string::npos) << r.err;
}

TEST_F(PluginErrorsTest, FakePodProxyAnswersLikeTheRealServer) {
  const std::string base = "/api/v1/namespaces/shop/pods/";
  auto r = Call("GET", base + "ghost:9121/proxy/v1/status");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"(pods \"ghost\" not found)"), std::string::npos) << r.body;
  AddPod("catalog", "catalog-1", "", 9121);
  r = Call("GET", base + "catalog-1:9121/proxy/v1/status");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"address not allowed\""), std::string::npos) << r.body;
  r = Call("GET", base + "a:b:c:d/proxy/");
  EXPECT_EQ(r.status, 400) << r.body;

  // A pod that answers: its own status, type and body come back untouched (a 404 of the pod is
  // not a Status object).
  testing::TempDir store;
  const int port = testing::FreeLoopbackPort();
  testing::ChildProcess sidecar(TIDEMARK_SIDECAR,
                                {"run", "--redis", "unix:" + dir_.File("no-redis.sock"), "--store",
                                 store.path(), "--listen", "127.0.0.1:" + std::to_string(port)},
                                {"POD_NAME=catalog-0"}, dir_.File("sidecar.log"));
  AddPod("catalog", "catalog-0", "127.0.0.1", port);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Call("GET", base + "catalog-0:" + std::to_string(port) + "/proxy/healthz").status ==
               200;
      },
      std::chrono::seconds(10)))
      << sidecar.Log();
  r = Call("GET", base + "catalog-0:" + std::to_string(port) + "/proxy/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "not found\n");
  EXPECT_EQ(r.headers["Content-Type"].rfind("text/plain", 0), 0u);
  // No port: the first container port (redis, 6379 here: nothing of ours listens there).
  r = Call("GET", base + "catalog-0/proxy/v1/status");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("dial tcp 127.0.0.1:6379"), std::string::npos) << r.body;
  // RBAC: the verb of a proxy request is the HTTP method's (POST: create on pods/proxy).
  server_->AddToken("getter", "dave", {{"get", "", "pods/proxy", ""}});
  r = server_->Handle("POST", base + "catalog-0:" + std::to_string(port) + "/proxy/v1/backups",
                      {{"authorization", "Bearer getter"}}, "");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find(R"(cannot create resource \"pods/proxy\")"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace tidemark::kubectl
