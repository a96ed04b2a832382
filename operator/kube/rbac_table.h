// The operator's permissions: ONE table of (API group, resource[/subresource], verbs), the only
// place they are written down. Three things follow from it:
//  - RbacCheckedClient (below) refuses, before anything is sent, a request the table does not
//    cover: a new API call without a new row is a programming error that shows at once, in
//    tests against the fake API server, instead of as a 403 in someone's cluster;
//  - `tidemark-operator --print-rbac` prints the table as the chart's
//    helm/tidemark/files/rbac-rules.yaml (tests/helm/chart_test.mjs compares the two);
//  - the controller tests give the operator a token with exactly these rights and check that
//    every request it sent is covered and that every row was used.
// Adding an API call: add its row here, run `tidemark-operator --print-rbac >
// helm/tidemark/files/rbac-rules.yaml`.
//
// Verbs are Kubernetes' authorisation verbs, as the API server derives them from a request:
// GET of one object "get", of a collection "list" (or "watch" with ?watch=1), POST "create",
// PUT "update", PATCH "patch", DELETE "delete". A server-side apply is a PATCH, and where it
// creates the object the server also checks "create" (kubernetes.io, "Server-Side Apply: RBAC
// and permissions"), so Apply needs both on a main resource; on /status it never creates.
// Pure; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operator/kube/client.h"

namespace tidemark::kube {

struct RbacRule {
  std::string_view group;     // "" for the core API
  std::string_view resource;  // plural, "/subresource" appended: "redispersistences/status"
  std::vector<std::string_view> verbs;
  std::string_view why;  // which code makes the calls (printed as a YAML comment)
};

// The table, in the order printed.
const std::vector<RbacRule>& OperatorRbacRules();

// Whether the table lets the operator `verb` the (group, resource[/subresource]).
bool RbacAllows(std::string_view group, std::string_view resource, std::string_view verb);

// The table as YAML for the chart (a list of {apiGroups, resources, verbs} rules, comments
// saying why), byte for byte the content of helm/tidemark/files/rbac-rules.yaml.
std::string RbacRulesYaml();

// A KubeClient that passes each call to `inner` if the table covers it, and otherwise returns
// Reason::kForbidden with a message naming the verb, the resource and this file, without
// sending anything. `inner` must outlive it. Thread-safe as `inner` is.
class RbacCheckedClient : public KubeClient {
 public:
  explicit RbacCheckedClient(KubeClient& inner) : inner_(inner) {}

  KubeResult<Object> Get(const ResourceType& type, const std::string& ns,
                         const std::string& name) override;
  KubeResult<ObjectList> List(const ResourceType& type, const std::string& ns,
                              const ListOptions& options) override;
  KubeResult<WatchEnd> Watch(const ResourceType& type, const std::string& ns,
                             const WatchOptions& options,
                             const std::function<bool(const WatchEvent&)>& on_event) override;
  KubeResult<Object> Create(const ResourceType& type, const std::string& ns,
                            const std::string& json, const WriteOptions& options) override;
  KubeResult<Object> Update(const ResourceType& type, const std::string& ns,
                            const std::string& name, const std::string& json,
                            const WriteOptions& options) override;
  KubeResult<Object> UpdateStatus(const ResourceType& type, const std::string& ns,
                                  const std::string& name, const std::string& json,
                                  const WriteOptions& options) override;
  KubeResult<Object> Apply(const ResourceType& type, const std::string& ns,
                           const std::string& name, const std::string& json, bool force,
                           const WriteOptions& options, const std::string& subresource) override;
  KubeResult<Object> Patch(const ResourceType& type, const std::string& ns,
                           const std::string& name, PatchType patch_type,
                           const std::string& patch, const WriteOptions& options,
                           const std::string& subresource) override;
  KubeStatus Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                    const std::string& precondition_uid, Propagation propagation) override;
  void Stop() override { inner_.Stop(); }

 private:
  KubeClient& inner_;
};

}  // namespace tidemark::kube
