// Plan: one reconcile pass of a RedisPersistence as a pure function.
//
//   Plan(meta, spec-or-problems, observed, options, now) -> actions + status + events
//
// The controller observes (the objects by name, the claims by label, the StorageClasses, each
// pod's sidecar /v1/status, the resource's own .status), calls Plan, then performs the actions
// in order, stopping at the first failure (the next pass re-plans from what is then observed).
//
// Actions:
//   kApply         server-side apply of `body` (a whole object) with the operator's field
//                  manager; planned only when the live object does not already hold it
//                  (Covers() in json.h, desired-hash annotation included)
//   kExpandClaim   merge patch `body` ({"spec":{"resources":{"requests":{"storage":SIZE}}}}) to
//                  the PVC `name`: claim templates are immutable, so growth is done claim by
//                  claim, only for bound claims whose StorageClass allows expansion
//   kDeleteOrphan  delete the StatefulSet with propagationPolicy=Orphan: its claim templates
//                  must change (a volume added or removed, class or access modes); the pods
//                  keep running and the next pass creates the new StatefulSet, which adopts them
//   kCreate        create `body` (POST) and never write it again: the peer token Secret
//                  (peer_objects.h), created once and never rotated; 409 AlreadyExists is done
//   kPatchStatus   write `body` to the resource's status subresource: apiVersion, kind,
//                  metadata.name/namespace and the whole status, so it serves as a server-side
//                  apply (subresource "status") or a merge patch alike; planned only when the
//                  status differs from the observed one
// kDeleteOrphan needs DeleteOptions {"propagationPolicy": "Orphan"} (or the query parameter).
// An invalid spec plans the status (Ready=False, reason InvalidSpec, the validator's messages)
// and nothing else. When observed equals desired, the plan has no actions at all.
// Pure: no I/O, the time is `now_unix`; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/policy/model.h"
#include "core/policy/problems.h"
#include "operator/reconcile/json.h"
#include "operator/reconcile/names.h"
#include "operator/reconcile/status.h"

namespace tidemark::reconcile {

struct Observed {
  // The live objects by their names (names.h) as the API server returns them; nullopt: absent.
  std::optional<Json> config_map;
  std::optional<Json> headless_service;
  std::optional<Json> client_service;
  std::optional<Json> stateful_set;
  std::optional<Json> network_policy;
  // The peer token Secret (read by name each pass); nullopt: absent. Then
  // new_peer_secret_hex holds 64 hex digits of fresh random bytes for the one the pass creates
  // (the caller draws them: the plan is pure).
  std::optional<Json> peer_token_secret;
  std::string new_peer_secret_hex;
  // The PVCs of the resource (label selector: SelectorLabels), any order.
  std::vector<Json> claims;
  // storage.k8s.io/v1 StorageClass name -> allowVolumeExpansion. A class not listed is treated
  // as not expandable (the API server would refuse the patch).
  std::map<std::string, bool> storage_class_expandable;
  // Pod name -> the body of its sidecar's GET /v1/status; nullopt: asked, no answer. Pods not
  // in the map were not asked (e.g. not running).
  std::map<std::string, std::optional<std::string>> sidecars;
  // Pod name -> why its sidecar gave no status (no pod IP yet, connection refused, timeout),
  // for the pod's entry in status.pods[].
  std::map<std::string, std::string> sidecar_errors;
  // The on-demand backup request as this pass left it, when the controller claimed or sent it
  // (backup_request.h); nullopt: the record in `status` stands.
  std::optional<BackupRequest> backup_request;
  // The resource's .status as last written.
  RedisPersistenceStatus status;
};

enum class ActionKind { kApply, kCreate, kExpandClaim, kDeleteOrphan, kPatchStatus };
std::string_view ActionKindName(ActionKind kind);  // "apply", "expand-claim", ...

struct Action {
  ActionKind kind = ActionKind::kApply;
  std::string api_version;  // of the target: "v1", "apps/v1", "tidemark.dev/v1alpha1"
  std::string kind_name;    // "ConfigMap", "Service", "StatefulSet", "PersistentVolumeClaim", ...
  std::string namespace_;
  std::string name;
  Json body;
  std::string why;  // for the log: what differed
};

// A Kubernetes Event to record about the resource (events.k8s.io/v1).
struct EventNote {
  std::string type;    // "Normal" | "Warning"
  std::string reason;  // CamelCase
  std::string note;
  friend bool operator==(const EventNote&, const EventNote&) = default;
};

struct ReconcilePlan {
  std::vector<Action> actions;   // in order; kPatchStatus, when present, is last
  RedisPersistenceStatus status;  // what the status is after this pass
  std::vector<EventNote> events;
};

// `spec`: LoadRedisPersistence's answer for the resource's text. `meta`: from its metadata.
ReconcilePlan Plan(const ResourceMeta& meta, const policy::Checked<policy::RedisPersistence>& spec,
                   const Observed& observed, const RenderOptions& options, int64_t now_unix);

}  // namespace tidemark::reconcile
