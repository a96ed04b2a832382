// The operator's own writes that its informers have not delivered yet, as client-go's
// MutationCache keeps them: the resource's status, and the owned objects it applies. A pass
// that starts before the watch event of an earlier pass's write would otherwise act on the
// object before that write: ask pod 0's sidecar again for a backup it already queued, record
// the same event twice, apply a ConfigMap again after an outage while its informer is still
// reconnecting. Resource versions are opaque (the API's rule): only equality with the versions a
// write was based on is used, never an order. Thread-safe.
//
// An object the operator created (the cache held nothing) is kept too, else a pass between the
// create and its ADDED event applies it again; but only for `created_ttl`, as client-go's
// MutationCache does: if it is deleted before the informer saw it and the informer then relists,
// no event ever tells that it is gone, and the record must not pin it as present for long.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "operator/kube/client.h"

namespace tidemark::controller {

class OwnWrites {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::chrono::seconds kCreatedTtl{60};

  explicit OwnWrites(Clock now = std::chrono::steady_clock::now,
                     std::chrono::steady_clock::duration created_ttl = kCreatedTtl)
      : now_(std::move(now)), created_ttl_(created_ttl) {}

  // The version a pass read when the cache held no such object.
  static inline const std::string kAbsent;

  // A write of `key` answered `written`; the pass had read the resource at `read_version`
  // (the version `Freshest` gave it, or kAbsent). Writes of one pass chain: each is based on
  // what the cache held when the first was made.
  void Record(const std::string& key, const std::string& read_version, kube::Object written);

  // What a pass should read while the cache holds no `key`: the object it created, for
  // `created_ttl` after the create; else nothing, and any record of it is dropped (the object
  // was deleted).
  std::optional<kube::Object> Created(const std::string& key);

  // What a pass should read: `cached`, or, while the cache still holds the version the chain
  // of writes was based on or one of its earlier writes, what the last write answered. Once
  // the cache holds anything else (the last write itself, or someone's) the record is dropped.
  kube::Object Freshest(const std::string& key, kube::Object cached);

  // The resource is gone.
  void Forget(const std::string& key);

  size_t size() const;

 private:
  struct Write {
    // The cache's version when the chain of writes began, and the chain's writes but the last.
    std::vector<std::string> behind;
    kube::Object written;  // the last
    std::chrono::steady_clock::time_point at;  // of the first write
  };
  Clock now_;
  std::chrono::steady_clock::duration created_ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Write> writes_;
};

}  // namespace tidemark::controller
