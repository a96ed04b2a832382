// The objects of the sidecars' peer traffic (issue #11, docs/operator.md "Peers"): pod 0's
// restore step asks the replicas' sidecars for their replication state and a snapshot, and the
// replicas' sidecars ask pod 0's before following it again. For one RedisPersistence NAME:
//   Secret         NAME-peer-token   key "token": "<namespace>/<name>:<64 hex digits>", the
//                  set's shared token (sidecar/peer_token.h). Created once from 32 random bytes
//                  the caller draws; never updated, never rotated by a reconcile.
//   NetworkPolicy  NAME-sidecar      the set's pods: the peer port (kPeerPort, where the sidecars
//                  serve /v1/snapshot and /v1/replication) only to pods of the same set; Redis's
//                  port and the sidecar's main port (status for the operator, /metrics for
//                  Prometheus, the API server's pod proxy for kubectl tidemark: sources no pod
//                  selector can name) to every source, as without a policy. Not rendered with
//                  RenderOptions::network_policy off.
// The sidecars find each other through the headless Service NAME-headless (desired.h): it is
// the StatefulSet's serviceName, headless and lists the peer port, so no other Service.
// Rendered for every set, one pod or more: the pod template carries the token's mount and the
// peer flags whatever the replica count, so scaling from one pod never restarts it.
// Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "operator/reconcile/json.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

// The token's text for `secret_hex` (64 hex digits of 32 random bytes).
std::string PeerTokenText(const ResourceMeta& meta, std::string_view secret_hex);

// The Secret holding PeerTokenText(meta, secret_hex) under kPeerTokenKey (base64 in data).
Json PeerTokenSecret(const ResourceMeta& meta, std::string_view secret_hex);

Json SidecarNetworkPolicy(const ResourceMeta& meta);

// "http://NAME-i.NAME-headless.NS.svc:9122" for i in 1..replicas-1, comma-separated ("" for
// one pod): the restore step's --peers, from the ConfigMap so that a scale changes no pod.
// https with `tls` (spec.workload.peerTLS).
std::string PeerUrls(const ResourceMeta& meta, int64_t replicas, bool tls);

// Pod `ordinal`'s sidecar peer port URL.
std::string PeerUrl(const ResourceMeta& meta, int64_t ordinal, bool tls);

}  // namespace tidemark::reconcile
