#include "operator/reconcile/conditions.h"

namespace tidemark::reconcile {

namespace {

constexpr ConditionDecl kConditions[] = {
    {kCondReady, "every pod of the current revision is ready and Redis is up in each"},
    {kCondConfigApplied, "every sidecar applied the current policy, without drift"},
    {kCondBackupHealthy, "the last scheduled backup succeeded"},
    {kCondBackupsRestorable, "the last restore drill loaded its backup with the recorded digest"},
    {kCondDegraded, "something needs a person's attention"},
};

constexpr ReasonDecl kReasons[] = {
    {kCondReady, kFalse, reason::kInvalidSpec,
     "the spec failed validation; the message lists every problem; nothing else is changed"},
    {kCondReady, kFalse, reason::kProvisioning,
     "the StatefulSet is being created or updated in this pass"},
    {kCondReady, kFalse, reason::kReplacingStatefulSet,
     "the claim templates changed: the StatefulSet is re-created, its pods keep running"},
    {kCondReady, kFalse, reason::kRollingUpdate, "pods are being moved to the current revision"},
    {kCondReady, kFalse, reason::kPodsNotReady, "fewer ready pods than replicas"},
    {kCondReady, kFalse, reason::kRedisDown, "a sidecar reports that its Redis does not answer"},
    {kCondReady, kTrue, reason::kPodsReady, "all replicas ready on the current revision"},
    {kCondConfigApplied, kFalse, reason::kApplying,
     "the ConfigMap changed in this pass; the sidecars apply it when kubelet refreshes it"},
    {kCondConfigApplied, kFalse, reason::kPending, "a sidecar has not applied the policy yet"},
    {kCondConfigApplied, kFalse, reason::kPolicyRefused, "a sidecar refused the policy files"},
    {kCondConfigApplied, kFalse, reason::kDrift,
     "a Redis runs with settings other than the policy's"},
    {kCondConfigApplied, kUnknown, reason::kSidecarUnreachable, "no status from some sidecar"},
    {kCondConfigApplied, kUnknown, reason::kInvalidSpec, "the spec is invalid (nothing known yet)"},
    {kCondConfigApplied, kTrue, reason::kApplied, "every sidecar applied the policy"},
    {kCondBackupHealthy, kTrue, reason::kNotConfigured, "spec.backup is not set"},
    {kCondBackupHealthy, kTrue, reason::kBackupSucceeded, "the last backup of every pod succeeded"},
    {kCondBackupHealthy, kFalse, reason::kBackupFailed, "a pod's last backup failed"},
    {kCondBackupHealthy, kFalse, reason::kBackupPartial,
     "a pod's last backup reached only some destinations of spec.backup.destinations; the "
     "message names the pod, the backup, each missing destination, its error and what to check"},
    {kCondBackupHealthy, kUnknown, reason::kNoBackupYet, "no backup has completed yet"},
    {kCondBackupHealthy, kUnknown, reason::kSidecarUnreachable, "no status from some sidecar"},
    {kCondBackupHealthy, kUnknown, reason::kInvalidSpec, "the spec is invalid (nothing known yet)"},
    {kCondBackupsRestorable, kTrue, reason::kNotConfigured, "spec.backup.drill is not set"},
    {kCondBackupsRestorable, kTrue, reason::kDrillSucceeded,
     "the last drill loaded its backup into a scratch Redis with the recorded keys and digest"},
    {kCondBackupsRestorable, kFalse, reason::kDrillFailed,
     "the last drill failed: the backup does not restore as recorded (checksum, version, keys "
     "or digest); the message says why"},
    {kCondBackupsRestorable, kUnknown, reason::kDrillSkipped,
     "the last drill was skipped (over the memory budget, or no backup)"},
    {kCondBackupsRestorable, kUnknown, reason::kNoDrillYet, "no drill has run yet"},
    {kCondBackupsRestorable, kUnknown, reason::kSidecarUnreachable, "no status from any sidecar"},
    {kCondBackupsRestorable, kUnknown, reason::kInvalidSpec,
     "the spec is invalid (nothing known yet)"},
    {kCondDegraded, kTrue, reason::kInvalidSpec, "the spec failed validation"},
    {kCondDegraded, kTrue, reason::kRedisDown, "a Redis does not answer its sidecar"},
    {kCondDegraded, kTrue, reason::kBackupFailed, "a backup failed"},
    {kCondDegraded, kTrue, reason::kBackupPartial, "a backup missed a destination (partial)"},
    {kCondDegraded, kTrue, reason::kPolicyRefused, "a sidecar refused the policy"},
    {kCondDegraded, kTrue, reason::kDrift, "a Redis drifted from the policy"},
    {kCondDegraded, kTrue, reason::kRestoreDigestMismatch,
     "after a restore, Redis's DEBUG DIGEST differs from the restored backup's digest (both in "
     "the message); nothing was overwritten"},
    {kCondDegraded, kTrue, reason::kDrillFailed, "a restore drill failed"},
    {kCondDegraded, kTrue, reason::kReplicaHeldBack,
     "a replica's sidecar holds it back (REPLICAOF a placeholder, data kept) because pod 0 came "
     "back older than it (empty, or restored from an older copy); the message names both "
     "replication states. A person decides: restore pod 0 from that replica, or accept pod 0's "
     "data (REPLICAOF pod 0 by hand, which flushes the replica)"},
    {kCondDegraded, kTrue, reason::kVolumeResizeBlocked,
     "a claim cannot take the spec's size: not bound yet, a StorageClass without "
     "allowVolumeExpansion, or a smaller size (claims never shrink)"},
    {kCondDegraded, kFalse, reason::kAsExpected, "nothing needs attention"},
};

}  // namespace

std::span<const ConditionDecl> ConditionDecls() { return kConditions; }
std::span<const ReasonDecl> ReasonDecls() { return kReasons; }

bool IsDeclared(std::string_view type, std::string_view status, std::string_view reason) {
  for (const auto& r : kReasons)
    if (r.type == type && r.status == status && r.reason == reason) return true;
  return false;
}

std::string ConditionsMarkdown() {
  std::string out = "| condition | status | reason | meaning |\n|---|---|---|---|\n";
  for (const auto& r : kReasons) {
    out += "| ";
    out += r.type;
    out += " | ";
    out += r.status;
    out += " | `";
    out += r.reason;
    out += "` | ";
    out += r.meaning;
    out += " |\n";
  }
  return out;
}

}  // namespace tidemark::reconcile
