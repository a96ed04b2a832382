// `restore NAME (--backup ID | --to-time T) [--yes] [--wait]`: restore_plan.h says what happens.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <thread>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/follow.h"
#include "kubectl-plugin/output.h"
#include "kubectl-plugin/resource_view.h"
#include "kubectl-plugin/restore_plan.h"

namespace tidemark::kubectl {

using reconcile::Json;

namespace {

Outcome PatchSource(kube::KubeClient& client, const RestorePlan& plan, const Json& source,
                    int64_t* generation) {
  Json patch = reconcile::Obj(
      {{"spec", reconcile::Obj({{"restore", reconcile::Obj({{"source", source}})}})}});
  kube::WriteOptions write;
  write.field_manager = "kubectl-tidemark";
  auto patched = client.Patch(kube::resources::RedisPersistences(), plan.ns, plan.name,
                              kube::PatchType::kMerge, patch.serialize(), write);
  if (!patched)
    return FromKubeError(patched.error(),
                         "patch redispersistences.tidemark.dev " + plan.ns + "/" + plan.name);
  if (generation != nullptr) *generation = patched->generation;
  return Ok();
}

// Until pod 0 is back (another uid) and Ready, or the deadline.
Outcome AwaitPodBack(kube::KubeClient& client, const RestorePlan& plan,
                     std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string shown;
  while (std::chrono::steady_clock::now() < deadline) {
    auto pod = client.Get(kube::resources::Pods(), plan.ns, plan.pod0);
    std::string state = "waiting for " + plan.pod0 + " to be recreated";
    if (pod && pod->uid != plan.pod0_uid) {
      Json p = reconcile::ParseJson(pod->json, plan.pod0).value_or(Json::object());
      const Json* status = reconcile::Find(p, "status");
      const std::string phase =
          status ? reconcile::GetString(*status, "phase").value_or("Pending") : "Pending";
      bool ready = false;
      if (const Json* conditions = status ? reconcile::Find(*status, "conditions") : nullptr) {
        for (const Json& c : conditions->as_array())
          ready = ready || (reconcile::GetString(c, "type") == "Ready" &&
                            reconcile::GetString(c, "status") == "True");
      }
      state = plan.pod0 + " recreated: " + phase + (ready ? ", ready" : "");
      if (ready) {
        std::fprintf(stderr, "%s\n", state.c_str());
        return Ok();
      }
    } else if (!pod && !pod.error().IsNotFound()) {
      return FromKubeError(pod.error(), "get pod " + plan.ns + "/" + plan.pod0);
    }
    if (state != shown) std::fprintf(stderr, "%s\n", state.c_str());
    shown = state;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Fail(kExitTimeout, "gave up waiting for " + plan.pod0 + " after " +
                                std::to_string(timeout.count()) + " s; see kubectl -n " + plan.ns +
                                " logs " + plan.pod0 + " -c restore");
}

}  // namespace

Outcome RunRestore(const Options& options, Connection& c) {
  auto name = OneName(options);
  if (!name) return name.error();
  if (options.backup_id.empty() == options.to_time.empty())
    return Fail(kExitUsage, "restore needs exactly one of --backup ID and --to-time T");
  auto view = GatherView(*c.client, c.namespace_, *name);
  if (!view) return view.error();
  auto pod0 = c.client->Get(kube::resources::Pods(), c.namespace_, *name + "-0");
  if (!pod0) return FromKubeError(pod0.error(), "get pod " + c.namespace_ + "/" + *name + "-0");
  auto plan = PlanRestore(*view, options.backup_id, options.to_time,
                          static_cast<int64_t>(std::time(nullptr)), pod0->uid);
  if (!plan) return Fail(kExitFailed, plan.error());
  std::fputs(DescribeRestore(*plan, Paint(UseColor(options.color, 1))).c_str(), stdout);
  std::fflush(stdout);
  if (!options.yes) {
    std::fputs("\nProceed? Type yes to continue: ", stderr);
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "yes" && answer != "y"))
      return Fail(kExitDeclined, "not confirmed; nothing was changed");
  }
  int64_t generation = 0;
  if (Outcome o = PatchSource(*c.client, *plan, plan->source_patch, &generation); o.code) return o;
  std::fprintf(stderr, "spec.restore.source set; waiting for the operator to apply it\n");
  Outcome applied = Follow(
      *c.client, plan->ns, plan->name,
      [generation](const Json& r) {
        Progress p;
        const Json* observed = reconcile::FindPath(r, {"status", "observedGeneration"});
        p.done = observed != nullptr && observed->is_number() &&
                 observed->as_number().to_int64() >= generation;
        return p;
      },
      options.timeout, std::chrono::milliseconds(500), nullptr);
  if (applied.code) return applied;
  if (!plan->backup_id.empty()) {
    auto deleted =
        c.client->Delete(kube::resources::PersistentVolumeClaims(), plan->ns, plan->data_claim);
    if (!deleted && !deleted.error().IsNotFound())
      return FromKubeError(deleted.error(),
                           "delete persistentvolumeclaim " + plan->ns + "/" + plan->data_claim);
    std::fprintf(stderr, "persistentvolumeclaim %s deleted\n", plan->data_claim.c_str());
  }
  auto deleted = c.client->Delete(kube::resources::Pods(), plan->ns, plan->pod0, plan->pod0_uid);
  if (!deleted && !deleted.error().IsNotFound())
    return FromKubeError(deleted.error(), "delete pod " + plan->ns + "/" + plan->pod0);
  std::fprintf(stderr, "pod %s deleted; its restore step logs: kubectl -n %s logs %s -c restore\n",
               plan->pod0.c_str(), plan->ns.c_str(), plan->pod0.c_str());
  if (!options.wait) {
    std::fprintf(stderr,
                 "afterwards set the source back: kubectl -n %s patch rp %s --type merge -p "
                 "'{\"spec\":{\"restore\":{\"source\":{\"type\":\"latest\",\"backupName\":null,"
                 "\"pointInTime\":null}}}}'\n",
                 plan->ns.c_str(), plan->name.c_str());
    return Ok();
  }
  if (Outcome back = AwaitPodBack(*c.client, *plan, options.timeout); back.code) return back;
  Json latest = reconcile::Obj({{"type", reconcile::Str("latest")},
                                {"backupName", Json::null()},
                                {"pointInTime", Json::null()}});
  if (Outcome o = PatchSource(*c.client, *plan, latest, nullptr); o.code) return o;
  std::fprintf(stderr, "spec.restore.source is latest again\n");
  return Ok();
}

}  // namespace tidemark::kubectl
