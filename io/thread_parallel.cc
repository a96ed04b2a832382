#include "io/thread_parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tidemark {

void ThreadParallel::ForEach(size_t n, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) work(i);
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min<size_t>(threads_ - 1, n > 0 ? n - 1 : 0);
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(run);
  run();
  for (auto& h : helpers) h.join();
}

}  // namespace tidemark
