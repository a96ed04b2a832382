#include "sidecar/aof_rewrite_plan.h"

#include "core/aof/rewrite_growth.h"

namespace tidemark::sidecar {

namespace {

bool InWindow(const AofRewritePolicy& p, int64_t now) {
  if (!p.window_start || !p.window_end) return true;
  int m = static_cast<int>(((now % 86400) + 86400) % 86400 / 60);
  int s = *p.window_start, e = *p.window_end;
  if (s == e) return true;
  return s < e ? (m >= s && m < e) : (m >= s || m < e);
}

}  // namespace

std::optional<int> ParseTimeOfDay(const std::string& t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (t[static_cast<size_t>(i)] < '0' || t[static_cast<size_t>(i)] > '9') return std::nullopt;
  int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<std::string> PlanAofRewrite(const AofRewritePolicy& p, const AofState& s,
                                          int64_t now) {
  if (!s.enabled || s.rewrite_in_progress || s.rewrite_scheduled) return std::nullopt;
  const std::string size = std::to_string(s.current_size);
  if (p.max_size && s.current_size >= *p.max_size)
    return "AOF is " + size + " bytes, at or over maxSizeBytes " + std::to_string(*p.max_size) +
           ": rewriting now, window or not";
  if (!p.managed || !InWindow(p, now) || s.current_size < p.min_size || p.growth_percent == 0)
    return std::nullopt;
  const int64_t growth = aof::RewriteGrowthPercent(static_cast<int64_t>(s.current_size),
                                                   static_cast<int64_t>(s.base_size));
  if (growth < static_cast<int64_t>(p.growth_percent)) return std::nullopt;
  return "AOF grew " + std::to_string(growth) + "% over its last rewrite (" +
         std::to_string(s.base_size) + " -> " + size + " bytes; growthPercent " +
         std::to_string(p.growth_percent) + ", minSizeBytes " + std::to_string(p.min_size) +
         ") inside the rewrite window";
}

}  // namespace tidemark::sidecar
