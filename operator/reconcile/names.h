// Names, labels, paths and ports of what the operator creates for one RedisPersistence: the one
// place that spells them, so the renderer, the planner, the docs and the tests agree.
//
// For a resource NAME in namespace NS:
//   ConfigMap     NAME-persistence   keys persistence.conf (redis.conf fragment), policy.json
//   Service       NAME-headless      headless, publishes not-ready pods (stable pod DNS names)
//   Service       NAME               ClusterIP, selects pod 0 only: the primary
//   StatefulSet   NAME               pods NAME-0..NAME-(n-1); claims VCT-NAME-i
//   Secret        NAME-peer-token    the set's peer token (peer_objects.h); created once
//   NetworkPolicy NAME-sidecar       the peer port for the set's pods only
//   pod 0's DNS   NAME-0.NAME-headless.NS.svc   (what replicas follow with replicaof)
// NAME is at most 52 characters (validated), so every derived name fits its limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark::reconcile {

// The identity of the RedisPersistence being reconciled, from its metadata (not from the spec,
// which may be invalid).
struct ResourceMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  int64_t generation = 0;
};

// Settings of the operator itself (flags), not of the resource.
struct RenderOptions {
  std::string sidecar_image = "ghcr.io/tidemark/tidemark-sidecar:0.1.0";
  // Render each set's NetworkPolicy (peer_objects.h). Off for clusters whose own policies
  // already deny by default: ours allows Redis's and the sidecar's main port from everywhere,
  // and allows add up, so it would open what such a namespace closes.
  bool network_policy = true;
};

inline constexpr std::string_view kGroupVersion = "tidemark.dev/v1alpha1";
inline constexpr std::string_view kOwnerKind = "RedisPersistence";

// Labels. The selector uses the two stable ones only (a StatefulSet's selector is immutable).
inline constexpr std::string_view kLabelName = "app.kubernetes.io/name";
inline constexpr std::string_view kLabelInstance = "app.kubernetes.io/instance";
inline constexpr std::string_view kLabelComponent = "app.kubernetes.io/component";
inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kLabelPartOf = "app.kubernetes.io/part-of";
inline constexpr std::string_view kAppName = "redis";
inline constexpr std::string_view kManagedBy = "tidemark-operator";
inline constexpr std::string_view kPartOf = "tidemark";
inline constexpr std::string_view kPodNameLabel = "statefulset.kubernetes.io/pod-name";

// Annotations.
// On the pod template: changes exactly when a restart-worthy setting changes (restart_table.h).
inline constexpr std::string_view kConfigHashAnnotation = "tidemark.dev/config-hash";
// On every object the operator applies: the hash of the object as rendered. It makes a removed
// member (a dropped resource limit) visible to Covers(), which only sees what is desired.
inline constexpr std::string_view kDesiredHashAnnotation = "tidemark.dev/desired-hash";

// ConfigMap keys.
inline constexpr std::string_view kConfKey = "persistence.conf";
inline constexpr std::string_view kPolicyKey = "policy.json";

// Container names, ports and paths inside the pod.
inline constexpr std::string_view kRedisContainer = "redis";
inline constexpr std::string_view kSidecarContainer = "sidecar";
inline constexpr std::string_view kRestoreContainer = "restore";
// With drills on: copies the Redis image's redis-server for the sidecar's scratch servers.
inline constexpr std::string_view kCopyRedisServerContainer = "copy-redis-server";
inline constexpr int kRedisPort = 6379;
inline constexpr int kSidecarPort = 9121;
// The sidecars' own traffic (snapshot transfer, replication state): a port of its own so that
// the NetworkPolicy can admit only the set's pods there and leave kSidecarPort open.
inline constexpr int kPeerPort = 9122;
// Where a replica's Redis starts and is held while pod 0 is away (docs/sidecar.md, "The
// replicas' hold-back"): a loopback port where nothing listens, refused at once, inside the pod.
inline constexpr std::string_view kHoldbackPlaceholderHost = "127.0.0.1";
inline constexpr int kHoldbackPlaceholderPort = 1;
inline constexpr std::string_view kRedisPortName = "redis";
inline constexpr std::string_view kSidecarPortName = "sidecar";
inline constexpr std::string_view kPeerPortName = "peer";
inline constexpr std::string_view kDataDir = "/data";
inline constexpr std::string_view kBackupDir = "/backup";
inline constexpr std::string_view kConfigDir = "/etc/tidemark/config";
inline constexpr std::string_view kSecretDir = "/etc/tidemark/secret";
inline constexpr std::string_view kSocketDir = "/run/redis";
inline constexpr std::string_view kSocketPath = "/run/redis/redis.sock";
inline constexpr std::string_view kPasswordFile = "password";  // file name in kSecretDir
// The set's peer token (peer_objects.h), a file for the restore step and the sidecar.
inline constexpr std::string_view kPeerTokenKey = "token";
inline constexpr std::string_view kPeerTokenDir = "/etc/tidemark/peer";
// spec.workload.peerTLS: the kubernetes.io/tls Secret's three keys, as files here.
inline constexpr std::string_view kPeerTlsDir = "/etc/tidemark/peer-tls";
// With drills on: the pod's own redis-server, copied by kCopyRedisServerContainer (the sidecar
// image has none of the pod's version), and the drills' scratch directories (the root file
// system is read-only).
inline constexpr std::string_view kRedisBinDir = "/tidemark/redis-bin";
inline constexpr std::string_view kDrillRedisServer = "/tidemark/redis-bin/redis-server";
inline constexpr std::string_view kDrillWorkDir = "/tidemark/drill";

// Volume names: the claim templates (data, backup) and pod volumes. No AOF volume: the AOF
// directory must share the data volume's file system (core/policy/validate.cc).
inline constexpr std::string_view kDataVolume = "data";
inline constexpr std::string_view kBackupVolume = "backup";
inline constexpr std::string_view kConfigVolume = "config";
inline constexpr std::string_view kSecretVolume = "redis-password";
inline constexpr std::string_view kSocketVolume = "run";
inline constexpr std::string_view kPeerTokenVolume = "peer-token";
inline constexpr std::string_view kPeerTlsVolume = "peer-tls";      // spec.workload.peerTLS
inline constexpr std::string_view kRedisBinVolume = "redis-bin";      // emptyDir, drills on
inline constexpr std::string_view kDrillVolume = "drill-scratch";     // emptyDir, drills on
// The object store's credentials, CA bundle and encryption key as files, mounted at
// policy::kObjectStoreDir (core/policy/render_sidecar_policy.h).
inline constexpr std::string_view kObjectStoreVolume = "object-store";

// The UID/GID of the redis user in the official Redis images; the sidecar image uses the same,
// so both containers own the socket and the files on the volumes.
inline constexpr int64_t kRedisUid = 999;

std::string ConfigMapName(const ResourceMeta& meta);
std::string HeadlessServiceName(const ResourceMeta& meta);
std::string ClientServiceName(const ResourceMeta& meta);
std::string StatefulSetName(const ResourceMeta& meta);
std::string PeerTokenSecretName(const ResourceMeta& meta);
std::string NetworkPolicyName(const ResourceMeta& meta);
std::string PodName(const ResourceMeta& meta, int64_t ordinal);
// "data-NAME-0": the claim a StatefulSet creates from template `volume` for pod `ordinal`.
std::string ClaimName(std::string_view volume, const ResourceMeta& meta, int64_t ordinal);
std::string PrimaryHost(const ResourceMeta& meta);

}  // namespace tidemark::reconcile
