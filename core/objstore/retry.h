// When an S3 call is worth another attempt, and how long to wait first. Pure: the caller brings
// the random draw and does the sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::objstore {

struct RetryPolicy {
  int max_attempts = 5;  // 1 = no retry
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};
};

// 5xx (500 InternalError, 502, 503 SlowDown / ServiceUnavailable, 504) and a refused clock
// (RequestTimeTooSkewed, which S3 sends as 403): yes. Every other 4xx: no, the same request
// would be refused again.
bool IsRetryableStatus(int status, std::string_view s3_code);

// Exponential backoff with full jitter: a delay drawn uniformly from
// [0, min(max_delay, base_delay * 2^(attempt-1))] for the attempt-th retry (1-based).
// `unit_random` is the draw, in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random);

// Seconds since the epoch of an S3 time: ISO 8601 ("2013-05-24T00:00:00Z", fraction allowed,
// as in <ServerTime>) or the HTTP Date form ("Fri, 24 May 2013 00:00:00 GMT").
std::optional<int64_t> ParseServerTime(std::string_view text);
// "2013-05-24T00:00:00Z".
std::string FormatIsoTime(int64_t unix_seconds);

}  // namespace tidemark::objstore
