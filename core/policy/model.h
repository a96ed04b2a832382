// The typed RedisPersistence v1alpha1 resource: the one model the CLI, the operator and the sidecar
// share. Field names mirror the CRD (crds/tidemark.dev_redispersistences.yaml) in snake_case.
//
// A value of RedisPersistence comes from ParseRedisPersistence (parse.h): fields the manifest
// leaves out hold the defaults of defaults.h (default member initializers), except the few whose
// default depends on the mode; those are std::optional until ApplyDefaults (defaults.h) resolves
// them. Optional sections (`backup`, `storage.aof`, ...) are std::optional: absent means "off".
//
// Quantities are kept as the user wrote them (for messages and for round-tripping) and converted
// to bytes by quantity.h where a byte count is needed. Plain data: copyable, no invariants beyond
// what Validate (validate.h) checks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::policy {

inline constexpr std::string_view kApiVersion = "tidemark.dev/v1alpha1";
inline constexpr std::string_view kKind = "RedisPersistence";

// spec.mode: which of the strategies of the Redis persistence guide the instance follows.
enum class Mode {
  kRdb,     // point-in-time snapshots only (save points)
  kAof,     // append-only file only, no save points
  kHybrid,  // AOF with an RDB preamble, plus save points
  kNone,    // a cache: nothing persisted
};
enum class Fsync { kAlways, kEverysec, kNo };
enum class RestoreWhen { kAuto, kNever };
enum class RestoreSourceType { kLatest, kBackup, kPointInTime };
enum class DrillWhat { kNewest, kEveryNew };

std::string_view ModeName(Mode mode);
std::string_view FsyncName(Fsync fsync);
std::string_view RestoreWhenName(RestoreWhen when);
std::string_view RestoreSourceTypeName(RestoreSourceType type);
std::string_view DrillWhatName(DrillWhat what);  // "newest" | "everyNew"

struct SecretKeyRef {
  std::string name;  // required
  std::string key = "password";
};

// spec.workload.resources: the container's requests and limits, quantities by resource name.
struct Resources {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
};

struct Workload {
  std::string image = "redis:7.0";
  int64_t replicas = 1;  // 1 = standalone; more = replicas following pod 0
  Resources resources;
  std::optional<SecretKeyRef> password_secret_ref;
  // spec.workload.peerTLS.secretName: a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt, as
  // cert-manager writes them) that puts the sidecars' peer port on TLS with client certificates.
  std::optional<std::string> peer_tls_secret_name;
};

struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
  friend bool operator==(const SavePoint&, const SavePoint&) = default;
};

struct RdbSettings {
  // nullopt: not written in the manifest, resolved by ApplyDefaults from the mode.
  // An empty vector: explicitly no save points (`savePoints: []`).
  std::optional<std::vector<SavePoint>> save_points;
  bool compression = true;
  bool checksum = true;
  bool stop_writes_on_bgsave_error = true;
  std::string file_name = "dump.rdb";
};

// spec.aof.rewrite.window: rewrites the sidecar allows, as UTC wall-clock "HH:MM"; end < start
// means the window spans midnight.
struct TimeWindow {
  std::string start;
  std::string end;
};

struct AofRewrite {
  int64_t growth_percent = 100;         // 0 disables automatic rewrites
  std::string min_size = "64Mi";        // a Kubernetes quantity
  std::optional<std::string> max_size;  // enforced by the sidecar
  std::optional<TimeWindow> window;     // enforced by the sidecar
};

struct AofSettings {
  Fsync fsync = Fsync::kEverysec;
  bool rdb_preamble = true;
  bool timestamps = false;
  AofRewrite rewrite;
};

struct Volume {
  std::string size = "1Gi";
  std::optional<std::string> storage_class_name;
  std::vector<std::string> access_modes = {"ReadWriteOnce"};
};

struct Storage {
  Volume data;
  std::optional<Volume> aof;     // always refused by validation: see validate.cc, docs/policy.md
  std::optional<Volume> backup;  // where backups are kept; required by spec.backup
};

struct Retention {
  int64_t keep_last = 7;
  int64_t keep_daily = 7;
  int64_t keep_weekly = 4;
};

// spec.backup.destinations: where each backup goes.
enum class BackupDestinations { kLocal, kObjectStore, kBoth };
enum class Addressing { kPath, kVirtual };  // https://endpoint/bucket/key | https://bucket.endpoint/key
std::string_view BackupDestinationsName(BackupDestinations d);
std::string_view AddressingName(Addressing a);

// spec.backup.objectStore.credentials: the keys of one Secret (never inline values).
struct ObjectStoreCredentials {
  std::string secret_name;  // required
  std::string access_key_id_key = "accessKeyId";
  std::string secret_access_key_key = "secretAccessKey";
  std::optional<std::string> session_token_key;
};

// spec.backup.objectStore.caBundle: a PEM bundle from exactly one of a Secret or a ConfigMap.
struct CaBundle {
  std::optional<SecretKeyRef> secret_ref;     // key defaults to ca.crt (parse.cc)
  std::optional<SecretKeyRef> config_map_ref;  // same shape: a name and a key
};

// spec.backup.objectStore.encryption: client-side AES-256-GCM (docs/formats.md).
struct Encryption {
  SecretKeyRef key_secret_ref{"", "key"};  // 32 bytes, as 64 hex digits or base64
  std::string key_id;                      // required; written into every object it encrypts
};

// spec.backup.objectStore: an S3-compatible bucket, with its own retention.
struct ObjectStore {
  std::string endpoint;  // http(s)://host[:port], required
  std::string bucket;    // required
  std::string prefix;    // "" (the bucket's root) or key segments such as "prod/shop"
  std::string region = "us-east-1";
  Addressing addressing = Addressing::kPath;
  ObjectStoreCredentials credentials;
  std::optional<CaBundle> ca_bundle;
  std::optional<Encryption> encryption;
  Retention retention;
};

// spec.backup.drill: restore drills, each backup loaded into a scratch redis-server in the pod.
struct Drill {
  std::string schedule;                      // 5-field cron, required
  std::optional<std::string> memory_budget;  // byte quantity; absent: no limit
  DrillWhat what = DrillWhat::kNewest;
};

// spec.backup.
struct Backup {
  std::string schedule;  // 5-field cron, required
  Retention retention;   // of the backup volume
  bool verify_after_copy = true;
  bool allow_empty = false;  // may a zero-key snapshot rotate out a non-empty backup?
  // nullopt until ApplyDefaults: both with an objectStore, local without.
  std::optional<BackupDestinations> destinations;
  std::optional<ObjectStore> object_store;
  std::optional<Drill> drill;  // off unless set
};

struct RestoreSource {
  RestoreSourceType type = RestoreSourceType::kLatest;
  std::optional<std::string> backup_name;    // type kBackup
  std::optional<std::string> point_in_time;  // type kPointInTime, RFC 3339
};

struct Restore {
  RestoreWhen when = RestoreWhen::kAuto;
  RestoreSource source;
  bool allow_aof_tail_repair = true;
  // The most bytes a tail repair may cut (a byte quantity, int or string; "0": never cut). A torn
  // write after a crash is the last write Redis made: far below this unless values are huge;
  // a longer cut is for a person to look at (docs/reliability.md).
  std::string max_aof_tail_repair_bytes = "1Mi";
  // The overrides of the restore step's guards (docs/operator.md): start empty although the
  // instance once held data; accept backups of another instance ("namespace/name", the
  // disaster-recovery path).
  bool force_empty_start = false;
  std::optional<std::string> from_instance;
};

struct RedisPersistenceSpec {
  Workload workload;
  Mode mode = Mode::kRdb;
  RdbSettings rdb;
  AofSettings aof;
  Storage storage;
  std::optional<Backup> backup;
  Restore restore;
};

struct RedisPersistence {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_;  // empty when the manifest does not say
  RedisPersistenceSpec spec;
};

}  // namespace tidemark::policy
