#include "sidecar/clock.h"

#include <time.h>

namespace tidemark::sidecar {

namespace {

class SystemClock final : public Clock {
 public:
  int64_t NowUnix() override { return ::time(nullptr); }
  int64_t NowMillis() override {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
  }
  int64_t NowUnixMillis() override {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
  }
  void SleepMillis(int64_t ms) override {
    timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000};
    while (::nanosleep(&ts, &ts) != 0) {
    }
  }
};

}  // namespace

Clock& RealClock() {
  static SystemClock clock;
  return clock;
}

}  // namespace tidemark::sidecar
