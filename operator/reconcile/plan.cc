#include "operator/reconcile/plan.h"

#include "core/backup/utc_time.h"
#include "operator/reconcile/claims.h"
#include "operator/reconcile/conditions.h"
#include "operator/reconcile/desired.h"
#include "operator/reconcile/sidecar_report.h"

namespace tidemark::reconcile {

namespace {

Condition Cond(std::string_view type, std::string_view status, std::string_view reason,
               std::string message) {
  return Condition{std::string(type), std::string(status), std::string(reason), std::move(message),
                   0, ""};
}

std::string Join(const std::vector<std::string>& items, std::string_view sep = "; ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

Action ApplyAction(const Json& object, std::string why) {
  return Action{ActionKind::kApply,
                GetString(object, "apiVersion").value_or(""),
                GetString(object, "kind").value_or(""),
                *GetString(*Find(object, "metadata"), "namespace"),
                *GetString(*Find(object, "metadata"), "name"),
                object,
                std::move(why)};
}

// Plans an apply of `desired` unless `observed` already holds it.
void ApplyIfNeeded(const std::optional<Json>& observed, const Json& desired,
                   std::vector<Action>& actions) {
  if (!observed) {
    actions.push_back(ApplyAction(desired, "absent"));
  } else if (!Covers(*observed, desired)) {
    actions.push_back(ApplyAction(desired, "differs from the desired object"));
  }
}

// Each pod's report, in ordinal order; nullopt for a pod with no usable report.
struct PodView {
  std::string name;
  std::optional<SidecarReport> report;
};

std::vector<PodView> Pods(const ResourceMeta& meta, int64_t replicas, const Observed& observed) {
  std::vector<PodView> pods;
  for (int64_t i = 0; i < replicas; ++i) {
    PodView p{PodName(meta, i), std::nullopt};
    auto it = observed.sidecars.find(p.name);
    if (it != observed.sidecars.end() && it->second) {
      if (auto r = ParseSidecarReport(*it->second, p.name)) p.report = std::move(*r);
    }
    pods.push_back(std::move(p));
  }
  return pods;
}

struct StsState {
  bool deleting = false;
  int64_t generation = 0, observed_generation = 0, ready = 0, updated = 0;
  std::string current_revision, update_revision;
};

StsState ReadSts(const Json& sts) {
  StsState s;
  s.deleting = FindPath(sts, {"metadata", "deletionTimestamp"}) != nullptr;
  if (const Json* md = Find(sts, "metadata")) s.generation = GetInt(*md, "generation").value_or(0);
  if (const Json* st = Find(sts, "status")) {
    s.observed_generation = GetInt(*st, "observedGeneration").value_or(0);
    s.ready = GetInt(*st, "readyReplicas").value_or(0);
    s.updated = GetInt(*st, "updatedReplicas").value_or(0);
    s.current_revision = GetString(*st, "currentRevision").value_or("");
    s.update_revision = GetString(*st, "updateRevision").value_or("");
  }
  return s;
}

// Conditions get this pass's generation, and keep their lastTransitionTime while their status
// stays the same; a status patch and events follow from what changed.
void Finish(ReconcilePlan& plan, const ResourceMeta& meta, const Observed& observed,
            std::vector<Condition> conditions, int64_t now) {
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
                                  Obj({{"status", StatusToJson(plan.status)}}),
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
      conditions.push_back(Cond(kCondReady, kFalse, reason::kInvalidSpec, message));
    } else if (decl.type == kCondDegraded) {
      conditions.push_back(Cond(kCondDegraded, kTrue, reason::kInvalidSpec, message));
    } else if (const Condition* before = observed.status.Find(decl.type)) {
      conditions.push_back(*before);  // the running pods are unchanged: so is what we know
    } else {
      conditions.push_back(Cond(decl.type, kUnknown, reason::kInvalidSpec,
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
  const int64_t replicas = r.spec.workload.replicas;
  DesiredObjects desired = RenderDesired(meta, r, options);
  ReconcilePlan plan;

  // 1. Objects: the ConfigMap first (pods mount it), then the Services, then the StatefulSet.
  ApplyIfNeeded(observed.config_map, desired.config_map, plan.actions);
  const bool config_changed = !plan.actions.empty();
  ApplyIfNeeded(observed.headless_service, desired.headless_service, plan.actions);
  ApplyIfNeeded(observed.client_service, desired.client_service, plan.actions);

  std::optional<Condition> workload;  // set when the StatefulSet is not settled
  if (!observed.stateful_set) {
    plan.actions.push_back(ApplyAction(desired.stateful_set, "absent"));
    workload = Cond(kCondReady, kFalse, reason::kProvisioning, "creating the StatefulSet");
  } else if (ReadSts(*observed.stateful_set).deleting) {
    workload = Cond(kCondReady, kFalse, reason::kReplacingStatefulSet,
                    "waiting for the old StatefulSet to be deleted");
  } else if (std::string diff = ClaimTemplateDifference(*observed.stateful_set, desired.stateful_set);
             !diff.empty()) {
    plan.actions.push_back(Action{ActionKind::kDeleteOrphan, "apps/v1", "StatefulSet",
                                  meta.namespace_, StatefulSetName(meta), Json(), diff});
    plan.events.push_back({"Normal", std::string(reason::kReplacingStatefulSet),
                           diff + ": re-creating the StatefulSet, pods keep running"});
    workload = Cond(kCondReady, kFalse, reason::kReplacingStatefulSet, diff);
  } else {
    KeepObservedClaimSizes(desired.stateful_set, *observed.stateful_set);
    StampDesiredHash(desired.stateful_set);
    const size_t before = plan.actions.size();
    ApplyIfNeeded(observed.stateful_set, desired.stateful_set, plan.actions);
    if (plan.actions.size() != before)
      workload = Cond(kCondReady, kFalse, reason::kProvisioning, "updating the StatefulSet");
  }

  // 2. Claims that must grow.
  ClaimPlan claims = PlanClaims(meta, r, observed);
  for (auto& a : claims.expansions) {
    plan.events.push_back({"Normal", "ExpandingVolume", "claim " + a.name + ": " + a.why});
    plan.actions.push_back(std::move(a));
  }

  // 3. What the pods say.
  const std::vector<PodView> pods = Pods(meta, replicas, observed);
  std::vector<std::string> unreachable, redis_down, refused, drift, pending, backup_failed;
  for (const auto& p : pods) {
    if (!p.report) {
      unreachable.push_back(p.name);
      continue;
    }
    const SidecarReport& s = *p.report;
    if (s.redis_up == false) redis_down.push_back(p.name + ": Redis does not answer its sidecar");
    if (s.policy_error) refused.push_back(p.name + ": " + *s.policy_error);
    if (!s.drift.empty()) drift.push_back(p.name + ": " + Join(s.drift, ", "));
    if (!s.policy_applied && !s.policy_error) pending.push_back(p.name);
    if (s.last_backup_result == "failure")
      backup_failed.push_back(p.name + ": " + s.last_backup_error.value_or("backup failed"));
  }

  // 4. Conditions.
  Condition ready;
  if (workload) {
    ready = *workload;
  } else {
    StsState s = ReadSts(*observed.stateful_set);
    const std::string n = std::to_string(replicas);
    if (s.observed_generation < s.generation) {
      ready = Cond(kCondReady, kFalse, reason::kRollingUpdate,
                   "the StatefulSet controller has not yet seen generation " +
                       std::to_string(s.generation));
    } else if (s.updated < replicas ||
               (!s.update_revision.empty() && s.current_revision != s.update_revision)) {
      ready = Cond(kCondReady, kFalse, reason::kRollingUpdate,
                   std::to_string(s.updated) + "/" + n + " pods on the current revision");
    } else if (s.ready < replicas) {
      ready = Cond(kCondReady, kFalse, reason::kPodsNotReady,
                   std::to_string(s.ready) + "/" + n + " pods ready");
    } else if (!redis_down.empty()) {
      ready = Cond(kCondReady, kFalse, reason::kRedisDown, Join(redis_down));
    } else {
      ready = Cond(kCondReady, kTrue, reason::kPodsReady, n + "/" + n + " pods ready");
    }
  }

  Condition config;
  if (config_changed) {
    config = Cond(kCondConfigApplied, kFalse, reason::kApplying,
                  "persistence.conf or policy.json changed; each sidecar applies it when kubelet "
                  "refreshes the ConfigMap");
  } else if (!refused.empty()) {
    config = Cond(kCondConfigApplied, kFalse, reason::kPolicyRefused, Join(refused));
  } else if (!drift.empty()) {
    config = Cond(kCondConfigApplied, kFalse, reason::kDrift, Join(drift));
  } else if (!pending.empty()) {
    config = Cond(kCondConfigApplied, kFalse, reason::kPending,
                  "not applied yet by " + Join(pending, ", "));
  } else if (!unreachable.empty()) {
    config = Cond(kCondConfigApplied, kUnknown, reason::kSidecarUnreachable,
                  "no status from " + Join(unreachable, ", "));
  } else {
    config = Cond(kCondConfigApplied, kTrue, reason::kApplied,
                  "every sidecar applied the policy");
  }

  // The newest backup any sidecar reports; never older than what the status already says
  // (a restarted sidecar forgets its last backup).
  plan.status.last_backup = observed.status.last_backup;
  std::string last_backup_pod;
  for (const auto& p : pods) {
    if (!p.report || !p.report->last_backup_name || !p.report->last_backup_time) continue;
    auto& lb = plan.status.last_backup;
    if (lb && lb->name == *p.report->last_backup_name) last_backup_pod = p.name;
    if (!lb || *p.report->last_backup_time > lb->time) {
      lb = LastBackup{*p.report->last_backup_name, *p.report->last_backup_time, std::nullopt,
                      std::nullopt, std::nullopt};
      last_backup_pod = p.name;
    }
  }

  Condition backup;
  if (!r.spec.backup) {
    backup = Cond(kCondBackupHealthy, kTrue, reason::kNotConfigured,
                  "spec.backup is not set: no scheduled backups");
  } else if (!backup_failed.empty()) {
    backup = Cond(kCondBackupHealthy, kFalse, reason::kBackupFailed, Join(backup_failed));
  } else if (!last_backup_pod.empty()) {
    backup = Cond(kCondBackupHealthy, kTrue, reason::kBackupSucceeded,
                  "last backup " + plan.status.last_backup->name + " at " +
                      plan.status.last_backup->time + " (" + last_backup_pod + ")");
  } else if (unreachable.size() == pods.size()) {
    backup = Cond(kCondBackupHealthy, kUnknown, reason::kSidecarUnreachable,
                  "no status from " + Join(unreachable, ", "));
  } else {
    backup = Cond(kCondBackupHealthy, kUnknown, reason::kNoBackupYet,
                  "no backup has completed yet (schedule " + r.spec.backup->schedule + ")");
  }

  std::vector<std::pair<std::string_view, std::string>> problems;
  if (!redis_down.empty()) problems.push_back({reason::kRedisDown, Join(redis_down)});
  if (!backup_failed.empty()) problems.push_back({reason::kBackupFailed, Join(backup_failed)});
  if (!refused.empty()) problems.push_back({reason::kPolicyRefused, Join(refused)});
  if (!drift.empty()) problems.push_back({reason::kDrift, Join(drift)});
  if (!claims.blocked.empty())
    problems.push_back({reason::kVolumeResizeBlocked, Join(claims.blocked)});
  Condition degraded = Cond(kCondDegraded, kFalse, reason::kAsExpected, "");
  if (!problems.empty()) {
    std::vector<std::string> messages;
    for (const auto& [why, text] : problems) messages.push_back(text);
    degraded = Cond(kCondDegraded, kTrue, problems.front().first, Join(messages));
  }

  // 5. Status.
  plan.status.last_restore = observed.status.last_restore;
  for (size_t i = 0; i < pods.size(); ++i) {
    if (!pods[i].report) continue;
    PodHealth h = pods[i].report->health;
    if (!h.role) h.role = i == 0 ? "primary" : "replica";
    plan.status.pods.push_back(std::move(h));
  }
  if (!observed.stateful_set) plan.status.phase = std::string(kPhasePending);
  else if (degraded.status == kTrue) plan.status.phase = std::string(kPhaseDegraded);
  else if (ready.status == kTrue) plan.status.phase = std::string(kPhaseReady);
  else plan.status.phase = std::string(kPhaseProvisioning);

  Finish(plan, meta, observed, {ready, config, backup, degraded}, now_unix);
  return plan;
}

}  // namespace tidemark::reconcile
