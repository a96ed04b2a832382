// A rate-limited work queue of object keys ("namespace/name"), with the semantics controllers
// rely on (those of client-go's workqueue):
//  - de-duplication: a key added while it waits is queued once;
//  - one at a time per key: Get never hands out a key that is being processed; a key added while
//    it is processed is queued again when Done() is called for it (so no change is missed);
//  - per-key exponential backoff: AddRateLimited(key) waits base * 2^failures (capped) before
//    the key is ready again; Forget(key) resets the count after a success;
//  - AddAfter for requeues at a later time (periodic resync, waiting for a pod).
// Thread-safe; any number of workers may call Get/Done concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace tidemark::kube {

struct WorkQueueOptions {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{300000};
};

// The backoff before retry number `failures` (0-based): min(max, base * 2^failures).
std::chrono::milliseconds RateLimitDelay(const WorkQueueOptions& options, int failures);

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {}) : options_(options) {}

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready (and marks it processing) or the queue is shut down (nullopt).
  std::optional<std::string> Get();
  void Done(const std::string& key);

  // Wakes every Get(); keys not yet handed out are dropped.
  void ShutDown();
  bool shutting_down() const;
  // Keys ready now (not the delayed ones, not those being processed).
  size_t Len() const;
  size_t Delayed() const;

 private:
  using Clock = std::chrono::steady_clock;
  void AddLocked(const std::string& key);
  void PromoteDueLocked();

  WorkQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;  // queued or to be re-queued after Done
  std::set<std::string> processing_;
  std::multimap<Clock::time_point, std::string> waiting_;
  std::map<std::string, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace tidemark::kube
