#include "operator/reconcile/pod_template.h"

#include "core/policy/quantity.h"
#include "core/policy/render_sidecar_policy.h"
#include "operator/reconcile/desired.h"
#include "operator/reconcile/pod_commands.h"
#include "operator/reconcile/restart_table.h"

namespace tidemark::reconcile {

namespace {

Json Mount(std::string_view volume, std::string_view path, bool read_only = false) {
  Json m = Obj({{"name", Str(volume)}, {"mountPath", Str(path)}});
  if (read_only) m["readOnly"] = Json::boolean(true);
  return m;
}

Json EnvPodName() {
  return Obj({{"name", Str("POD_NAME")},
              {"valueFrom", Obj({{"fieldRef", Obj({{"fieldPath", Str("metadata.name")}})}})}});
}

Json EnvSecret(std::string_view name, const policy::SecretKeyRef& ref) {
  return Obj({{"name", Str(name)},
              {"valueFrom", Obj({{"secretKeyRef",
                                  Obj({{"name", Str(ref.name)}, {"key", Str(ref.key)}})}})}});
}

Json Port(std::string_view name, int port) {
  return Obj({{"name", Str(name)}, {"containerPort", Json::number(port)}});
}

Json HttpProbe(std::string_view path, int period, int failures) {
  return Obj({{"httpGet", Obj({{"path", Str(path)}, {"port", Str(kSidecarPortName)}})},
              {"periodSeconds", Json::number(period)},
              {"timeoutSeconds", Json::number(5)},
              {"failureThreshold", Json::number(failures)}});
}

Json QuantityMap(const std::map<std::string, std::string>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = Str(v);
  return out;
}

// The sidecar's own footprint: one reused copy buffer, an HTTP listener.
constexpr int64_t kSidecarMemoryLimitBytes = int64_t{256} << 20;

// Mebibytes when whole (what people write), else plain bytes (a budget such as 1.5G).
std::string MemoryQuantity(int64_t bytes) {
  constexpr int64_t kMi = int64_t{1} << 20;
  return bytes % kMi == 0 ? std::to_string(bytes / kMi) + "Mi" : std::to_string(bytes);
}

// A drill's scratch redis-server is the sidecar's child, in the sidecar container's cgroup: its
// limit is the sidecar's own plus the drill's memory budget. A drill without a budget may load
// anything, so the container then has no memory limit. Requests stay: a drill is a short burst.
std::optional<int64_t> SidecarMemoryLimit(const policy::RedisPersistence& r) {
  if (!DrillsOn(r)) return kSidecarMemoryLimitBytes;
  const auto& budget = r.spec.backup->drill->memory_budget;
  if (!budget) return std::nullopt;
  auto bytes = policy::ParseByteQuantity(*budget);  // validated: a byte quantity > 0
  return bytes ? std::optional(kSidecarMemoryLimitBytes + *bytes) : std::nullopt;
}

Json ContainerResources(std::string_view cpu, std::string_view memory,
                        std::optional<int64_t> memory_limit_bytes) {
  Json out = Obj({{"requests", Obj({{"cpu", Str(cpu)}, {"memory", Str(memory)}})}});
  if (memory_limit_bytes)
    out["limits"] = Obj({{"memory", Str(MemoryQuantity(*memory_limit_bytes))}});
  return out;
}

Json SidecarResources(std::optional<int64_t> memory_limit_bytes = kSidecarMemoryLimitBytes) {
  return ContainerResources("50m", "64Mi", memory_limit_bytes);
}

// Mounts of every container: the data volume (Redis's `dir`, with appendonlydir inside it on
// the same file system: Redis renames a rewritten AOF from `dir` into it, so the AOF has no
// volume of its own; see docs/policy.md) and the policy files.
std::vector<Json> DataMounts() {
  return {Mount(kDataVolume, kDataDir), Mount(kConfigVolume, kConfigDir, true)};
}

const policy::ObjectStore* ObjectStoreOf(const policy::RedisPersistence& r) {
  return r.spec.backup && r.spec.backup->object_store ? &*r.spec.backup->object_store : nullptr;
}

// The restore container and the sidecar both reach the bucket: the same read-only files.
void AddObjectStoreMount(const policy::RedisPersistence& r, std::vector<Json>& mounts) {
  if (ObjectStoreOf(r)) mounts.push_back(Mount(kObjectStoreVolume, policy::kObjectStoreDir, true));
}

Json KeyToPath(std::string_view key, std::string_view path) {
  return Obj({{"key", Str(key)}, {"path", Str(path)}});
}

Json Projection(std::string_view kind, std::string_view name, std::vector<Json> items) {
  return Obj({{std::string(kind), Obj({{"name", Str(name)}, {"items", Arr(std::move(items))}})}});
}

// One projected volume of the keys the sidecar reads as files (kubelet refreshes them, e.g.
// rotated session tokens); nothing of them goes into the pod spec or the environment, and the
// operator never reads the Secrets itself.
Json ObjectStoreVolume(const policy::ObjectStore& o) {
  const auto& c = o.credentials;
  std::vector<Json> credential_items = {KeyToPath(c.access_key_id_key, policy::kAccessKeyIdFile),
                                        KeyToPath(c.secret_access_key_key, policy::kSecretAccessKeyFile)};
  if (c.session_token_key)
    credential_items.push_back(KeyToPath(*c.session_token_key, policy::kSessionTokenFile));
  std::vector<Json> sources = {Projection("secret", c.secret_name, std::move(credential_items))};
  if (o.ca_bundle) {
    const bool from_secret = o.ca_bundle->secret_ref.has_value();
    const policy::SecretKeyRef& ref =
        from_secret ? *o.ca_bundle->secret_ref : *o.ca_bundle->config_map_ref;
    sources.push_back(Projection(from_secret ? "secret" : "configMap", ref.name,
                                 {KeyToPath(ref.key, policy::kCaBundleFile)}));
  }
  if (o.encryption) {
    const policy::SecretKeyRef& ref = o.encryption->key_secret_ref;
    sources.push_back(Projection("secret", ref.name, {KeyToPath(ref.key, policy::kEncryptionKeyFile)}));
  }
  return Obj({{"name", Str(kObjectStoreVolume)},
              {"projected", Obj({{"defaultMode", Json::number(0440)},
                                 {"sources", Arr(std::move(sources))}})}});
}

Json RestoreContainer(const ResourceMeta& meta, const policy::RedisPersistence& r,
                      const RenderOptions& o) {
  std::vector<Json> mounts = DataMounts();
  if (r.spec.storage.backup) mounts.push_back(Mount(kBackupVolume, kBackupDir));
  AddObjectStoreMount(r, mounts);
  mounts.push_back(Mount(kPeerTokenVolume, kPeerTokenDir, true));
  if (r.spec.workload.peer_tls_secret_name) mounts.push_back(Mount(kPeerTlsVolume, kPeerTlsDir, true));
  // The replicas' sidecars, from the ConfigMap: read when the container starts ($(VAR) in args).
  Json peers = Obj({{"name", Str(kPeersEnv)},
                    {"valueFrom", Obj({{"configMapKeyRef", Obj({{"name", Str(ConfigMapName(meta))},
                                                                {"key", Str(kPeersKey)}})}})}});
  return Obj({{"name", Str(kRestoreContainer)},
              {"image", Str(o.sidecar_image)},
              {"command", StrList({std::string(kSidecarBinary)})},
              {"args", StrList(RestoreArgs(meta, r))},
              {"env", Arr({EnvPodName(), peers})},
              {"resources", SidecarResources()},
              {"securityContext", ContainerSecurityContext()},
              {"volumeMounts", Arr(std::move(mounts))}});
}

// Runs in the Redis image, so the copy is that image's own redis-server build.
Json CopyRedisServerContainer(const policy::RedisPersistence& r) {
  return Obj({{"name", Str(kCopyRedisServerContainer)},
              {"image", Str(r.spec.workload.image)},
              {"command", StrList(CopyRedisServerCommand())},
              {"resources", ContainerResources("10m", "16Mi", int64_t{64} << 20)},
              {"securityContext", ContainerSecurityContext()},
              {"volumeMounts", Arr({Mount(kRedisBinVolume, kRedisBinDir)})}});
}

Json RedisContainer(const policy::RedisPersistence& r) {
  std::vector<Json> env = {EnvPodName()};
  if (const auto& ref = r.spec.workload.password_secret_ref) {
    env.push_back(EnvSecret("REDIS_PASSWORD", *ref));
    env.push_back(EnvSecret("REDISCLI_AUTH", *ref));  // for the readiness probe's redis-cli
  }
  std::vector<Json> mounts = DataMounts();
  mounts.push_back(Mount(kSocketVolume, kSocketDir));

  Json resources = Json::object();
  if (!r.spec.workload.resources.requests.empty())
    resources["requests"] = QuantityMap(r.spec.workload.resources.requests);
  if (!r.spec.workload.resources.limits.empty())
    resources["limits"] = QuantityMap(r.spec.workload.resources.limits);

  return Obj(
      {{"name", Str(kRedisContainer)},
       {"image", Str(r.spec.workload.image)},
       {"command", StrList(RedisCommand())},
       {"args", StrList(RedisArgs())},
       {"env", Arr(std::move(env))},
       {"ports", Arr({Port(kRedisPortName, kRedisPort)})},
       {"resources", resources},
       {"securityContext", ContainerSecurityContext()},
       {"volumeMounts", Arr(std::move(mounts))},
       // The port opens before the dataset is loaded: liveness survives a long load, while
       // readiness waits for PONG (LOADING is not PONG).
       {"livenessProbe", Obj({{"tcpSocket", Obj({{"port", Str(kRedisPortName)}})},
                              {"periodSeconds", Json::number(10)},
                              {"timeoutSeconds", Json::number(5)},
                              {"failureThreshold", Json::number(6)}})},
       {"readinessProbe", Obj({{"exec", Obj({{"command", StrList(RedisReadinessCommand())}})},
                               {"periodSeconds", Json::number(5)},
                               {"timeoutSeconds", Json::number(5)},
                               {"failureThreshold", Json::number(3)}})}});
}

Json SidecarContainer(const ResourceMeta& meta, const policy::RedisPersistence& r,
                      const RenderOptions& o) {
  std::vector<Json> mounts = DataMounts();
  mounts.push_back(Mount(kBackupVolume, kBackupDir));
  mounts.push_back(Mount(kSocketVolume, kSocketDir));
  if (r.spec.workload.password_secret_ref) mounts.push_back(Mount(kSecretVolume, kSecretDir, true));
  AddObjectStoreMount(r, mounts);
  mounts.push_back(Mount(kPeerTokenVolume, kPeerTokenDir, true));
  if (r.spec.workload.peer_tls_secret_name) mounts.push_back(Mount(kPeerTlsVolume, kPeerTlsDir, true));
  if (DrillsOn(r)) {
    mounts.push_back(Mount(kRedisBinVolume, kRedisBinDir, true));
    mounts.push_back(Mount(kDrillVolume, kDrillWorkDir));
  }
  return Obj({{"name", Str(kSidecarContainer)},
              {"image", Str(o.sidecar_image)},
              {"command", StrList({std::string(kSidecarBinary)})},
              {"args", StrList(SidecarRunArgs(meta, r))},
              {"env", Arr({EnvPodName()})},
              {"ports", Arr({Port(kSidecarPortName, kSidecarPort), Port(kPeerPortName, kPeerPort)})},
              {"resources", SidecarResources(SidecarMemoryLimit(r))},
              {"securityContext", ContainerSecurityContext()},
              {"volumeMounts", Arr(std::move(mounts))},
              // Ready = Redis answers and the policy is applied: gates the pod's readiness.
              {"readinessProbe", HttpProbe("/readyz", 5, 3)},
              {"livenessProbe", HttpProbe("/healthz", 10, 6)}});
}

std::vector<Json> PodVolumes(const ResourceMeta& meta, const policy::RedisPersistence& r) {
  std::vector<Json> volumes = {
      Obj({{"name", Str(kConfigVolume)},
           {"configMap", Obj({{"name", Str(ConfigMapName(meta))}})}}),
      Obj({{"name", Str(kSocketVolume)}, {"emptyDir", Json::object()}})};
  if (const auto& ref = r.spec.workload.password_secret_ref) {
    volumes.push_back(Obj(
        {{"name", Str(kSecretVolume)},
         {"secret", Obj({{"secretName", Str(ref->name)},
                         {"defaultMode", Json::number(0440)},
                         {"items", Arr({Obj({{"key", Str(ref->key)},
                                             {"path", Str(kPasswordFile)}})})}})}}));
  }
  if (const policy::ObjectStore* store = ObjectStoreOf(r)) volumes.push_back(ObjectStoreVolume(*store));
  // The set's peer token (peer_objects.h): created before the StatefulSet, so the pods find it.
  volumes.push_back(Obj(
      {{"name", Str(kPeerTokenVolume)},
       {"secret", Obj({{"secretName", Str(PeerTokenSecretName(meta))},
                       {"defaultMode", Json::number(0440)},
                       {"items", Arr({Obj({{"key", Str(kPeerTokenKey)}, {"path", Str(kPeerTokenKey)}})})}})}}));
  if (const auto& tls = r.spec.workload.peer_tls_secret_name) {
    std::vector<Json> items;
    for (const char* key : {"tls.crt", "tls.key", "ca.crt"})
      items.push_back(Obj({{"key", Str(key)}, {"path", Str(key)}}));
    volumes.push_back(Obj({{"name", Str(kPeerTlsVolume)},
                           {"secret", Obj({{"secretName", Str(*tls)},
                                           {"defaultMode", Json::number(0440)},
                                           {"items", Arr(std::move(items))}})}}));
  }
  // `tidemark-sidecar run` needs a store; without a backup volume (no scheduled backups) an
  // on-demand backup lands in pod-local scratch space.
  if (!r.spec.storage.backup)
    volumes.push_back(Obj({{"name", Str(kBackupVolume)}, {"emptyDir", Json::object()}}));
  // On the node's disk, never medium Memory: that would count against the memory limit. The
  // scratch directory holds one backup's copy for the length of a drill.
  if (DrillsOn(r)) {
    for (std::string_view name : {kRedisBinVolume, kDrillVolume})
      volumes.push_back(Obj({{"name", Str(name)}, {"emptyDir", Json::object()}}));
  }
  return volumes;
}

}  // namespace

Json ContainerSecurityContext() {
  return Obj({{"allowPrivilegeEscalation", Json::boolean(false)},
              {"readOnlyRootFilesystem", Json::boolean(true)},
              {"runAsNonRoot", Json::boolean(true)},
              {"capabilities", Obj({{"drop", StrList({"ALL"})}})},
              {"seccompProfile", Obj({{"type", Str("RuntimeDefault")}})}});
}

Json PodTemplate(const ResourceMeta& meta, const policy::RedisPersistence& r,
                 const RenderOptions& o) {
  Json annotations = Obj({{std::string(kConfigHashAnnotation), Str(ConfigHash(r, o))},
                          {"kubectl.kubernetes.io/default-container", Str(kRedisContainer)}});
  Json pod_security = Obj({{"runAsNonRoot", Json::boolean(true)},
                           {"runAsUser", Json::number(kRedisUid)},
                           {"runAsGroup", Json::number(kRedisUid)},
                           {"fsGroup", Json::number(kRedisUid)},
                           {"fsGroupChangePolicy", Str("OnRootMismatch")},
                           {"seccompProfile", Obj({{"type", Str("RuntimeDefault")}})}});
  std::vector<Json> init = {RestoreContainer(meta, r, o)};
  if (DrillsOn(r)) init.push_back(CopyRedisServerContainer(r));
  Json spec = Obj({{"automountServiceAccountToken", Json::boolean(false)},
                   {"enableServiceLinks", Json::boolean(false)},
                   // Redis saves on SIGTERM when save points are set: give it time.
                   {"terminationGracePeriodSeconds", Json::number(60)},
                   {"securityContext", pod_security},
                   {"initContainers", Arr(std::move(init))},
                   {"containers", Arr({RedisContainer(r), SidecarContainer(meta, r, o)})},
                   {"volumes", Arr(PodVolumes(meta, r))}});
  return Obj({{"metadata", Obj({{"labels", Labels(meta)}, {"annotations", annotations}})},
              {"spec", spec}});
}

}  // namespace tidemark::reconcile
