// Live policy: the redis.conf fragment the operator renders (core/policy/render_redis_conf.h,
// "directive value" lines) applied to a running Redis with CONFIG SET, and drift reported.
//
// Every directive is compared with CONFIG GET first and set only when it differs, so applying an
// unchanged policy is a no-op and the count of differences is the drift. Directives Redis cannot
// change at runtime (appenddirname, appendfilename, dir) are never set: a difference there is
// reported as drift that needs a restart. Turning appendonly on at runtime is safe in Redis 7:
// it rewrites the AOF from memory (the startup trap in NOTES.md does not apply).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "sidecar/json_log.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

using ConfigDirectives = std::vector<std::pair<std::string, std::string>>;

// Parses the fragment: '#' comments and blank lines skipped, a value in double quotes is
// unquoted (`""` is the empty value), other values taken verbatim (after one space). kInvalidArgument naming the line otherwise. Pure.
Result<ConfigDirectives> ParseConfFragment(std::string_view text, const std::string& where);

struct ApplyReport {
  int changed = 0;                   // directives CONFIG SET changed
  std::vector<std::string> drift;    // "directive: redis has X, policy wants Y" (all differences)
  std::vector<std::string> refused;  // directives Redis refused to set, with its error
};

// kIo when the connection fails; Redis refusing one directive is in the report.
Result<ApplyReport> ApplyConfig(RedisClient& redis, const ConfigDirectives& directives);

}  // namespace tidemark::sidecar
