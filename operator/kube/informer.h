// An informer: LIST + WATCH of one kind into a local cache keyed by "namespace/name" (or "name"
// for cluster-scoped kinds), with the recovery rules of the API:
//  - the first LIST (paged) fills the cache; the watch starts at the list's resourceVersion;
//  - a stream that ends or drops is resumed from the last resourceVersion seen (events and
//    BOOKMARKs both advance it);
//  - an expired resourceVersion (410, in either form) means LIST again; the cache is replaced
//    and the handler told what changed meanwhile (including DELETED for objects that vanished);
//  - other errors wait (bounded backoff) and try again.
// The handler runs on the informer's thread after the cache was updated; it should only enqueue
// keys (see WorkQueue). Cache reads are thread-safe; each returns a copy of the object. Run() returns after `stop` is set and the
// current request returns: KubeClient::Stop() cuts a running watch short.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/packed_object.h"

namespace tidemark::kube {

struct InformerOptions {
  std::string namespace_;  // "" : all namespaces
  std::string label_selector;
  DroppedFields drop_fields;  // not kept in the cache (client.h)
  int64_t page_size = 500;
  int watch_timeout_seconds = 300;
  std::chrono::milliseconds error_backoff{500};
  std::chrono::milliseconds max_error_backoff{30000};
  std::function<void(std::chrono::milliseconds)> sleep;  // default: sleep_for
};

std::string ObjectKey(const Object& object);

class Informer {
 public:
  using Handler = std::function<void(EventType type, const Object& object)>;

  Informer(KubeClient& client, ResourceType type, InformerOptions options, Handler handler);

  void Run(const std::atomic<bool>& stop);

  bool HasSynced() const { return synced_.load(); }
  std::optional<Object> Get(const std::string& key) const;
  std::vector<Object> List() const;
  int lists() const { return lists_.load(); }
  int watch_restarts() const { return watch_restarts_.load(); }
  std::string last_resource_version() const;

 private:
  bool Relist();
  void Apply(const WatchEvent& event);
  void Backoff(int failures);

  KubeClient& client_;
  ResourceType type_;
  InformerOptions options_;
  Handler handler_;
  mutable std::mutex mu_;
  std::map<std::string, PackedObject> cache_;  // packed_object.h: why
  std::string resource_version_;
  std::atomic<bool> synced_{false};
  std::atomic<int> lists_{0};
  std::atomic<int> watch_restarts_{0};
};

}  // namespace tidemark::kube
