// Helpers shared by the object-store client's tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/base/byte_source.h"
#include "sidecar/clock.h"

namespace tidemark::testing {

class StringSink final : public ByteSink {
 public:
  Status Update(std::span<const uint8_t> chunk) override {
    data.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  std::string data;
};

inline std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Bytes that differ at every offset, so a part in the wrong place or a lost byte shows.
inline std::string Pattern(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

// The real clock shifted by `offset_seconds` (a host whose clock is wrong); sleeps are real.
class ShiftedClock final : public sidecar::Clock {
 public:
  explicit ShiftedClock(int64_t offset_seconds) : offset_(offset_seconds) {}
  int64_t NowUnix() override { return sidecar::RealClock().NowUnix() + offset_; }
  int64_t NowMillis() override { return sidecar::RealClock().NowMillis(); }
  void SleepMillis(int64_t ms) override { sidecar::RealClock().SleepMillis(ms); }

 private:
  int64_t offset_;
};

}  // namespace tidemark::testing
