// What `kubectl tidemark restore` will do, worked out before anything changes, and the text that
// says it. The mechanism is the one the operator and the sidecar support today
// (docs/operations.md#restore): restore.source in the spec, rendered by the operator into
// policy.json, read by each pod's restore init container when the pod next starts.
//   --to-time T   restore.source {type: pointInTime, pointInTime: T}; pod 0 is deleted and comes
//                 back on the same volumes: the local AOF is cut at T (originals kept as hard
//                 links in <appenddirname>.before-pitr-<time>/), or, when it cannot reach T, the
//                 newest verified snapshot at or before T is installed and what it replaces is
//                 renamed <path>.before-pitr-<time>. No snapshot at or before T: pod 0 does not
//                 start and nothing is changed.
//   --backup ID   restore.source {type: backup, backupName: ID}; pod 0's data claim and pod 0
//                 are deleted: local data that verifies outranks every backup, so the pinned
//                 backup is installed only on an empty volume. The old data volume is deleted
//                 by its StorageClass's reclaim policy, NOT kept aside.
// Replicas follow pod 0 and resynchronise from it. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kubectl-plugin/output.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

struct RestorePlan {
  std::string ns, name;
  std::string backup_id;  // --backup
  std::string to_time;    // --to-time, as given
  std::string pod0;
  std::string pod0_uid;
  std::string data_claim;               // deleted with --backup
  std::vector<std::string> replicas;    // pods 1..n-1 that exist
  std::string mode;                     // the policy's
  std::string current_source;           // "latest", "backup X", "pointInTime T"
  std::optional<std::string> fallback;  // --to-time: the newest verified backup at or before T
  reconcile::Json source_patch;         // the merge patch of spec.restore.source
};

// `view`: resource_view.h's document (policy, pods, backups). An error message when the request
// cannot be planned: unknown backup ID, T not RFC 3339 or in the future, no pod 0.
std::expected<RestorePlan, std::string> PlanRestore(const reconcile::Json& view,
                                                    const std::string& backup_id,
                                                    const std::string& to_time, int64_t now_unix,
                                                    const std::string& pod0_uid);

std::string DescribeRestore(const RestorePlan& plan, const Paint& paint);

}  // namespace tidemark::kubectl
