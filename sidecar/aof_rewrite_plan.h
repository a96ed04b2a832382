// When the sidecar rewrites the AOF itself. Pure; the run loop feeds it `INFO persistence` and
// issues BGREWRITEAOF.
//
// Rules, in order: nothing while AOF is off or a rewrite runs or is scheduled; at or above
// maxSizeBytes rewrite at once, even outside the window and whoever manages the growth rule
// (Redis has no maximum; an AOF that grows without bound fills the volume); the growth rule only
// when managedBySidecar (a window is set, so Redis's auto-aof-rewrite-percentage is 0), only
// inside the window (start <= now < end, UTC; end < start spans
// midnight; start == end is the whole day), only at or above minSizeBytes, and only when it grew
// by growthPercent over the size after the last rewrite — Redis's own rule
// (core/aof/rewrite_growth.h); growthPercent 0 turns the growth trigger off.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tidemark::sidecar {

struct AofRewritePolicy {
  bool managed = false;
  uint64_t growth_percent = 100;
  uint64_t min_size = 64 << 20;
  std::optional<uint64_t> max_size = std::nullopt;
  std::optional<int> window_start = std::nullopt;  // minutes after 00:00 UTC
  std::optional<int> window_end = std::nullopt;
};

struct AofState {
  bool enabled = false;
  bool rewrite_in_progress = false;
  bool rewrite_scheduled = false;
  uint64_t current_size = 0;
  uint64_t base_size = 0;
};

// The reason to rewrite now, or nullopt.
std::optional<std::string> PlanAofRewrite(const AofRewritePolicy& policy, const AofState& state,
                                          int64_t now_unix);

// "HH:MM" -> minutes after midnight; nullopt if malformed.
std::optional<int> ParseTimeOfDay(const std::string& text);

}  // namespace tidemark::sidecar
