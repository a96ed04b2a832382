#include "sidecar/backup_job.h"

#include <sys/random.h>

#include "core/backup/backup_name.h"
#include "io/kill_point.h"
#include "io/file_source.h"
#include "sidecar/apply_retention.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/snapshot_backup.h"

namespace tidemark::sidecar {

namespace {

uint32_t RandomSuffix() {
  uint32_t v = 0;
  // getrandom(2) without flags blocks only until the kernel's pool is initialised.
  while (::getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}

std::unexpected<Error> Because(const std::string& what, Error e) {
  e.message = what + ": " + e.message;
  return std::unexpected(std::move(e));
}

}  // namespace

Result<BackupJobResult> RunBackupJob(RedisClient& redis, BackupStore& store,
                                     const BackupJobOptions& o, JsonLog& log, Clock& clock) {
  return RunBackupJob(redis, {BackupTarget{&store, o.retention}}, o, log, clock);
}

Result<BackupJobResult> RunBackupJob(RedisClient& redis, const std::vector<BackupTarget>& targets,
                                     const BackupJobOptions& o, JsonLog& log, Clock& clock) {
  const int64_t started_ms = clock.NowMillis();
  std::vector<BackupStore*> stores;
  for (const auto& t : targets) {
    auto cleanup = t.store->CleanupStale();
    if (!cleanup) return Because("cannot clean up the backup store", cleanup.error());
    for (const auto& path : cleanup->removed)
      log.Info("removed a temporary file left by an interrupted backup", {LogField::Str("file", path)});
    stores.push_back(t.store);
  }

  auto config = GetPersistenceConfig(redis);
  if (!config) return Because("cannot read the Redis persistence configuration", config.error());
  const std::string rdb_path = o.data_dir.value_or(config->dir) + "/" + config->dbfilename;
  auto keys = KeyCount(redis);
  if (!keys) return Because("cannot count the keys", keys.error());
  const bool check_duplicates = CheckDuplicateKeys(*keys);
  log.Info("backup started", {LogField::Str("snapshot", rdb_path), LogField::Int("keys", *keys),
                              LogField::Bool("duplicate_key_check", check_duplicates)});

  BgsaveOptions bgsave_options;
  bgsave_options.timeout_ms = o.bgsave_timeout_ms;
  auto bgsave =
      RunBgsave(redis, clock, bgsave_options, [&](const std::string& note) { log.Info(note); });
  if (!bgsave) return Because("no fresh snapshot", bgsave.error());
  log.Info("BGSAVE done", {LogField::Int("duration_ms", bgsave->duration_ms),
                           LogField::Bool("waited_for_running_save", bgsave->waited_for_running)});

  auto source = FileSource::Open(rdb_path);
  if (!source) return Because("cannot open the snapshot", source.error());
  SnapshotBackupContext ctx;
  // One reading for the second and the millisecond, so they never straddle a second boundary.
  const int64_t now_ms = clock.NowUnixMillis();
  ctx.now_unix = now_ms / 1000;
  ctx.now_unix_ms = now_ms;
  ctx.name_suffix = backup::TimeOrderedSuffix(now_ms, RandomSuffix());
  ctx.source_pod = o.source_pod;
  ctx.policy_generation = o.policy_generation;
  ctx.lineage = o.lineage;
  ctx.verify_after_copy = o.verify_after_copy;
  ctx.check_duplicate_keys = check_duplicates;
  ctx.snapshot_bytes = source->size();
  auto done = BackupSnapshotToStores(*source, rdb_path, stores, ctx);
  if (!done) return std::unexpected(done.error());
  const backup::BackupMetadata& meta = done->metadata;
  KillPoint("backup-published", meta.name);

  BackupJobResult result{meta, clock.NowMillis() - started_ms, bgsave->waited_for_running, {}, {}};
  for (size_t i = 0; i < targets.size(); ++i) {
    BackupStore& store = *targets[i].store;
    result.destinations.emplace_back(targets[i].destination,
                                     done->stores[i] ? "" : done->stores[i].error().ToString());
    if (!done->stores[i]) {
      result.failed_stores.push_back(done->stores[i].error().ToString());
      log.Warn("backup not published to this store (the others have it)",
               {LogField::Str("backup", meta.name), LogField::Str("destination", targets[i].destination),
                LogField::Str("data", store.DataLocation(meta.name)),
                LogField::Str("error", done->stores[i].error().ToString())});
      continue;
    }
    log.Info("backup published",
             {LogField::Str("backup", meta.name), LogField::Int("bytes", meta.size_bytes),
              LogField::Str("sha256", meta.sha256), LogField::Int("keys", meta.total_keys()),
              LogField::Int("rdb_version", meta.rdb_version),
              LogField::Str("data", store.DataLocation(meta.name)),
              LogField::Str("metadata", store.MetadataLocation(meta.name)),
              LogField::Int("duration_ms", result.duration_ms)});
    if (targets[i].retention) {
      auto kept = ApplyRetention(store, *targets[i].retention, log);
      if (!kept)
        log.Warn("retention not applied", {LogField::Str("data", store.DataLocation(meta.name)),
                                           LogField::Str("error", kept.error().ToString())});
      else
        log.Info("retention applied",
                 {LogField::Str("data", store.DataLocation(meta.name)),
                  LogField::Int("kept", kept->kept), LogField::Int("deleted", kept->deleted)});
    }
  }
  return result;
}

}  // namespace tidemark::sidecar
