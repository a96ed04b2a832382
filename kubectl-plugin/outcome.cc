#include "kubectl-plugin/outcome.h"

namespace tidemark::kubectl {

Outcome FromKubeError(const kube::KubeError& e, const std::string& doing) {
  using kube::Reason;
  const std::string said = e.message.empty() ? e.ToString() : e.message;
  switch (e.reason) {
    case Reason::kForbidden:
      return Fail(kExitForbidden, doing + ": forbidden: " + said +
                                      " (docs/kubectl-plugin.md lists the permissions it needs)");
    case Reason::kUnauthorized:
      return Fail(kExitForbidden,
                  doing + ": the API server did not accept the credentials (401 Unauthorized)");
    case Reason::kNotFound:
      return Fail(kExitNotFound, doing + ": not found: " + said);
    case Reason::kConfig:
    case Reason::kTransport:
      return Fail(kExitConfig, doing + ": " + e.ToString());
    case Reason::kInvalidName:
      return Fail(kExitUsage, doing + ": " + e.ToString());
    default:
      break;
  }
  // A pod proxy that could not reach the pod: no IP yet (400) or nothing listening (503).
  if ((e.http_status == 400 && said == "address not allowed") ||
      (e.http_status == 503 && said.find("error trying to reach service") != std::string::npos)) {
    return Fail(kExitUnreachable, doing + ": sidecar unreachable: " + said);
  }
  if (e.reason == Reason::kTimeout) return Fail(kExitTimeout, doing + ": " + e.ToString());
  return Fail(kExitFailed, doing + ": " + e.ToString());
}

}  // namespace tidemark::kubectl
