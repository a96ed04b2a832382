#include "operator/reconcile/plan.h"

#include "core/backup/utc_time.h"
#include "operator/reconcile/backup_request.h"
#include "operator/reconcile/claims.h"
#include "operator/reconcile/conditions.h"
#include "operator/reconcile/desired.h"
#include "operator/reconcile/peer_objects.h"
#include "operator/reconcile/plan_status.h"

namespace tidemark::reconcile {

namespace {

Action ApplyAction(const Json& object, std::string why) {
  return Action{ActionKind::kApply,
                GetString(object, "apiVersion").value_or(""),
                GetString(object, "kind").value_or(""),
                *GetString(*Find(object, "metadata"), "namespace"),
                *GetString(*Find(object, "metadata"), "name"),
                object,
                std::move(why)};
}

// Plans an apply of `desired` unless `observed` already holds it. apiVersion and kind are not
// compared: the items of a LIST do not carry them (only watch events and GETs do), and the
// cache is filled by both.
void ApplyIfNeeded(const std::optional<Json>& observed, const Json& desired,
                   std::vector<Action>& actions) {
  if (!observed) {
    actions.push_back(ApplyAction(desired, "absent"));
    return;
  }
  Json compared = desired;
  for (const char* type_meta : {"apiVersion", "kind"})
    if (compared.has_field(type_meta)) compared.erase(type_meta);
  if (auto where = Uncovered(*observed, compared)) {
    actions.push_back(ApplyAction(desired, "differs from the desired object at " +
                                               (where->empty() ? "the root" : *where)));
  }
}

// The on-demand backup record, moved on by what pod 0 reports; an event when its phase moves.
void TrackBackupRequest(ReconcilePlan& plan, const ResourceMeta& meta, const Observed& observed) {
  std::optional<SidecarReport> primary;
  if (auto it = observed.sidecars.find(PodName(meta, 0)); it != observed.sidecars.end() && it->second)
    if (auto r = ParseSidecarReport(*it->second, it->first)) primary = std::move(*r);
  plan.status.backup_request = AdvanceBackupRequest(
      observed.backup_request ? observed.backup_request : observed.status.backup_request,
      primary ? &*primary : nullptr);
  const auto& now = plan.status.backup_request;
  const auto& before = observed.status.backup_request;
  if (!now || (before && before->value == now->value && before->phase == now->phase)) return;
  if (now->phase == kRequestAccepted)
    plan.events.push_back({"Normal", "BackupRequested", now->value + ": " + now->message});
  else if (now->phase == kRequestSucceeded)
    plan.events.push_back({"Normal", "BackupSucceeded", now->value + ": " + now->message});
  else if (now->phase == kRequestFailed)
    plan.events.push_back({"Warning", "BackupRequestFailed", now->value + ": " + now->message});
}

// One event per restore check a sidecar reports (a new restore, or its check's result moved):
// verified Normal, unverifiable Warning; a mismatch is the Degraded condition's Warning.
void AddRestoreCheckEvent(ReconcilePlan& plan, const Observed& observed) {
  const auto& now = plan.status.last_restore;
  if (!now || !now->check) return;
  const auto& before = observed.status.last_restore;
  if (before && before->time == now->time && before->pod == now->pod && before->check &&
      before->check->result == now->check->result)
    return;
  const RestoreProof& c = *now->check;
  const std::string what = now->source + " on " + now->pod + ": ";
  const std::string note = c.reason ? *c.reason : "";
  if (c.result == "verified")
    plan.events.push_back({"Normal", std::string(reason::kRestoreVerified),
                           what + "DEBUG DIGEST " + c.actual_digest.value_or("?") +
                               " equals the backup's" + (note.empty() ? "" : " (" + note + ")")});
  else if (c.result == "unverifiable")
    plan.events.push_back({"Warning", std::string(reason::kRestoreUnverifiable), what + note});
}

// Conditions get this pass's generation, and keep their lastTransitionTime while their status
// stays the same; a status patch and events follow from what changed.
void Finish(ReconcilePlan& plan, const ResourceMeta& meta, const Observed& observed,
            std::vector<Condition> conditions, int64_t now) {
  TrackBackupRequest(plan, meta, observed);
  // One event per new drill a sidecar reports (lastDrill's time moved).
  if (const auto& d = plan.status.last_drill;
      d && (!observed.status.last_drill || observed.status.last_drill->time != d->time)) {
    const std::string text = d->backup + " on " + d->pod + (d->reason ? ": " + *d->reason : "");
    if (d->result == "success")
      plan.events.push_back({"Normal", std::string(reason::kDrillSucceeded), text});
    else if (d->result == "failure")
      plan.events.push_back({"Warning", std::string(reason::kDrillFailed), text});
    else
      plan.events.push_back({"Normal", std::string(reason::kDrillSkipped), text});
  }
  AddRestoreCheckEvent(plan, observed);
  const std::string now_text = backup::FormatIsoUtc(now);
  for (auto& c : conditions) {
    c.observed_generation = meta.generation;
    const Condition* before = observed.status.Find(c.type);
    c.last_transition_time =
        before && before->status == c.status ? before->last_transition_time : now_text;
    const bool transition = !before || before->status != c.status || before->reason != c.reason;
    if (!transition) continue;
    if (c.type == kCondDegraded && c.status == kTrue)
      plan.events.push_back({"Warning", c.reason, c.message});
    if (c.type == kCondReady && c.status == kTrue)
      plan.events.push_back({"Normal", c.reason, c.message});
  }
  plan.status.observed_generation = meta.generation;
  plan.status.conditions = std::move(conditions);
  if (plan.status != observed.status) {
    plan.actions.push_back(Action{ActionKind::kPatchStatus, std::string(kGroupVersion),
                                  std::string(kOwnerKind), meta.namespace_, meta.name,
                                  Obj({{"apiVersion", Str(kGroupVersion)},
                                       {"kind", Str(kOwnerKind)},
                                       {"metadata", Obj({{"name", Str(meta.name)},
                                                         {"namespace", Str(meta.namespace_)}})},
                                       {"status", StatusToJson(plan.status)}}),
                                  "status changed"});
  }
}

ReconcilePlan PlanInvalid(const ResourceMeta& meta, const policy::Problems& problems,
                          const Observed& observed, int64_t now) {
  std::vector<std::string> lines;
  for (const auto& p : problems) lines.push_back(p.ToString());
  const std::string message = Join(lines);
  ReconcilePlan plan;
  plan.status = observed.status;
  plan.status.phase = std::string(kPhaseFailed);
  std::vector<Condition> conditions;
  for (const auto& decl : ConditionDecls()) {
    if (decl.type == kCondReady) {
      conditions.push_back(MakeCondition(kCondReady, kFalse, reason::kInvalidSpec, message));
    } else if (decl.type == kCondDegraded) {
      conditions.push_back(MakeCondition(kCondDegraded, kTrue, reason::kInvalidSpec, message));
    } else if (const Condition* before = observed.status.Find(decl.type)) {
      conditions.push_back(*before);  // the running pods are unchanged: so is what we know
    } else {
      conditions.push_back(MakeCondition(decl.type, kUnknown, reason::kInvalidSpec,
                                "the spec is invalid: see the Ready condition"));
    }
  }
  Finish(plan, meta, observed, std::move(conditions), now);
  return plan;
}

}  // namespace

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kApply: return "apply";
    case ActionKind::kCreate: return "create";
    case ActionKind::kExpandClaim: return "expand-claim";
    case ActionKind::kDeleteOrphan: return "delete-orphan";
    case ActionKind::kPatchStatus: return "patch-status";
  }
  return "?";
}

ReconcilePlan Plan(const ResourceMeta& meta, const policy::Checked<policy::RedisPersistence>& spec,
                   const Observed& observed, const RenderOptions& options, int64_t now_unix) {
  if (!spec) return PlanInvalid(meta, spec.error(), observed, now_unix);
  const policy::RedisPersistence& r = *spec;
  DesiredObjects desired = RenderDesired(meta, r, options);
  ReconcilePlan plan;

  // 1. Objects: the ConfigMap first (pods mount it), then the Services, then the StatefulSet.
  ApplyIfNeeded(observed.config_map, desired.config_map, plan.actions);
  const bool config_changed = !plan.actions.empty();
  // The token before the pods that mount it; once: never compared, never rewritten.
  if (!observed.peer_token_secret && !observed.new_peer_secret_hex.empty())
    plan.actions.push_back(Action{ActionKind::kCreate, "v1", "Secret", meta.namespace_,
                                  PeerTokenSecretName(meta),
                                  PeerTokenSecret(meta, observed.new_peer_secret_hex), "absent"});
  ApplyIfNeeded(observed.headless_service, desired.headless_service, plan.actions);
  ApplyIfNeeded(observed.client_service, desired.client_service, plan.actions);
  // Switched off: one rendered before is left as it is (the operator deletes nothing it was
  // not asked to; docs/operator.md says how to remove it).
  if (desired.network_policy)
    ApplyIfNeeded(observed.network_policy, *desired.network_policy, plan.actions);

  std::optional<Condition> workload;  // set when the StatefulSet is not settled
  if (!observed.stateful_set) {
    plan.actions.push_back(ApplyAction(desired.stateful_set, "absent"));
    workload = MakeCondition(kCondReady, kFalse, reason::kProvisioning, "creating the StatefulSet");
  } else if (FindPath(*observed.stateful_set, {"metadata", "deletionTimestamp"})) {
    workload = MakeCondition(kCondReady, kFalse, reason::kReplacingStatefulSet,
                    "waiting for the old StatefulSet to be deleted");
  } else if (std::string diff = ClaimTemplateDifference(*observed.stateful_set, desired.stateful_set);
             !diff.empty()) {
    plan.actions.push_back(Action{ActionKind::kDeleteOrphan, "apps/v1", "StatefulSet",
                                  meta.namespace_, StatefulSetName(meta), Json(), diff});
    plan.events.push_back({"Normal", std::string(reason::kReplacingStatefulSet),
                           diff + ": re-creating the StatefulSet, pods keep running"});
    workload = MakeCondition(kCondReady, kFalse, reason::kReplacingStatefulSet, diff);
  } else {
    KeepObservedClaimSizes(desired.stateful_set, *observed.stateful_set);
    StampDesiredHash(desired.stateful_set);
    const size_t before = plan.actions.size();
    ApplyIfNeeded(observed.stateful_set, desired.stateful_set, plan.actions);
    if (plan.actions.size() != before)
      workload = MakeCondition(kCondReady, kFalse, reason::kProvisioning, "updating the StatefulSet");
  }

  // 2. Claims that must grow.
  ClaimPlan claims = PlanClaims(meta, r, observed);
  for (auto& a : claims.expansions) {
    plan.events.push_back({"Normal", "ExpandingVolume", "claim " + a.name + ": " + a.why});
    plan.actions.push_back(std::move(a));
  }

  // 3. Status.
  PassFacts facts{meta, r, observed, workload, config_changed, claims.blocked};
  std::vector<Condition> conditions = StatusOfPass(facts, plan.status);
  Finish(plan, meta, observed, std::move(conditions), now_unix);
  return plan;
}

}  // namespace tidemark::reconcile
