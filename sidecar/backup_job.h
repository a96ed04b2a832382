// One snapshot backup of the local Redis, start to finish: clean up what an interrupted backup
// left in the store, find the snapshot file (CONFIG GET dir/dbfilename), BGSAVE (waited and
// checked, redis_persistence.h), the one-pass copy (snapshot_backup.h), then retention.
// Shared by `tidemark-sidecar backup` and the scheduler of `tidemark-sidecar run`.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backup/lineage.h"
#include "core/backup/metadata.h"
#include "core/backup/retention.h"
#include "core/base/error.h"
#include "sidecar/backup_store.h"
#include "sidecar/clock.h"
#include "sidecar/json_log.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

struct BackupJobOptions {
  std::optional<std::string> data_dir;  // where the sidecar sees Redis's dir, if not the same path
  int64_t bgsave_timeout_ms = 30 * 60 * 1000;
  std::string source_pod;
  std::optional<int64_t> policy_generation = std::nullopt;
  backup::Lineage lineage = {};  // recorded in each backup's metadata
  bool verify_after_copy = true;
  std::optional<backup::RetentionRules> retention = std::nullopt;
};

struct BackupJobResult {
  backup::BackupMetadata metadata;
  int64_t duration_ms = 0;
  bool waited_for_running_save = false;
  // Stores that did not get this backup while another did (several targets only).
  std::vector<std::string> failed_stores;
  // Per target, in the order given: its destination name and "" when it published, else why not.
  std::vector<std::pair<std::string, std::string>> destinations;
};

// Logs each step. A retention failure after a published backup is logged, not an error.
Result<BackupJobResult> RunBackupJob(RedisClient& redis, BackupStore& store,
                                     const BackupJobOptions& options, JsonLog& log, Clock& clock);

// Where one backup goes (the policy's backup.destinations), each store with its own retention.
struct BackupTarget {
  BackupStore* store = nullptr;
  std::optional<backup::RetentionRules> retention;
  // The policy's name for it ("local" or "objectStore"): logs, metrics and /v1/status use it.
  std::string destination = "local";
};
// One snapshot to every target in one pass (snapshot_backup.h, BackupSnapshotToStores):
// options.retention is ignored for the targets' own. Succeeds when at least one store published;
// the others are logged and listed in failed_stores.
Result<BackupJobResult> RunBackupJob(RedisClient& redis, const std::vector<BackupTarget>& targets,
                                     const BackupJobOptions& options, JsonLog& log, Clock& clock);

}  // namespace tidemark::sidecar
