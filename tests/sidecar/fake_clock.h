// A clock for tests: time stands still unless a test moves it; sleeps advance it instantly.
#pragma once

#include "sidecar/clock.h"

namespace tidemark::testing {

class FakeClock final : public sidecar::Clock {
 public:
  explicit FakeClock(int64_t unix_time) : unix_(unix_time) {}
  int64_t NowUnix() override { return unix_ + ms_ / 1000; }
  int64_t NowMillis() override { return ms_; }
  void SleepMillis(int64_t ms) override { ms_ += ms; }

 private:
  int64_t unix_;
  int64_t ms_ = 0;
};

}  // namespace tidemark::testing
