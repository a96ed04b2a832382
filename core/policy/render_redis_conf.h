// Rendering the redis.conf persistence fragment of a valid, defaulted spec.
//
// The fragment sets every persistence directive explicitly, so what Redis does never depends on
// its compiled-in defaults, and it is the same for every mode (directives that a mode does not
// use are still set, to their spec values). Rules (docs/policy.md has the table):
//   appendonly                 yes for aof and hybrid, no for rdb and none
//   save                       the save points, one `save S C S C ...` line; `save ""` for none
//   dbfilename, rdbcompression, rdbchecksum, stop-writes-on-bgsave-error   from spec.rdb
//   appenddirname appendonlydir, appendfilename appendonly.aof   fixed (the sidecar's layout)
//   appendfsync, aof-use-rdb-preamble, aof-timestamp-enabled      from spec.aof
//   auto-aof-rewrite-percentage  spec.aof.rewrite.growthPercent, or 0 when a rewrite window is
//                                set: the sidecar then triggers rewrites itself, in the window
//   auto-aof-rewrite-min-size    spec.aof.rewrite.minSize in bytes
//   aof-load-truncated           spec.restore.allowAofTailRepair, and maxAofTailRepairBytes > 0
// Lines are `directive value`, values quoted only when empty. Deterministic: the same spec gives
// the same bytes. Pure, thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/policy/model.h"

namespace tidemark::policy {

inline constexpr std::string_view kAppendDirName = "appendonlydir";
inline constexpr std::string_view kAppendFileName = "appendonly.aof";

// The (directive, value) pairs, in rendering order; values unquoted (`save` may be empty).
// Precondition: `resource` passed Validate and ApplyDefaults (else: a bug; aborts).
std::vector<std::pair<std::string, std::string>> RedisConfDirectives(
    const RedisPersistence& resource);

// The fragment: a comment header naming the resource, then one directive a line.
std::string RenderRedisConf(const RedisPersistence& resource);

}  // namespace tidemark::policy
