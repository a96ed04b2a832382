// How to reach and authenticate to the API server: in-cluster (service account) or from a
// kubeconfig. yaml-cpp stays inside config.cc.
//
// TLS is always verified: against the configured CA when there is one (and only that CA), else
// against the system's trust store. `insecure-skip-tls-verify: true` in a kubeconfig is refused
// unless KubeconfigOptions::allow_insecure_flag is set, and even then it is not obeyed: the
// server's certificate is still verified (the option only lets such a kubeconfig load).
// Plain http:// is accepted only for a loopback server (tests against the fake API server).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "operator/kube/api_error.h"
#include "operator/kube/exec_credential.h"

namespace tidemark::kube {

// A bearer token, fixed, read from a file that is re-read whenever it changes (kubelet
// rotates projected service-account tokens in place), or from an exec credential command
// (exec_credential.h; "" when it answers with a client certificate only). Thread-safe.
class TokenSource {
 public:
  static std::shared_ptr<TokenSource> Fixed(std::string token);
  static std::shared_ptr<TokenSource> FromFile(std::string path);
  static std::shared_ptr<TokenSource> FromExec(std::shared_ptr<ExecCredentialSource> exec);

  // The current token; kConfig when the file cannot be read or is empty, or the command fails.
  KubeResult<std::string> Token();
  // The API server refused `token` (401): true when asking again may give another one (an exec
  // command, which then runs again), so the request is worth one more try.
  bool Refused(const std::string& token);

 private:
  std::shared_ptr<ExecCredentialSource> exec_;
  std::mutex mu_;
  std::string path_;
  std::string token_;
  std::timespec mtime_{};
  off_t size_ = -1;
  ino_t inode_ = 0;
};

struct Config {
  std::string server;  // "https://10.0.0.1:443"
  std::string ca_pem;  // trusted CAs; empty: the system trust store
  std::string client_cert_pem;
  std::string client_key_pem;
  std::shared_ptr<TokenSource> token;  // nullptr: no bearer token (client certificate)
  // A kubeconfig user's exec command (also behind `token`): its client certificate, if it
  // answers with one, is taken when the HTTP client is made.
  std::shared_ptr<ExecCredentialSource> exec;
  std::string default_namespace;       // from the context or the service account
};

struct InClusterPaths {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

// KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT from `getenv` (injected for tests), the
// token file (re-read on change) and the CA file. kConfig when any is missing.
KubeResult<Config> LoadInClusterConfig(const std::function<const char*(const char*)>& getenv,
                                       const InClusterPaths& paths = {});

struct KubeconfigOptions {
  std::string context;               // "" : current-context
  bool allow_insecure_flag = false;  // see the header comment
};

// Reads a kubeconfig file; relative file paths in it are taken from its directory.
KubeResult<Config> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options = {});
// The same from text; `base_dir` resolves relative paths.
KubeResult<Config> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                   const KubeconfigOptions& options = {});

// Standard base64 (the kubeconfig *-data fields). kConfig on bad input.
KubeResult<std::string> DecodeBase64(const std::string& text);

}  // namespace tidemark::kube
