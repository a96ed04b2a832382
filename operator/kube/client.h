// KubeClient: the operator's whole view of the Kubernetes API. Small on purpose: objects travel
// as JSON text (the reconcile side renders them with policy::JsonWriter and reads them with its
// own parser), with the few metadata fields a controller keys on pulled out. The HTTP
// implementation (http_client.h) is the only code that knows cpprestsdk.
//
// Semantics are the API server's:
//  - Every write names its fieldManager; Apply is server-side apply (force decides whether
//    fields owned by another manager are taken over or reported as a kConflict).
//  - Update and UpdateStatus send metadata.resourceVersion from the body: a stale one is a
//    kConflict, which the caller answers by reading again and retrying. The client never retries
//    a conflict by itself (it cannot know how to re-merge).
//  - 429 and 5xx are retried inside the client with bounded exponential backoff and jitter;
//    every request (including each watch) has a deadline.
//  - Watch streams events until the server closes the stream, the deadline passes, `on_event`
//    returns false or Stop() is called. The caller resumes from WatchEnd::resource_version; an
//    expired resourceVersion (HTTP 410, or an ERROR event with a 410 Status inside a 200 stream)
//    is reported as WatchEnd::expired = true and means: LIST again, then watch from the list's
//    resourceVersion.
// Thread-safety: all methods may be called from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "operator/kube/api_error.h"
#include "operator/kube/resource.h"

namespace tidemark::kube {

// An object as the server returned it, plus its identity and versions.
struct Object {
  std::string json;  // the whole object
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;  // 0 for kinds without generation (ConfigMap, Lease)
  bool deleting = false;   // metadata.deletionTimestamp is set
  std::map<std::string, std::string> labels;
};

// Fields of the listed or watched objects that the caller never reads, removed before each
// object is kept as text (controller-runtime's cache transform, e.g. metadata.managedFields,
// which is often as large as the object's spec): dotted paths, "metadata.managedFields". The
// identity fields of Object are read before. A path that is absent is ignored.
using DroppedFields = std::vector<std::string>;

struct ListOptions {
  std::string label_selector;  // "app=a,tier!=cache"; empty: everything
  int64_t limit = 0;           // page size; 0: the server's choice (everything)
  std::string continue_token;  // from the previous page
  DroppedFields drop_fields;
};

struct ObjectList {
  std::vector<Object> items;
  std::string resource_version;  // of the list: where a following watch starts
  std::string continue_token;    // empty on the last page
  int64_t remaining_item_count = -1;
};

enum class EventType { kAdded, kModified, kDeleted, kBookmark };
const char* EventTypeName(EventType type);

struct WatchEvent {
  EventType type = EventType::kAdded;
  Object object;  // for a BOOKMARK only resource_version is meaningful
};

struct WatchOptions {
  std::string resource_version;  // "" : start with ADDED for every existing object
  std::string label_selector;
  int timeout_seconds = 300;  // asked of the server; the client's deadline is a bit longer
  bool allow_bookmarks = true;
  DroppedFields drop_fields;
};

struct WatchEnd {
  std::string resource_version;  // the last one seen (event or bookmark): resume from here
  bool expired = false;          // 410: relist
  int events = 0;
};

enum class PatchType { kMerge, kJson };

// DeleteOptions.propagationPolicy. kDefault leaves it to the server (Background for most kinds:
// the garbage collector deletes the dependents, e.g. a StatefulSet's pods). kOrphan keeps the
// dependents: the server marks the object with the "orphan" finalizer, the collector takes the
// ownerReferences off the dependents, then the object goes.
enum class Propagation { kDefault, kOrphan, kBackground, kForeground };

struct WriteOptions {
  std::string field_manager = "tidemark-operator";
  bool dry_run = false;
};

// What a pod answered through the API server's proxy (any HTTP status of the pod's own).
struct ProxyAnswer {
  int http_status = 0;
  std::string content_type;
  std::string body;
};

class KubeClient {
 public:
  virtual ~KubeClient() = default;

  virtual KubeResult<Object> Get(const ResourceType& type, const std::string& ns,
                                 const std::string& name) = 0;
  // One page. ListAll (below) follows `continue` to the end.
  virtual KubeResult<ObjectList> List(const ResourceType& type, const std::string& ns,
                                      const ListOptions& options) = 0;
  // Blocks until the stream ends (see the header comment). A transport failure after the stream
  // began (a dropped connection) is not an error: WatchEnd says where to resume.
  virtual KubeResult<WatchEnd> Watch(const ResourceType& type, const std::string& ns,
                                     const WatchOptions& options,
                                     const std::function<bool(const WatchEvent&)>& on_event) = 0;
  virtual KubeResult<Object> Create(const ResourceType& type, const std::string& ns,
                                    const std::string& json, const WriteOptions& options = {}) = 0;
  // PUT of the whole object; the body's metadata.resourceVersion is the precondition.
  virtual KubeResult<Object> Update(const ResourceType& type, const std::string& ns,
                                    const std::string& name, const std::string& json,
                                    const WriteOptions& options = {}) = 0;
  // PUT .../status: only the status of `json` is taken.
  virtual KubeResult<Object> UpdateStatus(const ResourceType& type, const std::string& ns,
                                          const std::string& name, const std::string& json,
                                          const WriteOptions& options = {}) = 0;
  // Server-side apply of `json` (a JSON document is valid apply YAML). subresource "" or "status".
  virtual KubeResult<Object> Apply(const ResourceType& type, const std::string& ns,
                                   const std::string& name, const std::string& json, bool force,
                                   const WriteOptions& options = {},
                                   const std::string& subresource = {}) = 0;
  virtual KubeResult<Object> Patch(const ResourceType& type, const std::string& ns,
                                   const std::string& name, PatchType patch_type,
                                   const std::string& patch, const WriteOptions& options = {},
                                   const std::string& subresource = {}) = 0;
  // Deletes (or, with finalizers, marks for deletion). kNotFound when already gone.
  // A non-empty precondition_uid guards against deleting a re-created namesake.
  virtual KubeStatus Delete(const ResourceType& type, const std::string& ns,
                            const std::string& name, const std::string& precondition_uid = {},
                            Propagation propagation = Propagation::kDefault) = 0;

  // `http_method` ("GET", "POST") to `path` on port `port` (a number) of pod ns/pod, through the
  // API server's proxy subresource (pods/proxy: RBAC verb get for GET, create for POST). The
  // pod's answer, whatever its status, is a ProxyAnswer; a refusal by the API server itself is
  // a KubeError with the server's Status: 401, 403, 404 (no such pod), 400 "address not
  // allowed" (no pod IP yet), 503 "error trying to reach service: ..." (nothing listens).
  // Never retried. Clients that cannot proxy (the operator's) answer kMethodNotAllowed.
  virtual KubeResult<ProxyAnswer> ProxyPod(const std::string& ns, const std::string& pod,
                                           const std::string& port,
                                           const std::string& http_method,
                                           const std::string& path, const std::string& body);

  // Aborts running watches and makes them return (from any thread).
  virtual void Stop() = 0;
};

// Every page of a LIST, in order; the resourceVersion is the first page's.
KubeResult<ObjectList> ListAll(KubeClient& client, const ResourceType& type, const std::string& ns,
                               ListOptions options);

}  // namespace tidemark::kube
