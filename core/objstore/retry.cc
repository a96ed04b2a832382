#include "core/objstore/retry.h"

#include <algorithm>
#include <ctime>

namespace tidemark::objstore {

bool IsRetryableStatus(int status, std::string_view s3_code) {
  if (s3_code == "RequestTimeTooSkewed") return true;
  return status >= 500 && status <= 599 && status != 501;  // 501 NotImplemented stays so
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random) {
  int64_t cap = policy.base_delay.count();
  for (int i = 1; i < attempt && cap < policy.max_delay.count(); ++i) cap *= 2;
  cap = std::min<int64_t>(cap, policy.max_delay.count());
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(cap) * unit_random));
}

std::optional<int64_t> ParseServerTime(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatIsoTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace tidemark::objstore
