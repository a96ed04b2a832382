#include "operator/kube/work_queue.h"

namespace tidemark::kube {

std::chrono::milliseconds RateLimitDelay(const WorkQueueOptions& options, int failures) {
  int64_t d = options.base_delay.count();
  for (int i = 0; i < failures && d < options.max_delay.count(); ++i) d *= 2;
  return std::chrono::milliseconds(std::min<int64_t>(d, options.max_delay.count()));
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // queued again by Done()
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  // One pending timer per key is enough: keep the earliest.
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (it->second == key) {
      if (it->first <= Clock::now() + delay) return;
      waiting_.erase(it);
      break;
    }
  }
  waiting_.emplace(Clock::now() + delay, key);
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mu_);
    delay = RateLimitDelay(options_, failures_[key]++);
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked() {
  auto now = Clock::now();
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    std::string key = waiting_.begin()->second;
    waiting_.erase(waiting_.begin());
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  while (true) {
    PromoteDueLocked();
    if (shutting_down_) return std::nullopt;
    if (!queue_.empty()) {
      std::string key = queue_.front();
      queue_.pop_front();
      dirty_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (waiting_.empty()) {
      cv_.wait(lock);
    } else {
      // A copy: wait_until reads its deadline again after waking, when ShutDown (or another
      // Get) may have erased the node that held it (a heap-use-after-free under ASan).
      const auto until = waiting_.begin()->first;
      cv_.wait_until(lock, until);
    }
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  queue_.clear();
  waiting_.clear();
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::Delayed() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

}  // namespace tidemark::kube
