// Asking the operator for something by annotating the resource (a merge patch by field manager
// "kubectl-tidemark": RBAC patch on redispersistences), and following the resource's status until
// the request is answered, printing each new phase to stderr.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <string>

#include "kubectl-plugin/outcome.h"
#include "operator/kube/client.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

// A value for a request annotation that differs from `previous` (the time, made unique).
std::string NewRequestValue(const std::string& previous);

// The annotation `key` of the resource's JSON, or "".
std::string AnnotationOf(const reconcile::Json& resource, const std::string& key);

Outcome Annotate(kube::KubeClient& client, const std::string& ns, const std::string& name,
                 const std::string& key, const std::string& value);

// What one look at the resource says about the request.
struct Progress {
  bool done = false;
  bool failed = false;
  std::string phase;  // printed when it changes
  std::string message;
};

// One look at what is followed (the resource, a sidecar's status): its JSON, or why it could not
// be read (which ends the follow).
using Fetch = std::function<std::expected<reconcile::Json, Outcome>()>;

// Fetches every `interval` until `check` says done (ok or failed) or `timeout` passes
// (kExitTimeout), printing each new phase to stderr. `last` receives the last JSON fetched.
Outcome FollowWith(const Fetch& fetch, const std::function<Progress(const reconcile::Json&)>& check,
                   std::chrono::seconds timeout, std::chrono::milliseconds interval,
                   reconcile::Json* last);

// FollowWith on the resource `name`.
Outcome Follow(kube::KubeClient& client, const std::string& ns, const std::string& name,
               const std::function<Progress(const reconcile::Json&)>& check,
               std::chrono::seconds timeout, std::chrono::milliseconds interval,
               reconcile::Json* last);

}  // namespace tidemark::kubectl
