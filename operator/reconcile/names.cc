#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

std::string ConfigMapName(const ResourceMeta& meta) { return meta.name + "-persistence"; }
std::string HeadlessServiceName(const ResourceMeta& meta) { return meta.name + "-headless"; }
std::string ClientServiceName(const ResourceMeta& meta) { return meta.name; }
std::string StatefulSetName(const ResourceMeta& meta) { return meta.name; }
std::string PeerTokenSecretName(const ResourceMeta& meta) { return meta.name + "-peer-token"; }
std::string NetworkPolicyName(const ResourceMeta& meta) { return meta.name + "-sidecar"; }

std::string PodName(const ResourceMeta& meta, int64_t ordinal) {
  return StatefulSetName(meta) + "-" + std::to_string(ordinal);
}

std::string ClaimName(std::string_view volume, const ResourceMeta& meta, int64_t ordinal) {
  std::string out(volume);
  out += "-";
  out += PodName(meta, ordinal);
  return out;
}

std::string PrimaryHost(const ResourceMeta& meta) {
  return PodName(meta, 0) + "." + HeadlessServiceName(meta) + "." + meta.namespace_ + ".svc";
}

}  // namespace tidemark::reconcile
