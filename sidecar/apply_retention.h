// Runs the pure retention planner (core/backup/retention.h) over a store's listing and deletes
// what it rejects, logging every decision. Backups that do not list (bad metadata) are never
// touched: retention only deletes what it can see and reason about.
#pragma once

#include "core/backup/retention.h"
#include "core/base/error.h"
#include "sidecar/backup_store.h"
#include "sidecar/json_log.h"

namespace tidemark::sidecar {

struct RetentionOutcome {
  size_t kept = 0;
  size_t deleted = 0;
};

// Stops at the first failed delete (kIo), reporting it; what was deleted before stays deleted.
Result<RetentionOutcome> ApplyRetention(BackupStore& store, const backup::RetentionRules& rules,
                                        JsonLog& log);

}  // namespace tidemark::sidecar
