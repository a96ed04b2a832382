// The RedisPersistence status as C++ values, matching the CRD's status schema
// (crds/tidemark.dev_redispersistences.yaml: observedGeneration, phase, conditions, lastBackup,
// lastRestore, lastDrill, pods, backupRequest), with the JSON mapping both ways. Optional members are omitted from the
// JSON when unset. Reading is tolerant: unknown or mistyped members are skipped, so a status
// written by a newer operator never stops an older one. Plain values; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/reconcile/json.h"

namespace tidemark::reconcile {

// metav1.Condition.
struct Condition {
  std::string type;    // conditions.h: Ready, ConfigApplied, BackupHealthy, Degraded
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339, UTC
  friend bool operator==(const Condition&, const Condition&) = default;
};

// Where a backup went: one destination of spec.backup.destinations ("local", "objectStore"),
// "Succeeded" or "Failed", and for Failed why (the sidecar's error, with what to do).
struct BackupDestination {
  std::string destination;
  std::string result;
  std::optional<std::string> message;
  friend bool operator==(const BackupDestination&, const BackupDestination&) = default;
};

struct LastBackup {
  std::string name;
  std::string time;
  std::optional<int64_t> size_bytes;
  std::optional<std::string> sha256;
  std::optional<int64_t> keys;
  // As the pod that took it reported them; empty when not known (a sidecar that does not report
  // destinations, or whose last attempt since failed as a whole). A Failed entry: the backup is
  // partial, on the other destinations only.
  std::vector<BackupDestination> destinations = {};
  friend bool operator==(const LastBackup&, const LastBackup&) = default;
};

// The restore proof of an installed backup (the sidecar's lastRestore.check): Redis's DEBUG
// DIGEST once it loaded the backup against the backup's digest.
struct RestoreProof {
  std::string result;  // "verified" | "mismatch" | "unverifiable"
  std::optional<std::string> expected_digest, actual_digest;
  std::optional<std::string> reason;  // why unverifiable or different; a note when verified
  friend bool operator==(const RestoreProof&, const RestoreProof&) = default;
};

struct LastRestore {
  std::string time, pod, source, reason;
  std::optional<int64_t> keys;
  std::optional<RestoreProof> check = std::nullopt;  // a backup installed and checked by `run`
  friend bool operator==(const LastRestore&, const LastRestore&) = default;
};

// The last restore drill a sidecar ran (its /v1/status lastDrill), with the pod that ran it.
struct LastDrill {
  std::string time, pod, backup, result;  // result: "success" | "failure" | "skipped"
  std::optional<std::string> reason;
  std::optional<int64_t> keys;
  std::optional<double> load_seconds;
  std::optional<int64_t> peak_memory_bytes;
  friend bool operator==(const LastDrill&, const LastDrill&) = default;
};

struct PodHealth {
  std::string name;
  std::optional<std::string> role;  // "primary" | "replica"
  std::optional<std::string> last_save_time;
  std::optional<bool> last_save_ok;
  std::optional<int64_t> aof_size_bytes;
  std::optional<int64_t> aof_base_size_bytes;
  std::optional<bool> aof_rewrite_in_progress;
  std::optional<std::string> verification;  // "Passed" | "Failed" | "Unknown"
  std::optional<std::string> verification_message;
  // Whether the pod's sidecar answered GET /v1/status in the last pass; when it did not,
  // `message` says why (no pod IP yet, connection refused, timeout, not JSON) and the members
  // above stay unset: nothing older is shown as current.
  std::optional<bool> reachable;
  std::optional<bool> redis_up;
  std::optional<std::string> message;
  friend bool operator==(const PodHealth&, const PodHealth&) = default;
};

// The on-demand backup asked for with the annotation tidemark.dev/backup-now: which value was
// handled (so it is never handled twice, also after an operator restart or a leader change),
// and how far it got. Phases:
//   Requested  claimed by the operator (written before the sidecar is asked); not yet known to
//              have reached pod 0's sidecar
//   Accepted   pod 0's sidecar took the request (POST /v1/backups answered 202)
//   Succeeded  pod 0 reports a successful backup completed at or after `time`
//   Failed     the sidecar refused the request or reports the backup failed
struct BackupRequest {
  std::string value;
  std::string phase;
  std::string time;  // when the operator asked (RFC 3339, UTC)
  std::string pod;   // the pod asked
  std::string message;
  friend bool operator==(const BackupRequest&, const BackupRequest&) = default;
};

// Phases, as the CRD's enum.
inline constexpr std::string_view kPhasePending = "Pending";
inline constexpr std::string_view kPhaseProvisioning = "Provisioning";
inline constexpr std::string_view kPhaseRestoring = "Restoring";
inline constexpr std::string_view kPhaseReady = "Ready";
inline constexpr std::string_view kPhaseDegraded = "Degraded";
inline constexpr std::string_view kPhaseFailed = "Failed";

struct RedisPersistenceStatus {
  std::optional<int64_t> observed_generation;
  std::string phase;  // empty: not set
  std::vector<Condition> conditions;
  std::optional<LastBackup> last_backup;
  std::optional<LastRestore> last_restore;
  std::optional<LastDrill> last_drill;
  std::vector<PodHealth> pods;
  std::optional<BackupRequest> backup_request;
  friend bool operator==(const RedisPersistenceStatus&, const RedisPersistenceStatus&) = default;

  const Condition* Find(std::string_view type) const;
};

Json StatusToJson(const RedisPersistenceStatus& status);
// A restore check object (the status's lastRestore.check, with the digests under
// "expectedDigest"/"actualDigest", or a sidecar's lastRestore.check, "expected"/"actual");
// nullopt when it has no result.
std::optional<RestoreProof> RestoreProofFromJson(const Json& check, std::string_view expected_key,
                                                 std::string_view actual_key);
// A lastDrill object (the status's, or a sidecar's /v1/status lastDrill) attributed to `pod`.
LastDrill LastDrillFromJson(const Json& drill, const std::string& pod);
// From the resource's `.status` (null or absent: an empty status).
RedisPersistenceStatus StatusFromJson(const Json& status);

}  // namespace tidemark::reconcile
