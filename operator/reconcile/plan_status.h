// The status of one pass over a valid spec: the five conditions and the status members
// (phase, lastBackup, lastRestore, lastDrill, pods[]), from what the pass decided about the objects and
// what the StatefulSet and each pod's sidecar report. Internal to plan.cc; pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/policy/model.h"
#include "operator/reconcile/plan.h"

namespace tidemark::reconcile {

struct PassFacts {
  const ResourceMeta& meta;
  const policy::RedisPersistence& resource;
  const Observed& observed;
  std::optional<Condition> workload;  // Ready, when the StatefulSet is not settled this pass
  bool config_changed = false;        // the ConfigMap is applied this pass
  std::vector<std::string> blocked_claims;
};

// Fills `status`'s phase, lastBackup, lastRestore, lastDrill and pods; returns Ready,
// ConfigApplied, BackupHealthy, BackupsRestorable and Degraded (observedGeneration and lastTransitionTime not yet set).
std::vector<Condition> StatusOfPass(const PassFacts& facts, RedisPersistenceStatus& status);

// Items joined by `sep`, for condition messages ("a; b").
std::string Join(const std::vector<std::string>& items, std::string_view sep = "; ");

Condition MakeCondition(std::string_view type, std::string_view status, std::string_view reason,
                        std::string message);

}  // namespace tidemark::reconcile
