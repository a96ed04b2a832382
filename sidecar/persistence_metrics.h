// What Redis itself says about its saves and its AOF (INFO persistence), exported as metrics so
// that alerts see a failed BGSAVE or a failing AOF write even between the sidecar's backups; and
// the backup schedule's interval, which the "backup overdue" alert compares against.
#pragma once

#include <cstdint>

#include "core/backup/cron_schedule.h"
#include "sidecar/metrics.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::sidecar {

// Sets, from one INFO persistence reply: tidemark_rdb_last_bgsave_ok, tidemark_rdb_saves_total,
// tidemark_rdb_last_save_timestamp_seconds, tidemark_rdb_changes_since_last_save,
// tidemark_aof_enabled, tidemark_aof_last_write_ok, tidemark_aof_last_rewrite_ok,
// tidemark_aof_rewrite_in_progress, tidemark_aof_rewrites_total. A field the reply lacks (an
// older Redis) leaves its metric as it was. The *_total values are Redis's own counts since it
// started: a Redis restart resets them, which Prometheus's rate() and increase() handle.
void ExportPersistenceInfo(const InfoFields& info, Metrics& metrics);

// Seconds between the next two fire times of `schedule` after `now_unix`; 0 if it does not fire
// twice (within the cron search horizon). Pure.
int64_t ScheduleIntervalSeconds(const backup::CronSchedule& schedule, int64_t now_unix);

}  // namespace tidemark::sidecar
