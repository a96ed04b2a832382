#include "operator/reconcile/peer_objects.h"

#include <cpprest/asyncrt_utils.h>

#include <vector>

#include "operator/reconcile/desired.h"

namespace tidemark::reconcile {

namespace {

Json TcpPort(int port) { return Obj({{"port", Json::number(port)}, {"protocol", Str("TCP")}}); }

Json LabelMap(const std::map<std::string, std::string>& labels) {
  Json out = Json::object();
  for (const auto& [k, v] : labels) out[k] = Str(v);
  return out;
}

// The operator's pods: by their labels, in their namespace when it is known (else in any
// namespace: the labels alone).
Json OperatorPeer(const RenderOptions& o) {
  Json peer = Obj({{"podSelector", Obj({{"matchLabels", LabelMap(o.operator_pod_labels)}})}});
  peer["namespaceSelector"] =
      o.operator_namespace.empty()
          ? Json::object()
          : Obj({{"matchLabels", Obj({{"kubernetes.io/metadata.name", Str(o.operator_namespace)}})}});
  return peer;
}

}  // namespace

std::string PeerTokenText(const ResourceMeta& meta, std::string_view secret_hex) {
  return meta.namespace_ + "/" + meta.name + ":" + std::string(secret_hex);
}

Json PeerTokenSecret(const ResourceMeta& meta, std::string_view secret_hex) {
  const std::string text = PeerTokenText(meta, secret_hex);
  const std::vector<unsigned char> bytes(text.begin(), text.end());
  return Obj({{"apiVersion", Str("v1")},
              {"kind", Str("Secret")},
              {"metadata", OwnedMetadata(meta, PeerTokenSecretName(meta))},
              {"type", Str("Opaque")},
              {"data", Obj({{std::string(kPeerTokenKey), Str(utility::conversions::to_base64(bytes))}})}});
}

Json SidecarNetworkPolicy(const ResourceMeta& meta, const RenderOptions& o) {
  std::vector<Json> sidecar_from = {
      Obj({{"podSelector", Obj({{"matchLabels", SelectorLabels(meta)}})}}), OperatorPeer(o)};
  for (const auto& ns : o.sidecar_ingress_namespaces)
    sidecar_from.push_back(Obj(
        {{"namespaceSelector", Obj({{"matchLabels", Obj({{"kubernetes.io/metadata.name", Str(ns)}})}})}}));
  return Obj(
      {{"apiVersion", Str("networking.k8s.io/v1")},
       {"kind", Str("NetworkPolicy")},
       {"metadata", OwnedMetadata(meta, NetworkPolicyName(meta))},
       {"spec",
        Obj({{"podSelector", Obj({{"matchLabels", SelectorLabels(meta)}})},
             {"policyTypes", StrList({"Ingress"})},
             {"ingress",
              Arr({// Redis: from anywhere, as without a policy (clients, replication).
                   Obj({{"ports", Arr({TcpPort(kRedisPort)})}}),
                   Obj({{"from", Arr(std::move(sidecar_from))},
                        {"ports", Arr({TcpPort(kSidecarPort)})}})})}})}});
}

std::string SidecarUrl(const ResourceMeta& meta, int64_t ordinal) {
  return "http://" + PodName(meta, ordinal) + "." + HeadlessServiceName(meta) + "." +
         meta.namespace_ + ".svc:" + std::to_string(kSidecarPort);
}

std::string PeerUrls(const ResourceMeta& meta, int64_t replicas) {
  std::string out;
  for (int64_t i = 1; i < replicas; ++i) out += (out.empty() ? "" : ",") + SidecarUrl(meta, i);
  return out;
}

}  // namespace tidemark::reconcile
