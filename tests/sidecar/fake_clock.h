// A clock for tests: time stands still unless a test moves it; sleeps advance it instantly.
#pragma once

#include <chrono>
#include <thread>

#include "sidecar/clock.h"

namespace tidemark::testing {

class FakeClock final : public sidecar::Clock {
 public:
  explicit FakeClock(int64_t unix_time) : unix_(unix_time) {}
  int64_t NowUnix() override { return unix_ + ms_ / 1000; }
  int64_t NowMillis() override { return ms_; }
  int64_t NowUnixMillis() override { return unix_ * 1000 + ms_; }
  void SleepMillis(int64_t ms) override { ms_ += ms; }

 private:
  int64_t unix_;
  int64_t ms_ = 0;
};

// A clock for tests against real processes: time runs `speedup` times faster than the real one
// (each sleep really waits 1/speedup of what was asked), so a minute of cron schedule or a 30 s
// retry takes a fraction of a second while Redis still gets real time to work. For one thread.
class FastClock final : public sidecar::Clock {
 public:
  FastClock(int64_t unix_time, int64_t speedup) : unix_(unix_time), speedup_(speedup) {}
  int64_t NowUnix() override { return unix_ + ms_ / 1000; }
  int64_t NowMillis() override { return ms_; }
  void SleepMillis(int64_t ms) override {
    std::this_thread::sleep_for(std::chrono::microseconds(ms * 1000 / speedup_));
    ms_ += ms;
  }

 private:
  int64_t unix_;
  int64_t speedup_;
  int64_t ms_ = 0;
};

}  // namespace tidemark::testing
