// BackgroundThread (io/background_thread.h): pieces run on its one thread, one at a time, their
// writes visible after Wait() (also under ThreadSanitizer: make test-tsan runs io_test); what a
// piece throws comes out of Wait(); the destructor waits for a piece nobody waited for.
#include "io/background_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tidemark {
namespace {

TEST(BackgroundThread, EachPieceRunsOnTheThreadAndItsWritesAreSeenAfterWait) {
  BackgroundThread background;
  const auto caller = std::this_thread::get_id();
  std::vector<uint64_t> values;  // plain memory: only the hand-off orders the two threads
  std::thread::id ran_on;
  for (uint64_t i = 0; i < 2000; ++i) {
    background.Start([&, i] {
      values.push_back(i * i);
      ran_on = std::this_thread::get_id();
    });
    if (i % 3 == 0) std::this_thread::yield();  // sometimes done before Wait(), sometimes not
    background.Wait();
    ASSERT_EQ(values.size(), i + 1);
    ASSERT_EQ(values.back(), i * i);
    ASSERT_NE(ran_on, caller);
  }
  background.Wait();  // none running: returns at once
}

TEST(BackgroundThread, WhatAPieceThrowsComesOutOfWaitOnceAndTheThreadGoesOn) {
  BackgroundThread background;
  background.Start([] { throw std::runtime_error("hashing failed"); });
  try {
    background.Wait();
    ADD_FAILURE() << "Wait() did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "hashing failed");
  }
  background.Wait();  // thrown once
  bool ran = false;
  background.Start([&] { ran = true; });
  background.Wait();
  EXPECT_TRUE(ran);
}

TEST(BackgroundThread, TheDestructorWaitsForAPieceNobodyWaitedFor) {
  std::atomic<bool> finished{false};
  {
    BackgroundThread background;
    background.Start([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      finished = true;
    });
  }
  EXPECT_TRUE(finished);
  {  // a piece that throws and is never waited for does not end the process
    BackgroundThread background;
    background.Start([] { throw std::runtime_error("dropped"); });
  }
}

}  // namespace
}  // namespace tidemark
