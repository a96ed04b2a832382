// The current UTC time as the API server and the logs want it: RFC 3339 with a fixed number of
// fraction digits, "2026-11-28T03:15:00.123Z" (3: log lines) or "...00.123456Z" (6:
// metav1.MicroTime, for Leases and events.k8s.io Events).
#pragma once

#include <string>

namespace tidemark::controller {

std::string UtcNow(int fraction_digits);

inline std::string MicroTimeNow() { return UtcNow(6); }

}  // namespace tidemark::controller
