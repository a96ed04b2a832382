// The sidecar's HTTP API (sidecar/agent.h) reached through the API server's pod proxy:
// GET/POST /api/v1/namespaces/NS/pods/POD:PORT/proxy/v1/... . No port-forward and no pod IPs,
// so it works from a laptop with only API server access (RBAC: get/create on pods/proxy).
// The port is the number of the sidecar container's port named "sidecar" in the pod's spec
// (the API server does not resolve port names for pods); 9121 when the spec has none.
#pragma once

#include <string>

#include "kubectl-plugin/outcome.h"
#include "operator/kube/client.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

struct SidecarReply {
  int http_status = 0;
  reconcile::Json json;  // null when the body is not JSON
  std::string body;
};

class SidecarApi {
 public:
  SidecarApi(kube::KubeClient& client, std::string ns) : client_(client), ns_(std::move(ns)) {}

  // The sidecar port of `pod` (its JSON as the API server returned it).
  static std::string SidecarPort(const reconcile::Json& pod);

  // One call. The sidecar's answer whatever its status; an Outcome when the API server refused
  // (forbidden, no such pod) or could not reach the sidecar (exit code 5).
  std::expected<SidecarReply, Outcome> Call(const std::string& pod, const std::string& port,
                                            const std::string& method, const std::string& path);
  // The same, the port taken from `pod` (an object the API server returned).
  std::expected<SidecarReply, Outcome> CallPod(const kube::Object& pod, const std::string& method,
                                               const std::string& path);

 private:
  kube::KubeClient& client_;
  std::string ns_;
};

}  // namespace tidemark::kubectl
