#include "io/thread_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tidemark {
namespace {

TEST(ThreadParallel, CallsEveryIndexExactlyOnce) {
  for (unsigned threads : {0u, 1u, 2u, 5u}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}}) {
      std::vector<std::atomic<int>> calls(n);
      ThreadParallel parallel(threads);
      parallel.ForEach(n, [&](size_t i) { calls[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(calls[i].load(), 1) << threads << " threads, n " << n << ", i " << i;
    }
  }
}

TEST(ThreadParallel, RunsOnSeveralThreadsAndReturnsWhenAllAreDone) {
  // Two pieces that each wait for the other to have started: they only both finish when they
  // run at the same time.
  ThreadParallel parallel(2);
  std::atomic<int> started{0};
  std::mutex mu;
  std::set<std::thread::id> ids;
  parallel.ForEach(2, [&](size_t) {
    started.fetch_add(1);
    while (started.load() < 2) std::this_thread::yield();
    std::lock_guard lock(mu);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(ids.size(), 2u);
}

}  // namespace
}  // namespace tidemark
