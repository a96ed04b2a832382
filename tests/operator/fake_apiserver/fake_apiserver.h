// A fake Kubernetes API server for tests. It stands in for kube-apiserver where none can run
// (no cluster, no etcd on this machine); it is NOT a Kubernetes implementation. It follows the
// real server's semantics on the paths the operator uses, checked against recorded exchanges of
// a real kube-apiserver 1.26 (tests/operator/fake_apiserver/replay_test.cc):
//  - one global resourceVersion counter; every write bumps it; metadata.generation (on kinds
//    that have it) is bumped by spec changes only (and by setting deletionTimestamp);
//  - 409 Conflict on a stale metadata.resourceVersion, 409 AlreadyExists on create of an
//    existing name, 404 NotFound, 422 Invalid for bad names and two controller ownerReferences;
//  - the status subresource: PUT/PATCH .../status takes only status; the main resource ignores
//    status; create drops status;
//  - LIST with labelSelector (=, ==, !=, exists, !exists, in, notin), limit and continue
//    (tokens shaped like the real ones; pages come from the current state, not a snapshot);
//  - WATCH: ADDED/MODIFIED/DELETED, BOOKMARK (allowWatchBookmarks), timeoutSeconds; after
//    Compact() a resourceVersion older than the compaction gets HTTP 200 and one ERROR event
//    carrying a 410 Expired Status (as the real server does);
//  - server-side apply (create or merge, per-manager field ownership in managedFields, 409 with
//    FieldManagerConflict causes unless force=true; lists are owned atomically — the real server
//    merges associative lists by key, this fake does not), merge patch, JSON patch (incl. test),
//    dryRun=All;
//  - finalizers: DELETE sets deletionTimestamp while finalizers remain; the object goes when the
//    last one is removed; ownerReferences are stored (no garbage collector runs, as in the
//    recordings: there is no controller-manager behind them);
//  - StatefulSet spec immutability and selector/labels match, PVC spec immutability unless bound;
//  - bearer tokens (401) and a per-token allow list (403), or a verified client certificate's CN;
//    a server-side apply that would create the object needs "create" as well as "patch".
//  - the pod proxy, pods/{name}[:{port}]/proxy/{path} (pod_proxy.h): RBAC on "pods/proxy" with the
//    verb of the HTTP method, 404 for a missing pod, 400 "address not allowed" without a podIP,
//    503 "error trying to reach service" when nothing answers, else the pod's own answer relayed
//    (tests run the pods' programs on 127.0.0.1 and give the pods that podIP).
// Not modelled: OpenAPI/CEL schema validation and defaulting (a resource may carry fixed
// defaults), strategic merge patch (415), resourceVersionMatch, Table output, discovery, RBAC
// objects (permissions come from AllowToken), admission (e.g. pvc-protection finalizer).
//
// Thread-safety: every method may be called from any thread while requests are served.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/operator/fake_apiserver/http_wire.h"

namespace tidemark::fake {

struct FakeResource {
  std::string group;  // "" for core
  std::string version;
  std::string resource;  // plural
  std::string kind;
  bool namespaced = true;
  bool status_subresource = false;
  bool has_generation = false;
  bool custom = false;        // a custom resource (list items keep kind/apiVersion; messages)
  std::string defaults_json;  // merged under the spec of created objects ("{}" or "")
};

// What a token may do: verb ("get", "list", "watch", "create", "update", "patch", "delete" or
// "*"), group, resource (e.g. "samples" or "samples/status", or "*"), namespace ("" = any).
struct Permission {
  std::string verb;
  std::string group;
  std::string resource;
  std::string namespace_;
};

// A request that passed authorisation, with the verb the authoriser checked. A server-side apply
// that creates its object is recorded twice: "patch", then "create" (the real server checks
// both, and so does this fake).
struct RecordedRequest {
  std::string user;
  std::string verb;
  std::string group;
  std::string resource;  // "statefulsets" or "redispersistences/status"
  std::string namespace_;
  std::string name;  // "" for list, watch and create
};

struct FakeApiServerOptions {
  bool tls = false;
  TlsFiles tls_files;
  bool require_auth = true;  // false: anonymous requests are admin
  int bookmark_interval_ms = 1000;
};

struct FakeResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;                 // non-watch answers
  std::vector<std::string> events;  // watch answers: one JSON line each
  bool dropped = false;
};

class FakeApiServer {
 public:
  // Serves on 127.0.0.1 (port 0); nullptr and *error on failure. `serve_http` false: no socket,
  // only Handle() (for in-process replay).
  static std::unique_ptr<FakeApiServer> Start(const FakeApiServerOptions& options,
                                              std::string* error, bool serve_http = true);
  virtual ~FakeApiServer() = default;

  virtual int port() const = 0;
  virtual std::string url() const = 0;  // "http://127.0.0.1:PORT" or "https://..."

  // Kinds served. The core kinds the operator uses are there from the start (namespaces,
  // configmaps, secrets, services, events, persistentvolumeclaims, serviceaccounts,
  // statefulsets, leases, events.k8s.io events, CRDs, redispersistences.tidemark.dev).
  virtual void AddResource(const FakeResource& resource) = 0;

  // Authentication and authorisation. An admin token may do everything.
  virtual void AddAdminToken(const std::string& token) = 0;
  virtual void AddToken(const std::string& token, const std::string& user,
                        const std::vector<Permission>& allow) = 0;
  virtual void RemoveToken(const std::string& token) = 0;
  virtual void AllowUser(const std::string& user, const std::vector<Permission>& allow) = 0;

  // Faults. The next n requests (any path) fail with `status` (500, 503 or 429; 429 with
  // Retry-After: 1). Every running watch connection is cut without a final chunk.
  virtual void FailNext(int n, int status) = 0;
  // The next n requests are answered only after `delay_ms` (a slow or hung server).
  virtual void DelayNext(int n, int delay_ms) = 0;
  virtual void DropWatches() = 0;
  // While set, new watch requests get 503 (as while a watch cache initialises); other requests
  // are served. Lets a test make changes a client's watch cannot see.
  virtual void RefuseWatches(bool refuse) = 0;
  // Forgets the event history: watching from an older resourceVersion gets 410 Expired.
  virtual void Compact() = 0;
  // Compact(), and every running watch gets an ERROR event carrying a 410 Expired Status inside
  // its stream, which then ends (as the real server does when a watcher falls behind etcd's
  // compaction): resuming from the last resourceVersion gets 410 again, so a client must LIST.
  virtual void ExpireWatches() = 0;
  // While set, the server is unreachable: open connections are cut and every request arriving
  // over the socket is dropped unanswered (the client sees the connection closed; counted by
  // refused_count()). Handle(), the test's own in-process requests, is still served.
  virtual void SetDown(bool down) = 0;
  virtual int refused_count() const = 0;
  // The next n authorised requests with this verb ("update", "patch", ...) on this resource
  // ("statefulsets", "redispersistences/status") fail with `status` (409 Conflict as for a stale
  // resourceVersion, or 500/503) before they change anything.
  virtual void FailNextMatching(const std::string& verb, const std::string& resource, int n,
                                int status) = 0;

  // Every authorised request since the start, in order.
  virtual std::vector<RecordedRequest> Requests() const = 0;

  virtual int64_t resource_version() const = 0;
  virtual int request_count() const = 0;
  // Authorised create, update, patch and delete requests, whatever their outcome (a no-op apply
  // counts: it is still a write the client chose to send).
  virtual int write_count() const = 0;
  virtual int active_watches() const = 0;

  // One request without sockets; a watch runs until its timeoutSeconds (or a drop).
  virtual FakeResponse Handle(const std::string& method, const std::string& target,
                              const std::map<std::string, std::string>& headers,
                              const std::string& body) = 0;
};

}  // namespace tidemark::fake
