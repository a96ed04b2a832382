#include "operator/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tidemark::kube {
namespace {

using std::chrono::milliseconds;

TEST(WorkQueue, DeduplicatesWaitingKeys) {
  WorkQueue q;
  q.Add("rec/a");
  q.Add("rec/b");
  q.Add("rec/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(*q.Get(), "rec/a");
  EXPECT_EQ(*q.Get(), "rec/b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, AKeyAddedWhileProcessedComesBackAfterDone) {
  WorkQueue q;
  q.Add("rec/a");
  ASSERT_EQ(*q.Get(), "rec/a");
  q.Add("rec/a");  // a change arrived during the reconcile
  q.Add("rec/a");
  EXPECT_EQ(q.Len(), 0u) << "not handed out twice at once";
  q.Done("rec/a");
  EXPECT_EQ(q.Len(), 1u) << "queued again, once";
  EXPECT_EQ(*q.Get(), "rec/a");
  q.Done("rec/a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, OneReconcileAtATimePerKeyWithManyWorkers) {
  WorkQueue q;
  std::atomic<int> in_flight_a{0};
  std::atomic<int> max_in_flight_a{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        if (*key == "rec/a") {
          int now = ++in_flight_a;
          int seen = max_in_flight_a.load();
          while (now > seen && !max_in_flight_a.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(milliseconds(1));
          --in_flight_a;
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    q.Add("rec/a");
    q.Add("rec/b" + std::to_string(i % 7));
    if (i % 10 == 0) std::this_thread::sleep_for(milliseconds(1));
  }
  while (q.Len() > 0) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(20));
  q.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_EQ(max_in_flight_a.load(), 1);
  EXPECT_GT(processed.load(), 7);
}

TEST(WorkQueue, PerKeyExponentialBackoffIsCappedAndForgotten) {
  WorkQueueOptions options{milliseconds(5), milliseconds(40)};
  EXPECT_EQ(RateLimitDelay(options, 0), milliseconds(5));
  EXPECT_EQ(RateLimitDelay(options, 1), milliseconds(10));
  EXPECT_EQ(RateLimitDelay(options, 3), milliseconds(40));
  EXPECT_EQ(RateLimitDelay(options, 30), milliseconds(40));

  WorkQueue q(options);
  q.AddRateLimited("rec/a");
  q.AddRateLimited("rec/a");
  EXPECT_EQ(q.NumRequeues("rec/a"), 2);
  EXPECT_EQ(q.Len(), 0u) << "not ready before its delay";
  EXPECT_EQ(q.Delayed(), 1u) << "one timer per key";
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*q.Get(), "rec/a");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(4));
  q.Done("rec/a");
  q.Forget("rec/a");
  EXPECT_EQ(q.NumRequeues("rec/a"), 0);
  EXPECT_EQ(q.NumRequeues("rec/other"), 0);
}

TEST(WorkQueue, AddAfterAndShutDownWakeWaiters) {
  WorkQueue q;
  q.AddAfter("rec/later", milliseconds(20));
  q.Add("rec/now");
  EXPECT_EQ(*q.Get(), "rec/now");
  EXPECT_EQ(*q.Get(), "rec/later");
  std::thread waiter([&] { EXPECT_FALSE(q.Get().has_value()); });
  std::this_thread::sleep_for(milliseconds(10));
  q.ShutDown();
  waiter.join();
  q.Add("rec/x");
  EXPECT_EQ(q.Len(), 0u) << "nothing is queued after shutdown";
}

}  // namespace
}  // namespace tidemark::kube
