#include "operator/reconcile/peer_objects.h"

#include <cpprest/asyncrt_utils.h>

#include <vector>

#include "operator/reconcile/desired.h"

namespace tidemark::reconcile {

namespace {

Json TcpPort(int port) { return Obj({{"port", Json::number(port)}, {"protocol", Str("TCP")}}); }

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

Json SidecarNetworkPolicy(const ResourceMeta& meta) {
  return Obj(
      {{"apiVersion", Str("networking.k8s.io/v1")},
       {"kind", Str("NetworkPolicy")},
       {"metadata", OwnedMetadata(meta, NetworkPolicyName(meta))},
       {"spec",
        Obj({{"podSelector", Obj({{"matchLabels", SelectorLabels(meta)}})},
             {"policyTypes", StrList({"Ingress"})},
             {"ingress",
              Arr({// Selecting the pods isolates every port: these stay as without a policy.
                   Obj({{"ports", Arr({TcpPort(kRedisPort), TcpPort(kSidecarPort)})}}),
                   Obj({{"from", Arr({Obj({{"podSelector",
                                            Obj({{"matchLabels", SelectorLabels(meta)}})}})})},
                        {"ports", Arr({TcpPort(kPeerPort)})}})})}})}});
}

std::string PeerUrl(const ResourceMeta& meta, int64_t ordinal, bool tls) {
  return (tls ? "https://" : "http://") + PodName(meta, ordinal) + "." + HeadlessServiceName(meta) + "." +
         meta.namespace_ + ".svc:" + std::to_string(kPeerPort);
}

std::string PeerUrls(const ResourceMeta& meta, int64_t replicas, bool tls) {
  std::string out;
  for (int64_t i = 1; i < replicas; ++i) out += (out.empty() ? "" : ",") + PeerUrl(meta, i, tls);
  return out;
}

}  // namespace tidemark::reconcile
