#include "operator/reconcile/pod_commands.h"

#include "core/backup/rdb_versions.h"
#include "operator/reconcile/names.h"
#include "operator/reconcile/peer_objects.h"

namespace tidemark::reconcile {

namespace {

std::string S(std::string_view v) { return std::string(v); }

std::string ConfigFile(std::string_view key) { return S(kConfigDir) + "/" + S(key); }

// $POD_NAME is NAME-ORDINAL; ${POD_NAME##*-} is the ordinal. Quoted expansions only, so a
// password with spaces or quotes reaches Redis as one argument.
// A replica starts at the hold-back's placeholder, not at pod 0: its sidecar points it at pod 0
// once pod 0 is known not to be older (a Redis started at pod 0 would connect within a second,
// before its sidecar could hold it, and full-resync from an empty or older pod 0).
std::string RedisScript() {
  return "if [ -n \"${REDIS_PASSWORD:-}\" ]; then "
         "set -- \"$@\" --requirepass \"$REDIS_PASSWORD\" --masterauth \"$REDIS_PASSWORD\"; fi; "
         "if [ \"${POD_NAME##*-}\" != \"0\" ]; then "
         "set -- \"$@\" --replicaof " + S(kHoldbackPlaceholderHost) + " " +
         std::to_string(kHoldbackPlaceholderPort) + "; fi; "
         "exec redis-server \"$@\"";
}

// The lineage backups record and a restore accepts (core/backup/lineage.h).
void AddInstanceArgs(const ResourceMeta& meta, std::vector<std::string>& args) {
  args.insert(args.end(), {"--instance", meta.namespace_ + "/" + meta.name, "--instance-uid",
                           meta.uid});
}

// Never fails the pod: drills are a check, Redis must start without them. A drill then fails
// red naming the missing binary. Copied under a temporary name first, so the sidecar never sees
// half a binary; the old copy goes when this image has none.
constexpr std::string_view kCopyRedisServerScript =
    "dst=\"$1\"; "
    "if src=$(command -v redis-server) && cp \"$src\" \"$dst.tmp\" && mv -f \"$dst.tmp\" \"$dst\"; "
    "then echo \"copied $src to $dst for restore drills\"; "
    "else rm -f \"$dst\" \"$dst.tmp\"; "
    "echo \"cannot copy this image's redis-server to $dst: restore drills will fail and say so\" >&2; fi";

// With peerTLS the same certificate serves both sides: the sidecar's peer port presents it and
// accepts clients it signed; the restore step (and a replica's hold-back) verify the peers with
// the CA and present it as their client certificate. The token is sent all the same.
void AddPeerTlsArgs(const policy::RedisPersistence& r, std::vector<std::string>& args) {
  if (!r.spec.workload.peer_tls_secret_name) return;
  const std::string dir = S(kPeerTlsDir) + "/";
  args.insert(args.end(), {"--peer-tls-cert", dir + "tls.crt", "--peer-tls-key", dir + "tls.key",
                           "--peer-tls-ca", dir + "ca.crt"});
}

}  // namespace

bool DrillsOn(const policy::RedisPersistence& r) { return r.spec.backup && r.spec.backup->drill; }

std::vector<std::string> CopyRedisServerCommand() {
  return {"sh", "-c", S(kCopyRedisServerScript), "copy-redis-server", S(kDrillRedisServer)};
}

std::vector<std::string> RedisCommand() { return {"sh", "-c", RedisScript(), "redis-server"}; }

std::vector<std::string> RedisArgs() {
  return {ConfigFile(kConfKey),
          "--dir", S(kDataDir),
          "--port", std::to_string(kRedisPort),
          // Replicas reach pod 0 over TCP; with no password, protected mode would refuse them.
          "--protected-mode", "no",
          "--unixsocket", S(kSocketPath),
          "--unixsocketperm", "700"};
}

std::vector<std::string> RedisReadinessCommand() {
  // REDISCLI_AUTH comes from the Secret when one is set; LOADING or an error is not PONG.
  return {"sh", "-c", "redis-cli -s " + S(kSocketPath) + " ping | grep -q PONG"};
}

std::vector<std::string> SidecarRunArgs(const ResourceMeta& meta,
                                        const policy::RedisPersistence& r) {
  std::vector<std::string> args = {"run",
                                   "--redis", "unix:" + S(kSocketPath),
                                   "--store", S(kBackupDir),
                                   "--policy", ConfigFile(kPolicyKey),
                                   "--redis-conf", ConfigFile(kConfKey),
                                   "--data-dir", S(kDataDir),
                                   "--listen", "0.0.0.0:" + std::to_string(kSidecarPort)};
  AddInstanceArgs(meta, args);
  if (r.spec.workload.password_secret_ref) {
    args.push_back("--password-file");
    args.push_back(S(kSecretDir) + "/" + S(kPasswordFile));
  }
  // Pod 0's restore step may ask a replica's sidecar for a snapshot (peer_objects.h), on a port
  // of its own that the NetworkPolicy opens to the set's pods only.
  args.insert(args.end(), {"--peer-listen", "0.0.0.0:" + std::to_string(kPeerPort),
                           "--peer-token-file", PeerTokenFile()});
  // A replica's hold-back (issue #11): pod 0's sidecar (its peer port) and Redis, and the
  // placeholder the Redis script starts replicas at; ignored on pod 0.
  args.insert(args.end(),
              {"--primary-peer", PeerUrl(meta, 0, r.spec.workload.peer_tls_secret_name.has_value()),
               "--primary-redis", PrimaryHost(meta) + ":" + std::to_string(kRedisPort),
               "--holdback-placeholder",
               S(kHoldbackPlaceholderHost) + ":" + std::to_string(kHoldbackPlaceholderPort),
               "--replica-unless-pod-0"});
  AddPeerTlsArgs(r, args);
  if (DrillsOn(r))
    args.insert(args.end(), {"--redis-server", S(kDrillRedisServer), "--work-dir", S(kDrillWorkDir)});
  return args;
}

std::vector<std::string> RestoreArgs(const ResourceMeta& meta,
                                     const policy::RedisPersistence& r) {
  std::vector<std::string> args = {"restore", "--data-dir", S(kDataDir), "--policy",
                                   ConfigFile(kPolicyKey)};
  if (r.spec.storage.backup) {
    args.push_back("--store");
    args.push_back(S(kBackupDir));
  }
  // A new instance may start empty; one with evidence of earlier data (a backup in a store,
  // unusable local files, the lineage marker) may not: the restore step tells them apart.
  if (r.spec.restore.when == policy::RestoreWhen::kAuto) args.push_back("--allow-empty");
  AddInstanceArgs(meta, args);
  // The Redis script's rule: pods other than -0 start as replicas and sync from pod 0.
  args.push_back("--replica-unless-pod-0");
  if (auto v = MaxRdbVersionForImage(r.spec.workload.image)) {
    args.push_back("--max-rdb-version");
    args.push_back(std::to_string(*v));
  }
  // The freshest replica competes with the backups when pod 0's data is gone (issue #11).
  args.insert(args.end(), {"--peers", "$(" + S(kPeersEnv) + ")", "--peer-token-file", PeerTokenFile()});
  AddPeerTlsArgs(r, args);
  return args;
}

std::string PeerTokenFile() { return S(kPeerTokenDir) + "/" + S(kPeerTokenKey); }

std::optional<int> MaxRdbVersionForImage(std::string_view image) {
  if (auto slash = image.rfind('/'); slash != std::string_view::npos) image.remove_prefix(slash + 1);
  if (auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  auto colon = image.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return backup::MaxRdbVersionForRedis(image.substr(colon + 1));
}

}  // namespace tidemark::reconcile
