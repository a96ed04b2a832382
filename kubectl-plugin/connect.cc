#include "kubectl-plugin/connect.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "operator/kube/http_client.h"

namespace tidemark::kubectl {
namespace {

bool IsFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::vector<std::string> KubeconfigFiles(const Options& options,
                                         const std::function<const char*(const char*)>& getenv) {
  if (!options.kubeconfig.empty()) return {options.kubeconfig};
  std::vector<std::string> files;
  const char* env = getenv("KUBECONFIG");
  if (env != nullptr && *env != '\0') {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      std::string f = list.substr(start, colon == std::string::npos ? colon : colon - start);
      if (!f.empty()) files.push_back(f);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return files;
  }
  const char* home = getenv("HOME");
  if (home != nullptr && *home != '\0') files.push_back(std::string(home) + "/.kube/config");
  return files;
}

std::expected<Connection, Outcome> Connect(const Options& options,
                                           const std::function<const char*(const char*)>& getenv) {
  const std::vector<std::string> files = KubeconfigFiles(options, getenv);
  if (files.empty())
    return std::unexpected(Fail(kExitConfig, "no kubeconfig: set --kubeconfig or KUBECONFIG"));
  kube::KubeconfigOptions kc;
  kc.context = options.context;
  std::string chosen;
  kube::KubeResult<kube::Config> config = kube::MakeKubeError(kube::Reason::kConfig, "");
  std::string first_error;
  for (const std::string& file : files) {
    if (!IsFile(file)) {
      // kubectl ignores missing files of KUBECONFIG but not a missing --kubeconfig.
      if (!options.kubeconfig.empty())
        return std::unexpected(Fail(kExitConfig, "kubeconfig " + file + " does not exist"));
      continue;
    }
    config = kube::LoadKubeconfig(file, kc);
    if (config) {
      chosen = file;
      break;
    }
    if (first_error.empty()) first_error = file + ": " + config.error().message;
  }
  if (!config) {
    return std::unexpected(
        Fail(kExitConfig, first_error.empty() ? "no kubeconfig file found (tried " + files[0] + ")"
                                              : "cannot use the kubeconfig: " + first_error));
  }
  kube::HttpClientOptions http;
  http.user_agent = "kubectl-tidemark";
  http.request_timeout = std::chrono::milliseconds(30000);
  http.retry.max_attempts = 3;
  auto client = kube::MakeHttpKubeClient(*config, http);
  if (!client) return std::unexpected(Fail(kExitConfig, chosen + ": " + client.error().ToString()));
  Connection c;
  c.client = std::move(*client);
  c.namespace_ = options.namespace_.empty() ? config->default_namespace : options.namespace_;
  c.kubeconfig = chosen;
  return c;
}

}  // namespace tidemark::kubectl
