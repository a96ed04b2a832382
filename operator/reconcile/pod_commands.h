// The command lines of a Tidemark pod's containers, kept apart from the manifests so tests can
// check them against the binaries that will run them (`tidemark-sidecar run|restore` accept
// exactly these flags; tests/operator/reconcile/sidecar_flags_test.cc asks the binary).
//
//   restore (init)  tidemark-sidecar restore --data-dir /data --policy .../policy.json
//                     [--store /backup] [--allow-empty] --instance NS/NAME --instance-uid UID
//                     --replica-unless-pod-0 [--max-rdb-version N]
//                     --peers $(TIDEMARK_PEERS) --peer-token-file /etc/tidemark/peer/token
//                     [--peer-tls-cert D/tls.crt --peer-tls-key D/tls.key --peer-tls-ca D/ca.crt]
//                   (D = /etc/tidemark/peer-tls, with spec.workload.peerTLS; the peers are then
//                   https URLs)
//                   TIDEMARK_PEERS comes from the ConfigMap's `peers` (PeerUrls: pods
//                   1..N-1's sidecars), expanded by kubelet when the container starts, so a
//                   scale changes the ConfigMap, never the pod template; the restore step asks
//                   them only on pod 0 (--replica-unless-pod-0 tells it which pod it is).
//   redis           sh -c SCRIPT redis-server .../persistence.conf --dir /data --port 6379 ...
//                   SCRIPT adds --requirepass/--masterauth "$REDIS_PASSWORD" when the Secret is
//                   set (never inline in the manifest), and `--replicaof 127.0.0.1 1` (the
//                   hold-back's placeholder: the sidecar points it at pod 0 once pod 0 is not
//                   older than it) on every pod but ordinal 0 ($POD_NAME ends in -0), then
//                   execs redis-server, so Redis is the container's main process and gets SIGTERM.
//   sidecar         tidemark-sidecar run --redis unix:/run/redis/redis.sock --store /backup
//                     --policy ... --redis-conf ... --data-dir /data --listen 0.0.0.0:9121
//                     --instance NS/NAME --instance-uid UID
//                     [--password-file /etc/tidemark/secret/password]
//                     --peer-listen 0.0.0.0:9122 --peer-token-file /etc/tidemark/peer/token
//                     (serves GET /v1/snapshot and /v1/replication to the set's pods)
//                     --primary-peer http(s)://NAME-0.NAME-headless.NS.svc:9122 --primary-redis ...svc:6379
//                     --holdback-placeholder 127.0.0.1:1 --replica-unless-pod-0
//                     (a replica's hold-back; ignored on pod 0) [--peer-tls-* as for restore]
//                     [--redis-server /tidemark/redis-bin/redis-server --work-dir /tidemark/drill]
//                     (the last two when drills are on)
//   copy-redis-server (init, drills on; the Redis image)
//                   sh -c SCRIPT copy-redis-server /tidemark/redis-bin/redis-server
//                   SCRIPT copies `command -v redis-server` of the Redis image there, so drills
//                   run the pod's own Redis build; it exits 0 even when it cannot (the drill
//                   then fails red and says why: Redis must start regardless).
// None of them depends on a live-applicable setting (restart_table.h): changing one of those
// never changes the pod template. Precondition everywhere: a valid, defaulted spec. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/model.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

inline constexpr std::string_view kSidecarBinary = "tidemark-sidecar";

// spec.backup.drill is set: the pod gets the copy step, its volumes and the sidecar's flags.
bool DrillsOn(const policy::RedisPersistence& resource);

std::vector<std::string> CopyRedisServerCommand();  // {"sh", "-c", SCRIPT, $0, destination}
std::vector<std::string> RedisCommand();  // {"sh", "-c", SCRIPT, "redis-server"}
std::vector<std::string> RedisArgs();     // the arguments SCRIPT passes on to redis-server
std::vector<std::string> RedisReadinessCommand();
std::vector<std::string> SidecarRunArgs(const ResourceMeta& meta,
                                        const policy::RedisPersistence& resource);  // "run", ...
// "restore", ...; `meta` gives the instance's lineage (namespace/name, uid).
// The restore step's environment variable holding the peers, and the ConfigMap key it reads.
inline constexpr std::string_view kPeersEnv = "TIDEMARK_PEERS";
inline constexpr std::string_view kPeersKey = "peers";
std::string PeerTokenFile();  // /etc/tidemark/peer/token

std::vector<std::string> RestoreArgs(const ResourceMeta& meta,
                                     const policy::RedisPersistence& resource);

// The newest RDB version the image's Redis loads, from its tag ("redis:7.2.4-alpine" -> 11):
// 6.x 9, 7.0 10, 7.2 11, 7.4 and 8.0 12. nullopt for a tag that names no known version
// ("latest", "7", a digest only): the restore step then uses its own default.
std::optional<int> MaxRdbVersionForImage(std::string_view image);

}  // namespace tidemark::reconcile
