#include "tests/kubectl-plugin/plugin_fixture.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tidemark::kubectl {

namespace {
const char kPluginToken[] = "plugin-user-token";
const char kPluginUser[] = "alice";
}  // namespace

std::vector<fake::Permission> PluginUserPermissions() {
  return {{"get", "tidemark.dev", "redispersistences", ""},
          {"list", "tidemark.dev", "redispersistences", ""},
          {"patch", "tidemark.dev", "redispersistences", ""},
          {"list", "", "pods", ""},
          {"get", "", "pods", ""},
          {"delete", "", "pods", ""},
          {"delete", "", "persistentvolumeclaims", ""},
          {"get", "", "pods/proxy", ""},
          {"create", "", "pods/proxy", ""}};
}

void PluginTest::SetUp() {
  OperatorTest::SetUp();
  server_->AddToken(kPluginToken, kPluginUser, PluginUserPermissions());
  plugin_kubeconfig_ = KubeconfigFor(kPluginToken, "plugin-kubeconfig");
}

std::string PluginTest::KubeconfigFor(const std::string& token, const std::string& file) {
  const std::string path = dir_.File(file);
  testing::WriteFile(path,
                     "apiVersion: v1\nkind: Config\n"
                     "clusters:\n- name: fake\n  cluster:\n    server: " +
                         server_->url() + "\nusers:\n- name: u\n  user:\n    token: " + token +
                         "\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n"
                         "    user: u\n    namespace: shop\ncurrent-context: fake\n");
  return path;
}

PluginRun PluginTest::Plugin(const std::vector<std::string>& args, const std::string& kubeconfig) {
  const std::string out_file = dir_.File("plugin.out"), err_file = dir_.File("plugin.err");
  const std::string config = kubeconfig.empty() ? plugin_kubeconfig_ : kubeconfig;
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setenv("KUBECONFIG", config.c_str(), 1);
    int null_in = ::open("/dev/null", O_RDONLY);  // no one answers a prompt
    ::dup2(null_in, 0);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(KUBECTL_TIDEMARK));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(KUBECTL_TIDEMARK, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  PluginRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = testing::ReadFile(out_file);
  run.err = testing::ReadFile(err_file);
  return run;
}

void PluginTest::AddPod(const std::string& resource, const std::string& name, const std::string& ip,
                        int sidecar_port) {
  auto made = Call(
      "POST", "/api/v1/namespaces/shop/pods",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
          R"(","labels":{"app.kubernetes.io/name":"redis","app.kubernetes.io/instance":")" +
          resource +
          R"(","app.kubernetes.io/managed-by":"tidemark-operator"}},"spec":{"containers":[{"name":"redis","image":"redis:7.0","ports":[{"name":"redis","containerPort":6379}]},{"name":"sidecar","image":"tidemark/sidecar:test","ports":[{"name":"sidecar","containerPort":)" +
          std::to_string(sidecar_port) + R"(}]}]}})",
      "application/json");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string status = ip.empty()
                                 ? R"({"status":{"phase":"Pending"}})"
                                 : R"({"status":{"phase":"Running","podIP":")" + ip + R"("}})";
  auto st = Call("PATCH", "/api/v1/namespaces/shop/pods/" + name + "/status", status,
                 "application/merge-patch+json");
  ASSERT_EQ(st.status, 200) << st.body;
}

}  // namespace tidemark::kubectl
