// kubeconfig `users[].user.exec`: credentials from a command, as kubectl (client-go's
// plugin/pkg/client/auth/exec) gets them. The command runs with `args`, the kubeconfig's `env`
// added to this process's environment and KUBERNETES_EXEC_INFO set to an ExecCredential whose
// spec says whether it may talk to the user; it prints an ExecCredential (apiVersion
// client.authentication.k8s.io/v1 or v1beta1, the one the kubeconfig names) whose status holds a
// `token` or `clientCertificateData`/`clientKeyData` (PEM), and optionally
// `expirationTimestamp`. The answer is kept until that time (for ever without one), or until
// Invalidate() after the API server refused it (401).
//
// interactiveMode: Never: stdin is /dev/null; IfAvailable (v1beta1's default): the user's stdin
// when it is a terminal; Always: the same, and refused when stdin is not a terminal. An
// interactive command writes to the user's stderr directly; otherwise its stderr is captured so a
// failure can quote its last line.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "operator/kube/api_error.h"

namespace tidemark::kube {

struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // a name found on PATH, or a path (relative: to the kubeconfig's dir)
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;      // shown when the command is not found
  std::string interactive_mode;  // Never | IfAvailable | Always
  std::string user;              // the kubeconfig user's name, for messages
};

// Reads `exec` of a kubeconfig user (yaml-cpp stays in config.cc): the checks kubectl makes.
KubeResult<ExecConfig> ValidateExecConfig(ExecConfig config);

struct ExecCredential {
  std::string token;
  std::string client_cert_pem, client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// The command's standard output parsed; `api_version` is the one requested.
KubeResult<ExecCredential> ParseExecCredential(const std::string& text,
                                               const std::string& api_version,
                                               const std::string& command);

// RFC 3339 ("2026-11-28T12:00:00Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);

class ExecCredentialSource {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit ExecCredentialSource(ExecConfig config, Clock now = nullptr);

  // The cached credential, or a fresh one when there is none or it has expired. Thread-safe: one
  // run at a time.
  KubeResult<ExecCredential> Get();
  // Forgets the cached credential if its token is `refused` (a 401 for it): the next Get() runs
  // the command again. A credential already replaced by another thread is kept.
  void Invalidate(const std::string& refused);
  // How many times the command ran (for tests and logs).
  int runs() const;

 private:
  KubeResult<ExecCredential> Run();

  ExecConfig config_;
  Clock now_;
  mutable std::mutex mu_;
  std::optional<ExecCredential> cached_;
  int runs_ = 0;
};

}  // namespace tidemark::kube
