// Where kubectl-tidemark connects, the way kubectl decides it: --kubeconfig, else the files of
// $KUBECONFIG (colon-separated), else ~/.kube/config; --context, else current-context; -n, else
// the context's namespace. With several KUBECONFIG files the files are tried in order and the
// first one in which the context (--context, else that file's current-context) resolves with
// its cluster and user is used; kubectl instead merges the files entry by entry, so a context
// whose cluster is defined in another file works there and not here. TLS and authentication are the
// operator's client's (operator/kube/config.h): TLS is always verified; exec and auth-provider
// credentials are not supported.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kubectl-plugin/options.h"
#include "kubectl-plugin/outcome.h"
#include "operator/kube/client.h"
#include "operator/kube/config.h"

namespace tidemark::kubectl {

struct Connection {
  std::unique_ptr<kube::KubeClient> client;
  std::string namespace_;  // -n, or the context's ("default" when it names none)
  std::string kubeconfig;  // the file the context came from
};

// The kubeconfig files to read, in kubectl's order. `getenv` is injected for tests.
std::vector<std::string> KubeconfigFiles(const Options& options,
                                         const std::function<const char*(const char*)>& getenv);

// The client; kExitConfig with kubectl-like wording when no kubeconfig can be used.
std::expected<Connection, Outcome> Connect(const Options& options,
                                           const std::function<const char*(const char*)>& getenv);

}  // namespace tidemark::kubectl
