// The sidecar's only way to read the time or wait: injected, so tests run fast and the pure
// planners in core/ never see a clock.
#pragma once

#include <cstdint>

namespace tidemark::sidecar {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnix() = 0;        // seconds since the epoch, UTC
  virtual int64_t NowMillis() = 0;      // monotonic, for timeouts and durations
  // Wall time to the millisecond (UTC), for facts recorded with a finer time than NowUnix
  // (a backup's creation). The default has NowUnix's resolution.
  virtual int64_t NowUnixMillis() { return NowUnix() * 1000; }
  virtual void SleepMillis(int64_t ms) = 0;
};

// The process's real clocks (CLOCK_REALTIME, CLOCK_MONOTONIC). Thread-safe.
Clock& RealClock();

}  // namespace tidemark::sidecar
