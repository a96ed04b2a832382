// The StatefulSet's volumes over time. The API server refuses any change to a StatefulSet's
// volumeClaimTemplates (recorded: 11-statefulset-pvc.json), so:
//   - a larger size is planned claim by claim (kExpandClaim), for bound claims whose
//     StorageClass allows expansion; the templates keep the size they were created with, and a
//     claim created later at that size is expanded by the next pass;
//   - a smaller size is refused (claims never shrink) and reported;
//   - any other template change (a volume added or removed, class, access modes) needs a new
//     StatefulSet: the old one is deleted with its pods orphaned.
// Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/policy/model.h"
#include "operator/reconcile/plan.h"

namespace tidemark::reconcile {

// "" when the observed StatefulSet's claim templates have the desired names, classes and access
// modes (sizes are not compared); otherwise what differs, for the log and the status.
std::string ClaimTemplateDifference(const Json& observed_sts, const Json& desired_sts);

// Copies the observed templates' requested sizes into `desired_sts` (same template names).
void KeepObservedClaimSizes(Json& desired_sts, const Json& observed_sts);

struct ClaimPlan {
  std::vector<Action> expansions;
  std::vector<std::string> blocked;  // claims that cannot take the spec's size, and why
};

ClaimPlan PlanClaims(const ResourceMeta& meta, const policy::RedisPersistence& resource,
                     const Observed& observed);

}  // namespace tidemark::reconcile
