// What a pod's sidecar says about itself: its GET /v1/status JSON (sidecar/agent.h), read
// tolerantly. Members the operator uses:
//   redis.up                       bool
//   policy.applied, policy.error, policy.drift[]
//   backup.lastResult ("success" | "partial" | "failure" | null), backup.lastError,
//   backup.lastSuccess (a backup name), backup.lastSuccessAt, backup.nextScheduledAt (RFC 3339),
//   backup.destinations[] (the last attempt per destination: destination, result "success" |
//   "failure", error)
// and, when a sidecar reports them, the per-pod persistence health of the CRD's status.pods[]:
//   redis.role; persistence.lastSaveTime, lastSaveOk, aofSizeBytes, aofBaseSizeBytes,
//   aofRewriteInProgress; verification.result ("Passed" | "Failed" | "Unknown"), .message
// backup.pending and backup.running tell whether an on-demand backup is under way; aof.problem
// (the first problem the sidecar's AOF watcher found in the appended bytes) is a failed
// verification when the sidecar reports no verification of its own.
// lastDrill (time, backup, result, reason, keys, loadSeconds, peakMemoryBytes) is the pod's last
// restore drill; lastRestore the restore step's record (sidecar/restore_record.h): its
// check (result "verified" | "mismatch" | "unverifiable", expected, actual, reason) proves the
// backup (backup.name) that step installed; a record whose decision is not kept-local-data is
// also this pod's last restore (last_restore: time "at", source "backup/NAME", "replica/POD",
// "local" or "empty", reason with the copies compared, keys).
// holdBack (a replica's hold-back, sidecar/replica_guard.h: state, heldBack, primaryOlder,
// reason, replica and primary replication states) gives held_back_older when the replica is held
// because pod 0 is older than it: both positions in one sentence for the Degraded condition.
// A missing member reads as unknown, never as an error. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "operator/reconcile/status.h"

namespace tidemark::reconcile {

struct SidecarReport {
  std::optional<bool> redis_up;
  bool policy_applied = false;
  std::optional<std::string> policy_error;
  std::vector<std::string> drift;
  std::optional<std::string> last_backup_result;
  std::optional<std::string> last_backup_error;
  std::optional<std::string> last_backup_name;
  std::optional<std::string> last_backup_time;
  std::optional<std::string> next_backup_time;
  // backup.destinations[] as the status shows them (result "Succeeded" | "Failed").
  std::vector<BackupDestination> last_backup_destinations;
  bool backup_pending = false;  // backup.pending: a requested backup waits for its turn
  bool backup_running = false;  // backup.running
  std::optional<LastDrill> last_drill;  // lastDrill, with this pod's name
  struct RestoreCheck {
    std::string backup, result, expected_digest, actual_digest, reason;
  };
  std::optional<RestoreCheck> restore;
  std::optional<LastRestore> last_restore;
  // holdBack.heldBack and .primaryOlder: "<reason> (this replica: replid R offset N, K keys;
  // pod 0: replid R' offset N', K' keys)".
  std::optional<std::string> held_back_older;
  PodHealth health;  // name filled by the caller
};

// kInvalidArgument when the body is not a JSON object.
Result<SidecarReport> ParseSidecarReport(std::string_view body, const std::string& pod);

}  // namespace tidemark::reconcile
