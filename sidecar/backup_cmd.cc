// `tidemark-sidecar backup`: one on-demand snapshot backup of the local Redis.
#include <sys/random.h>

#include <charconv>
#include <cstdio>
#include <iostream>

#include "core/backup/utc_time.h"
#include "io/file_source.h"
#include "sidecar/apply_retention.h"
#include "sidecar/commands.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/flags.h"
#include "sidecar/json_log.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/sidecar_policy.h"
#include "sidecar/snapshot_backup.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kUsage =
    "usage: tidemark-sidecar backup --redis unix:/path/redis.sock|tcp://host:port\n"
    "         [--password-file FILE] --store DIR [--policy FILE] [--data-dir DIR]\n"
    "         [--policy-generation N] [--timeout SECONDS]\n";

uint32_t RandomSuffix() {
  uint32_t v = 0;
  // getrandom(2) without flags blocks only before the kernel's pool is initialised.
  while (::getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}

std::optional<int64_t> ParseInt(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size() || v < 0) return std::nullopt;
  return v;
}

int Fail(JsonLog& log, const std::string& msg, const Error& e) {
  log.Error(msg, {LogField::Str("error", e.ToString())});
  return kExitFailed;
}

}  // namespace

int RunBackupCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--redis", "--password-file", "--store", "--policy", "--data-dir",
                             "--policy-generation", "--timeout"},
                            {});
  if (!flags || !flags->Has("--redis") || !flags->Has("--store")) {
    std::cerr << "tidemark-sidecar backup: "
              << (flags ? "--redis and --store are required" : flags.error().message) << "\n"
              << kUsage;
    return kExitUsage;
  }
  auto generation = ParseInt(flags->Get("--policy-generation"));
  auto timeout = ParseInt(flags->Get("--timeout"));
  if ((flags->Has("--policy-generation") && !generation) || (flags->Has("--timeout") && !timeout)) {
    std::cerr << "tidemark-sidecar backup: --policy-generation and --timeout take a number\n"
              << kUsage;
    return kExitUsage;
  }
  auto endpoint = ParseRedisEndpoint(*flags->Get("--redis"));
  if (!endpoint) {
    std::cerr << "tidemark-sidecar backup: " << endpoint.error().message << "\n" << kUsage;
    return kExitUsage;
  }

  Clock& clock = RealClock();
  JsonLog log(std::cout, clock, PodName());
  std::optional<SidecarPolicy> policy;
  if (auto path = flags->Get("--policy")) {
    auto p = LoadSidecarPolicy(*path);
    if (!p) return Fail(log, "policy file refused", p.error());
    policy = *p;
  }
  std::optional<std::string> password;
  if (auto path = flags->Get("--password-file")) {
    auto pw = ReadPasswordFile(*path);
    if (!pw) return Fail(log, "cannot read the password file", pw.error());
    password = *pw;
  }
  auto store = DirBackupStore::Open(*flags->Get("--store"));
  if (!store) return Fail(log, "cannot open the backup store", store.error());
  auto cleanup = store->CleanupStale();
  if (!cleanup) return Fail(log, "cannot clean up the backup store", cleanup.error());
  for (const auto& path : cleanup->removed)
    log.Info("removed a temporary file left by an interrupted backup", {LogField::Str("file", path)});

  auto redis = RedisClient::Connect(*endpoint, password);
  if (!redis) return Fail(log, "cannot reach Redis", redis.error());
  auto config = GetPersistenceConfig(*redis);
  if (!config) return Fail(log, "cannot read the Redis persistence configuration", config.error());
  const std::string data_dir = flags->Get("--data-dir").value_or(config->dir);
  const std::string rdb_path = data_dir + "/" + config->dbfilename;

  log.Info("backup started", {LogField::Str("redis", endpoint->ToString()),
                              LogField::Str("snapshot", rdb_path),
                              LogField::Str("store", store->dir())});
  const int64_t started_ms = clock.NowMillis();
  BgsaveOptions bgsave_options;
  if (timeout) bgsave_options.timeout_ms = *timeout * 1000;
  auto bgsave = RunBgsave(*redis, clock, bgsave_options,
                          [&](const std::string& note) { log.Info(note); });
  if (!bgsave) return Fail(log, "backup failed: no fresh snapshot", bgsave.error());
  log.Info("BGSAVE done", {LogField::Int("duration_ms", bgsave->duration_ms),
                           LogField::Bool("waited_for_running_save", bgsave->waited_for_running)});

  auto source = FileSource::Open(rdb_path);
  if (!source) return Fail(log, "backup failed: cannot open the snapshot", source.error());
  SnapshotBackupContext ctx;
  ctx.now_unix = clock.NowUnix();
  ctx.name_suffix = RandomSuffix();
  ctx.source_pod = PodName();
  ctx.policy_generation = generation;
  ctx.verify_after_copy = policy ? policy->verify_after_copy : true;
  auto meta = BackupSnapshot(*source, rdb_path, *store, ctx);
  if (!meta) return Fail(log, "backup failed", meta.error());
  log.Info("backup published",
           {LogField::Str("backup", meta->name), LogField::Int("bytes", meta->size_bytes),
            LogField::Str("sha256", meta->sha256), LogField::Int("keys", meta->total_keys()),
            LogField::Int("rdb_version", meta->rdb_version),
            LogField::Str("data", store->DataLocation(meta->name)),
            LogField::Str("metadata", store->MetadataLocation(meta->name)),
            LogField::Int("duration_ms", clock.NowMillis() - started_ms)});

  if (policy && policy->retention) {
    auto kept = ApplyRetention(*store, *policy->retention, log);
    // The new backup is published: a retention problem is reported, not a failed backup.
    if (!kept) log.Warn("retention not applied", {LogField::Str("error", kept.error().ToString())});
    else
      log.Info("retention applied", {LogField::Int("kept", kept->kept),
                                     LogField::Int("deleted", kept->deleted)});
  }
  return kExitOk;
}

}  // namespace tidemark::sidecar
