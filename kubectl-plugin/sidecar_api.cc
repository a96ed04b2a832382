#include "kubectl-plugin/sidecar_api.h"

#include "operator/reconcile/names.h"

namespace tidemark::kubectl {

using reconcile::Json;

std::string SidecarApi::SidecarPort(const Json& pod) {
  const Json* containers = reconcile::FindPath(pod, {"spec", "containers"});
  if (containers != nullptr && containers->is_array()) {
    for (const Json& c : containers->as_array()) {
      const Json* ports = reconcile::Find(c, "ports");
      if (ports == nullptr || !ports->is_array()) continue;
      for (const Json& p : ports->as_array()) {
        if (reconcile::GetString(p, "name") == reconcile::kSidecarPortName) {
          if (auto n = reconcile::GetInt(p, "containerPort")) return std::to_string(*n);
        }
      }
    }
  }
  return std::to_string(reconcile::kSidecarPort);
}

std::expected<SidecarReply, Outcome> SidecarApi::Call(const std::string& pod,
                                                      const std::string& port,
                                                      const std::string& method,
                                                      const std::string& path) {
  const std::string doing = method + " " + path + " on the sidecar of " + ns_ + "/" + pod;
  auto answer = client_.ProxyPod(ns_, pod, port, method, path, "");
  if (!answer) return std::unexpected(FromKubeError(answer.error(), doing));
  SidecarReply reply;
  reply.http_status = answer->http_status;
  reply.body = answer->body;
  if (auto parsed = reconcile::ParseJson(answer->body, doing)) reply.json = *parsed;
  // The real server answers 502/503 itself when the pod's connection breaks mid-answer; a
  // sidecar never answers 502.
  if (reply.http_status == 502)
    return std::unexpected(
        Fail(kExitUnreachable, doing + ": sidecar unreachable (502 from the proxy)"));
  return reply;
}

std::expected<SidecarReply, Outcome> SidecarApi::CallPod(const kube::Object& pod,
                                                         const std::string& method,
                                                         const std::string& path) {
  const Json spec = reconcile::ParseJson(pod.json, pod.name).value_or(Json::object());
  return Call(pod.name, SidecarPort(spec), method, path);
}

}  // namespace tidemark::kubectl
