#include "sidecar/persistence_metrics.h"

#include <cstdlib>
#include <string>

namespace tidemark::sidecar {

namespace {

struct Field {
  const char* info_key;
  const char* metric;
  // Status fields ("ok"/"err") become 1/0; the others are numbers.
  bool status = false;
};

constexpr Field kFields[] = {
    {"rdb_last_bgsave_status", "tidemark_rdb_last_bgsave_ok", true},
    {"rdb_saves", "tidemark_rdb_saves_total"},
    {"rdb_last_save_time", "tidemark_rdb_last_save_timestamp_seconds"},
    {"rdb_changes_since_last_save", "tidemark_rdb_changes_since_last_save"},
    {"aof_enabled", "tidemark_aof_enabled"},
    {"aof_last_write_status", "tidemark_aof_last_write_ok", true},
    {"aof_last_bgrewrite_status", "tidemark_aof_last_rewrite_ok", true},
    {"aof_rewrite_in_progress", "tidemark_aof_rewrite_in_progress"},
    {"aof_rewrites", "tidemark_aof_rewrites_total"},
};

}  // namespace

void ExportPersistenceInfo(const InfoFields& info, Metrics& metrics) {
  for (const Field& f : kFields) {
    auto it = info.find(f.info_key);
    if (it == info.end()) continue;
    const double value =
        f.status ? (it->second == "ok" ? 1.0 : 0.0) : std::strtod(it->second.c_str(), nullptr);
    metrics.Set(f.metric, {}, value);
  }
}

int64_t ScheduleIntervalSeconds(const backup::CronSchedule& schedule, int64_t now_unix) {
  const int64_t first = schedule.NextAfter(now_unix);
  if (first < 0) return 0;
  const int64_t second = schedule.NextAfter(first);
  return second < 0 ? 0 : second - first;
}

}  // namespace tidemark::sidecar
