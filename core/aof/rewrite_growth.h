// Redis's automatic AOF rewrite trigger, as serverCron computes it (src/server.c, Redis 7.0): the
// AOF's growth over the size after its last rewrite, in whole percent, the number Redis logs
// ("Starting automatic rewriting of AOF on N% growth"). Redis rewrites when the AOF is over
// auto-aof-rewrite-min-size and this growth is at or over auto-aof-rewrite-percentage (not 0).
// A base of 0 counts as 1 byte: a server started on a new or empty AOF reports aof_base_size 0
// until its first rewrite, and Redis rewrites it as soon as it passes the minimum size. Pure.
#pragma once

#include <cstdint>

namespace tidemark::aof {

// current * 100 / base - 100 in integer arithmetic, base 0 taken as 1.
constexpr int64_t RewriteGrowthPercent(int64_t current_size, int64_t base_size) {
  return current_size * 100 / (base_size > 0 ? base_size : 1) - 100;
}

}  // namespace tidemark::aof
