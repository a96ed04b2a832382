#include "core/objstore/retry.h"

#include <algorithm>
#include <ctime>

#include "core/backup/utc_time.h"

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
  if (auto iso = backup::ParseRfc3339(text)) return iso;
  // The Date header's form, which RFC 3339 does not cover.
  std::string s(text);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatIsoTime(int64_t unix_seconds) { return backup::FormatIsoUtc(unix_seconds); }

}  // namespace tidemark::objstore
