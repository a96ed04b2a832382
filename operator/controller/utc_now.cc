#include "operator/controller/utc_now.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace tidemark::controller {

std::string UtcNow(int fraction_digits) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) % 1000000;
  int fraction = static_cast<int>(us.count());
  for (int d = 6; d > fraction_digits; --d) fraction /= 10;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%0*dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction_digits,
                fraction);
  return buf;
}

}  // namespace tidemark::controller
