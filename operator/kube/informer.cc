#include "operator/kube/informer.h"

#include <thread>

namespace tidemark::kube {

std::string ObjectKey(const Object& object) {
  return object.namespace_.empty() ? object.name : object.namespace_ + "/" + object.name;
}

Informer::Informer(KubeClient& client, ResourceType type, InformerOptions options, Handler handler)
    : client_(client),
      type_(std::move(type)),
      options_(std::move(options)),
      handler_(std::move(handler)) {
  if (!options_.sleep) {
    options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
}

std::optional<Object> Informer::Get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  return Unpack(it->second);
}

std::vector<Object> Informer::List() const {
  std::lock_guard lock(mu_);
  std::vector<Object> out;
  for (const auto& [k, v] : cache_) out.push_back(Unpack(v));
  return out;
}

std::string Informer::last_resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

void Informer::Backoff(int failures) {
  auto d = options_.error_backoff;
  for (int i = 1; i < failures && d < options_.max_error_backoff; ++i) d *= 2;
  options_.sleep(std::min(d, options_.max_error_backoff));
}

bool Informer::Relist() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.limit = options_.page_size;
  list_options.drop_fields = options_.drop_fields;
  auto list = ListAll(client_, type_, options_.namespace_, list_options);
  if (!list) return false;
  lists_.fetch_add(1);
  std::vector<std::pair<EventType, Object>> changes;
  {
    std::lock_guard lock(mu_);
    std::map<std::string, PackedObject> fresh;
    for (Object& item : list->items) {
      std::string key = ObjectKey(item);
      auto old = cache_.find(key);
      if (old == cache_.end()) {
        changes.emplace_back(EventType::kAdded, item);
      } else if (old->second.object.resource_version != item.resource_version) {
        changes.emplace_back(EventType::kModified, item);
      }
      fresh.emplace(key, Pack(std::move(item)));
    }
    for (const auto& [key, obj] : cache_) {
      if (!fresh.count(key)) changes.emplace_back(EventType::kDeleted, Unpack(obj));
    }
    cache_ = std::move(fresh);
    resource_version_ = list->resource_version;
  }
  synced_ = true;
  for (const auto& [type, obj] : changes) handler_(type, obj);
  return true;
}

void Informer::Apply(const WatchEvent& event) {
  {
    std::lock_guard lock(mu_);
    if (!event.object.resource_version.empty()) {
      resource_version_ = event.object.resource_version;
    }
    if (event.type == EventType::kBookmark) return;
    std::string key = ObjectKey(event.object);
    if (event.type == EventType::kDeleted) {
      cache_.erase(key);
    } else {
      cache_[key] = Pack(event.object);
    }
  }
  handler_(event.type, event.object);
}

void Informer::Run(const std::atomic<bool>& stop) {
  int failures = 0;
  bool need_list = true;
  while (!stop.load()) {
    if (need_list) {
      if (!Relist()) {
        Backoff(++failures);
        continue;
      }
      need_list = false;
    }
    WatchOptions watch;
    watch.resource_version = last_resource_version();
    watch.label_selector = options_.label_selector;
    watch.drop_fields = options_.drop_fields;
    watch.timeout_seconds = options_.watch_timeout_seconds;
    auto end = client_.Watch(type_, options_.namespace_, watch, [&](const WatchEvent& e) {
      if (stop.load()) return false;
      Apply(e);
      return true;
    });
    if (stop.load()) break;
    if (!end) {
      // Expired is reported in WatchEnd; anything else: wait, then resume (or relist when the
      // error says the request itself cannot work, e.g. a lost permission).
      need_list = !end.error().IsRetryable();
      Backoff(++failures);
      continue;
    }
    failures = 0;
    if (end->expired) {
      need_list = true;
      continue;
    }
    watch_restarts_.fetch_add(1);
  }
}

}  // namespace tidemark::kube
