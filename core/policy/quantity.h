// Kubernetes quantities ("64Mi", "1Gi", "500m", "1e3") as the spec uses them.
//
// Two grammars:
//  - any quantity (resources.requests/limits): the full Kubernetes syntax, checked only;
//  - byte quantities (volume sizes, AOF sizes): a non-negative decimal number with an optional
//    binary (Ki Mi Gi Ti Pi Ei = 2^10..2^60) or decimal (k M G T P E = 10^3..10^18) suffix,
//    converted to an exact byte count. "1.5Gi" is 1610612736; "0.5k" is 500; "1.1" is refused
//    (not a whole number of bytes); "100m" is refused (milli-bytes). The CRD's pattern
//    kByteQuantityPattern accepts exactly the strings this grammar accepts, before the range check.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::policy {

inline constexpr std::string_view kByteQuantityPattern =
    R"(^[0-9]+(\.[0-9]+)?([KMGTPE]i|[kMGTPE])?$)";
inline constexpr std::string_view kQuantityPattern =
    R"(^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$)";

// True when `text` is a Kubernetes quantity (any suffix, sign, exponent).
bool IsQuantity(std::string_view text);

// Bytes in `text`. Errors (kInvalidArgument, no `where`: the caller names the field):
//   "must be a byte quantity such as 64Mi, 1Gi or 1048576"
//   "must be a whole number of bytes"
//   "is too large"            (beyond 2^63-1 bytes)
Result<int64_t> ParseByteQuantity(std::string_view text);

// Redis's spelling of a byte count for redis.conf: plain bytes (Redis accepts and reports bytes).
std::string RedisBytes(int64_t bytes);

}  // namespace tidemark::policy
