// The status conditions of a RedisPersistence and every reason they can carry: declared here
// once. docs/operator.md prints this table; a test checks every condition the planner writes
// is one of these rows.
//
//   Ready          every pod of the current StatefulSet revision is ready (Redis answers and
//                  its sidecar applied the policy) and no sidecar reports Redis down
//   ConfigApplied  every sidecar applied the current persistence.conf and policy.json, no drift
//   BackupHealthy  the last scheduled backup succeeded (True with NotConfigured when the spec
//                  asks for none)
//   BackupsRestorable  the last restore drill (spec.backup.drill) loaded its backup with the
//                  recorded digest (True with NotConfigured when no drills are asked for)
//   Degraded       something needs a person: invalid spec, Redis down, failed backup, refused
//                  policy or drift, a volume that cannot grow or shrink, a replica held back
//                  because pod 0 came back older than it
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace tidemark::reconcile {

inline constexpr std::string_view kCondReady = "Ready";
inline constexpr std::string_view kCondConfigApplied = "ConfigApplied";
inline constexpr std::string_view kCondBackupHealthy = "BackupHealthy";
inline constexpr std::string_view kCondBackupsRestorable = "BackupsRestorable";
inline constexpr std::string_view kCondDegraded = "Degraded";

inline constexpr std::string_view kTrue = "True";
inline constexpr std::string_view kFalse = "False";
inline constexpr std::string_view kUnknown = "Unknown";

namespace reason {
inline constexpr std::string_view kInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kProvisioning = "Provisioning";
inline constexpr std::string_view kReplacingStatefulSet = "ReplacingStatefulSet";
inline constexpr std::string_view kRollingUpdate = "RollingUpdate";
inline constexpr std::string_view kPodsNotReady = "PodsNotReady";
inline constexpr std::string_view kRedisDown = "RedisDown";
inline constexpr std::string_view kPodsReady = "PodsReady";
inline constexpr std::string_view kApplying = "Applying";
inline constexpr std::string_view kApplied = "Applied";
inline constexpr std::string_view kPending = "Pending";
inline constexpr std::string_view kPolicyRefused = "PolicyRefused";
inline constexpr std::string_view kDrift = "Drift";
inline constexpr std::string_view kSidecarUnreachable = "SidecarUnreachable";
inline constexpr std::string_view kNotConfigured = "NotConfigured";
inline constexpr std::string_view kBackupSucceeded = "BackupSucceeded";
inline constexpr std::string_view kBackupFailed = "BackupFailed";
inline constexpr std::string_view kBackupPartial = "BackupPartial";
inline constexpr std::string_view kNoBackupYet = "NoBackupYet";
inline constexpr std::string_view kVolumeResizeBlocked = "VolumeResizeBlocked";
inline constexpr std::string_view kAsExpected = "AsExpected";
inline constexpr std::string_view kDrillSucceeded = "DrillSucceeded";
inline constexpr std::string_view kDrillFailed = "DrillFailed";
inline constexpr std::string_view kDrillSkipped = "DrillSkipped";
inline constexpr std::string_view kNoDrillYet = "NoDrillYet";
inline constexpr std::string_view kRestoreDigestMismatch = "RestoreDigestMismatch";
// Event reasons of a restore's check (a mismatch is the Degraded condition's, above).
inline constexpr std::string_view kRestoreVerified = "RestoreVerified";
inline constexpr std::string_view kRestoreUnverifiable = "RestoreUnverifiable";
inline constexpr std::string_view kReplicaHeldBack = "ReplicaHeldBack";
}  // namespace reason

struct ConditionDecl {
  std::string_view type;
  std::string_view meaning;
};

struct ReasonDecl {
  std::string_view type;
  std::string_view status;
  std::string_view reason;
  std::string_view meaning;
};

// The five conditions, in the order the status lists them.
std::span<const ConditionDecl> ConditionDecls();
// Every (type, status, reason) the planner writes.
std::span<const ReasonDecl> ReasonDecls();
bool IsDeclared(std::string_view type, std::string_view status, std::string_view reason);
// The markdown table of docs/operator.md.
std::string ConditionsMarkdown();

}  // namespace tidemark::reconcile
