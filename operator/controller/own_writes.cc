#include "operator/controller/own_writes.h"

#include <algorithm>
#include <utility>

namespace tidemark::controller {

void OwnWrites::Record(const std::string& key, const std::string& read_version,
                       kube::Object written) {
  std::lock_guard lock(mu_);
  Write next{{read_version}, std::move(written), now_()};
  // The pass read an earlier write of ours (the cache had not caught up): the chain goes on.
  if (auto it = writes_.find(key);
      it != writes_.end() && it->second.written.resource_version == read_version) {
    next.behind = std::move(it->second.behind);
    next.behind.push_back(read_version);
    next.at = it->second.at;
  }
  writes_[key] = std::move(next);
}

kube::Object OwnWrites::Freshest(const std::string& key, kube::Object cached) {
  std::lock_guard lock(mu_);
  auto it = writes_.find(key);
  if (it == writes_.end()) return cached;
  if (std::ranges::find(it->second.behind, cached.resource_version) != it->second.behind.end())
    return it->second.written;
  writes_.erase(it);
  return cached;
}

std::optional<kube::Object> OwnWrites::Created(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = writes_.find(key);
  if (it == writes_.end()) return std::nullopt;
  const Write& w = it->second;
  if (std::ranges::find(w.behind, kAbsent) != w.behind.end() && now_() - w.at < created_ttl_)
    return w.written;
  writes_.erase(it);
  return std::nullopt;
}

void OwnWrites::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  writes_.erase(key);
}

size_t OwnWrites::size() const {
  std::lock_guard lock(mu_);
  return writes_.size();
}

}  // namespace tidemark::controller
