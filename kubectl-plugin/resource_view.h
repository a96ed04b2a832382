// Everything `kubectl tidemark status` shows about one RedisPersistence, gathered into one JSON
// document (the -o json/yaml output, and what the text screen is drawn from):
//   name, namespace
//   policy        the spec in force, defaults resolved (core/policy), or policyError
//   status        the resource's .status as the operator wrote it (conditions, lastBackup,
//                 lastRestore, pods[], backupRequest, and whatever a newer operator adds, such
//                 as a drill record: passed through untouched)
//   pods[]        each pod of the resource: name, phase, and its sidecar's live GET /v1/status
//                 through the pod proxy (`sidecar`), or why it could not be read (`sidecarError`)
//   backups       pod 0's sidecar's GET /v1/backups, newest first, with where they are stored,
//                 or `error`
// Only reading the resource can fail the whole view; a pod or sidecar that cannot be read is
// recorded in the document, so one broken pod never hides the others.
#pragma once

#include <string>
#include <vector>

#include "kubectl-plugin/outcome.h"
#include "kubectl-plugin/sidecar_api.h"
#include "operator/kube/client.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

// The pods of resource `name`, by ordinal (label selector of operator/reconcile/names.h).
std::expected<std::vector<kube::Object>, Outcome> ListResourcePods(kube::KubeClient& client,
                                                                   const std::string& ns,
                                                                   const std::string& name);

// The resource itself; exit 3 with "redispersistences.tidemark.dev NS/NAME not found".
std::expected<kube::Object, Outcome> GetResource(kube::KubeClient& client, const std::string& ns,
                                                 const std::string& name);

// One NAME a command acts on: the resource and its pods.
struct Target {
  std::string name;
  kube::Object resource;
  std::vector<kube::Object> pods;
  // Pod 0 (the primary, whose store holds the backups), or nullptr.
  const kube::Object* PodZero() const;
};
std::expected<Target, Outcome> LoadTarget(kube::KubeClient& client, const std::string& ns,
                                          const std::string& name);
// Pod 0 of `target`; exit 3 when it does not exist (yet).
std::expected<const kube::Object*, Outcome> RequirePodZero(const Target& target);

// The policy section of the view from the resource's JSON.
reconcile::Json PolicyView(const std::string& resource_json);

// The backups of pod 0's sidecar, newest first: {from, store, items[], problems[]}; an Outcome
// when pod 0 is missing (3), its sidecar unreachable (5) or answering something else (1).
std::expected<reconcile::Json, Outcome> BackupsView(SidecarApi& api,
                                                    const std::string& resource_name,
                                                    const std::vector<kube::Object>& pods);

std::expected<reconcile::Json, Outcome> GatherView(kube::KubeClient& client, const std::string& ns,
                                                   const std::string& name);

}  // namespace tidemark::kubectl
