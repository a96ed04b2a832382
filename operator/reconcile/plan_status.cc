#include "operator/reconcile/plan_status.h"

#include <cstdio>

#include "operator/reconcile/conditions.h"
#include "operator/reconcile/sidecar_report.h"

namespace tidemark::reconcile {

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

namespace {

// Each pod's report, in ordinal order; nullopt for a pod with no usable report.
struct PodView {
  std::string name;
  std::optional<SidecarReport> report;
  std::string error;  // why there is no report
};

std::vector<PodView> Pods(const ResourceMeta& meta, int64_t replicas, const Observed& observed) {
  std::vector<PodView> pods;
  for (int64_t i = 0; i < replicas; ++i) {
    PodView p{PodName(meta, i), std::nullopt, ""};
    auto it = observed.sidecars.find(p.name);
    if (it != observed.sidecars.end() && it->second) {
      if (auto r = ParseSidecarReport(*it->second, p.name))
        p.report = std::move(*r);
      else
        p.error = "its /v1/status is not a JSON object";
    }
    if (!p.report && p.error.empty()) {
      auto why = observed.sidecar_errors.find(p.name);
      p.error = why != observed.sidecar_errors.end() ? why->second : "no status from its sidecar";
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

}  // namespace

Condition MakeCondition(std::string_view type, std::string_view status, std::string_view reason,
                        std::string message) {
  return Condition{std::string(type), std::string(status), std::string(reason), std::move(message),
                   0, ""};
}

std::vector<Condition> StatusOfPass(const PassFacts& f, RedisPersistenceStatus& status) {
  const ResourceMeta& meta = f.meta;
  const Observed& observed = f.observed;
  const policy::RedisPersistence& r = f.resource;
  const int64_t replicas = r.spec.workload.replicas;

  // What the pods say.
  const std::vector<PodView> pods = Pods(meta, replicas, observed);
  std::vector<std::string> unreachable, redis_down, refused, drift, pending, backup_failed,
      backup_partial, restore_mismatch, held_back;
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
    if (s.last_backup_result == "partial")
      backup_partial.push_back(p.name + ": " +
                               s.last_backup_error.value_or("the backup missed a destination"));
    if (s.held_back_older) held_back.push_back(p.name + ": " + *s.held_back_older);
    if (s.restore && s.restore->result == "mismatch")
      restore_mismatch.push_back(p.name + ": restored backup " + s.restore->backup +
                                 ": DEBUG DIGEST " + s.restore->actual_digest +
                                 ", the backup's " + s.restore->expected_digest);
  }

  // Conditions.
  Condition ready;
  if (f.workload) {
    ready = *f.workload;
  } else {
    StsState s = ReadSts(*observed.stateful_set);
    const std::string n = std::to_string(replicas);
    if (s.observed_generation < s.generation) {
      ready = MakeCondition(kCondReady, kFalse, reason::kRollingUpdate,
                   "the StatefulSet controller has not yet seen generation " +
                       std::to_string(s.generation));
    } else if (!s.update_revision.empty() && s.current_revision != s.update_revision) {
      ready = MakeCondition(kCondReady, kFalse, reason::kRollingUpdate,
                   std::to_string(s.updated) + "/" + n + " pods on the current revision");
    } else if (s.ready < replicas || s.updated < replicas) {  // e.g. scaling up
      ready = MakeCondition(kCondReady, kFalse, reason::kPodsNotReady,
                   std::to_string(s.ready) + "/" + n + " pods ready");
    } else if (!redis_down.empty()) {
      ready = MakeCondition(kCondReady, kFalse, reason::kRedisDown, Join(redis_down));
    } else {
      ready = MakeCondition(kCondReady, kTrue, reason::kPodsReady, n + "/" + n + " pods ready");
    }
  }

  Condition config;
  if (f.config_changed) {
    config = MakeCondition(kCondConfigApplied, kFalse, reason::kApplying,
                  "persistence.conf or policy.json changed; each sidecar applies it when kubelet "
                  "refreshes the ConfigMap");
  } else if (!refused.empty()) {
    config = MakeCondition(kCondConfigApplied, kFalse, reason::kPolicyRefused, Join(refused));
  } else if (!drift.empty()) {
    config = MakeCondition(kCondConfigApplied, kFalse, reason::kDrift, Join(drift));
  } else if (!pending.empty()) {
    config = MakeCondition(kCondConfigApplied, kFalse, reason::kPending,
                  "not applied yet by " + Join(pending, ", "));
  } else if (!unreachable.empty()) {
    config = MakeCondition(kCondConfigApplied, kUnknown, reason::kSidecarUnreachable,
                  "no status from " + Join(unreachable, ", "));
  } else {
    config = MakeCondition(kCondConfigApplied, kTrue, reason::kApplied,
                  "every sidecar applied the policy");
  }

  // The newest backup any sidecar reports; never older than what the status already says
  // (a restarted sidecar forgets its last backup).
  status.last_backup = observed.status.last_backup;
  std::string last_backup_pod;
  for (const auto& p : pods) {
    if (!p.report || !p.report->last_backup_name || !p.report->last_backup_time) continue;
    auto& lb = status.last_backup;
    // A report's destinations are its last attempt's: they describe lastSuccess unless that
    // attempt failed as a whole (then the destinations of lastSuccess are not known any more).
    const std::string& result = p.report->last_backup_result.value_or("");
    const bool describes_it = result == "success" || result == "partial";
    if (lb && lb->name == *p.report->last_backup_name) {
      last_backup_pod = p.name;
      if (describes_it) lb->destinations = p.report->last_backup_destinations;
    }
    if (!lb || *p.report->last_backup_time > lb->time) {
      lb = LastBackup{*p.report->last_backup_name, *p.report->last_backup_time, std::nullopt,
                      std::nullopt, std::nullopt,
                      describes_it ? p.report->last_backup_destinations
                                   : std::vector<BackupDestination>{}};
      last_backup_pod = p.name;
    }
  }

  Condition backup;
  if (!r.spec.backup) {
    backup = MakeCondition(kCondBackupHealthy, kTrue, reason::kNotConfigured,
                  "spec.backup is not set: no scheduled backups");
  } else if (!backup_failed.empty()) {
    backup = MakeCondition(kCondBackupHealthy, kFalse, reason::kBackupFailed, Join(backup_failed));
  } else if (!backup_partial.empty()) {
    backup = MakeCondition(kCondBackupHealthy, kFalse, reason::kBackupPartial, Join(backup_partial));
  } else if (!last_backup_pod.empty()) {
    backup = MakeCondition(kCondBackupHealthy, kTrue, reason::kBackupSucceeded,
                  "last backup " + status.last_backup->name + " at " +
                      status.last_backup->time + " (" + last_backup_pod + ")");
  } else if (unreachable.size() == pods.size()) {
    backup = MakeCondition(kCondBackupHealthy, kUnknown, reason::kSidecarUnreachable,
                  "no status from " + Join(unreachable, ", "));
  } else {
    backup = MakeCondition(kCondBackupHealthy, kUnknown, reason::kNoBackupYet,
                  "no backup has completed yet (schedule " + r.spec.backup->schedule + ")");
  }

  // The newest drill any sidecar reports; kept across passes (a restarted sidecar forgets it).
  status.last_drill = observed.status.last_drill;
  for (const auto& p : pods)
    if (p.report && p.report->last_drill &&
        (!status.last_drill || p.report->last_drill->time > status.last_drill->time))
      status.last_drill = p.report->last_drill;
  Condition restorable;
  const auto& drill = status.last_drill;
  if (!r.spec.backup || !r.spec.backup->drill) {
    restorable = MakeCondition(kCondBackupsRestorable, kTrue, reason::kNotConfigured,
                               "spec.backup.drill is not set: no restore drills");
  } else if (!drill) {
    restorable = unreachable.size() == pods.size()
                     ? MakeCondition(kCondBackupsRestorable, kUnknown, reason::kSidecarUnreachable,
                                     "no status from " + Join(unreachable, ", "))
                     : MakeCondition(kCondBackupsRestorable, kUnknown, reason::kNoDrillYet,
                                     "no drill has run yet (schedule " +
                                         r.spec.backup->drill->schedule + ")");
  } else {
    const std::string what = "drill of " + drill->backup + " at " + drill->time + " (" +
                             drill->pod + ")";
    if (drill->result == "success") {
      std::string load;
      if (drill->load_seconds) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", *drill->load_seconds);
        load = ": loaded in " + std::string(buf) + " s, the expected recovery time";
      }
      restorable = MakeCondition(kCondBackupsRestorable, kTrue, reason::kDrillSucceeded, what + load);
    } else if (drill->result == "failure") {
      restorable = MakeCondition(kCondBackupsRestorable, kFalse, reason::kDrillFailed,
                                 what + ": " + drill->reason.value_or("failed"));
    } else {
      restorable = MakeCondition(kCondBackupsRestorable, kUnknown, reason::kDrillSkipped,
                                 what + ": " + drill->reason.value_or("skipped"));
    }
  }

  std::vector<std::pair<std::string_view, std::string>> problems;
  if (!redis_down.empty()) problems.push_back({reason::kRedisDown, Join(redis_down)});
  if (!backup_failed.empty()) problems.push_back({reason::kBackupFailed, Join(backup_failed)});
  if (!backup_partial.empty()) problems.push_back({reason::kBackupPartial, Join(backup_partial)});
  if (!refused.empty()) problems.push_back({reason::kPolicyRefused, Join(refused)});
  if (!drift.empty()) problems.push_back({reason::kDrift, Join(drift)});
  if (!restore_mismatch.empty())
    problems.push_back({reason::kRestoreDigestMismatch, Join(restore_mismatch)});
  if (!held_back.empty()) problems.push_back({reason::kReplicaHeldBack, Join(held_back)});
  if (restorable.reason == reason::kDrillFailed)
    problems.push_back({reason::kDrillFailed, restorable.message});
  if (!f.blocked_claims.empty())
    problems.push_back({reason::kVolumeResizeBlocked, Join(f.blocked_claims)});
  Condition degraded = MakeCondition(kCondDegraded, kFalse, reason::kAsExpected, "");
  if (!problems.empty()) {
    std::vector<std::string> messages;
    for (const auto& [why, text] : problems) messages.push_back(text);
    degraded = MakeCondition(kCondDegraded, kTrue, problems.front().first, Join(messages));
  }

  // Status members.
  // The newest restore any sidecar reports (RFC 3339 UTC times order as strings); kept when a
  // pod's record is gone or older. The same restore reported again by its pod is taken too: its
  // check arrives after the restore (once Redis loaded the backup).
  status.last_restore = observed.status.last_restore;
  for (const auto& p : pods) {
    if (!p.report || !p.report->last_restore) continue;
    const LastRestore& r = *p.report->last_restore;
    if (!status.last_restore || r.time > status.last_restore->time ||
        (r.time == status.last_restore->time && r.pod == status.last_restore->pod))
      status.last_restore = r;
  }
  for (size_t i = 0; i < pods.size(); ++i) {
    // A pod whose sidecar did not answer is listed as unreachable, with nothing older shown.
    PodHealth h;
    if (pods[i].report) {
      h = pods[i].report->health;
    } else {
      h.name = pods[i].name;
      h.reachable = false;
      h.message = pods[i].error;
    }
    if (!h.role) h.role = i == 0 ? "primary" : "replica";
    status.pods.push_back(std::move(h));
  }
  if (!observed.stateful_set) status.phase = std::string(kPhasePending);
  else if (degraded.status == kTrue) status.phase = std::string(kPhaseDegraded);
  else if (ready.status == kTrue) status.phase = std::string(kPhaseReady);
  else status.phase = std::string(kPhaseProvisioning);

  return {ready, config, backup, restorable, degraded};
}

}  // namespace tidemark::reconcile
