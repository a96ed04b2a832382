// What a kubectl-tidemark command ends with: an exit code (documented in
// docs/kubectl-plugin.md) and, on failure, one message for stderr. Mapping the API server's
// refusals onto codes happens in one place (FromKubeError) so every command names the verb and
// resource the same way.
#pragma once

#include <string>

#include "operator/kube/api_error.h"

namespace tidemark::kubectl {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,     // the operation ran and failed (backup failed, verification found problems)
  kExitUsage = 2,      // bad flags or arguments
  kExitNotFound = 3,   // no such RedisPersistence (or pod)
  kExitForbidden = 4,  // 401/403 from the API server
  kExitUnreachable = 5,  // a sidecar could not be reached through the pod proxy
  kExitTimeout = 6,      // --wait gave up
  kExitConfig = 7,       // kubeconfig unusable, API server unreachable
  kExitDeclined = 8,     // the confirmation was not given
  kExitUnsupported = 9,  // the sidecar or operator does not offer the operation
  kExitSkipped = 10,     // drill --wait: the drill was skipped (no backup, over its memory budget)
};

struct Outcome {
  int code = kExitOk;
  std::string message;  // "" when nothing to say
};

inline Outcome Ok() { return {}; }
inline Outcome Fail(int code, std::string message) { return {code, std::move(message)}; }

// `doing`: what was being attempted, in words ("get redispersistences.tidemark.dev shop/catalog").
// 403: "forbidden: <the server's message>" (which names the user, verb and resource); 404: not
// found; 503 "error trying to reach service" and 400 "address not allowed" from a pod proxy:
// unreachable; transport failures and kConfig: config.
Outcome FromKubeError(const kube::KubeError& error, const std::string& doing);

}  // namespace tidemark::kubectl
