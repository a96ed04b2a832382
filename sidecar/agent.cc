#include "sidecar/agent.h"

#include <algorithm>
#include <cstdlib>

#include "core/backup/utc_time.h"
#include "io/file_source.h"
#include "sidecar/aof_position.h"
#include "sidecar/backup_job.h"
#include "sidecar/backup_targets.h"
#include "sidecar/peer_token.h"
#include "sidecar/persistence_metrics.h"
#include "sidecar/drill.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/restore.h"
#include "sidecar/restore_check.h"
#include "sidecar/restore_record.h"
#include "sidecar/scratch_redis.h"
#include "sidecar/verify_files.h"

namespace tidemark::sidecar {

namespace {

constexpr int64_t kMaxBackoffMs = 30000;
constexpr int kDigestTimeoutMs = 30 * 60 * 1000;
constexpr int kScheduledRetries = 3;
constexpr int64_t kRetryDelaySeconds = 30;
constexpr const char* kPeriodicCheck = "periodic drift check";

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + JsonQuote(items[i]);
  return out + "]";
}

std::string JsonTime(int64_t t) { return t > 0 ? JsonQuote(backup::FormatIsoUtc(t)) : "null"; }

// The snapshot or the copy in the store broke the format or differs from what was read: the
// backup was refused by verification, not by the system.
bool IsVerificationFailure(const Error& e) {
  return e.code == ErrorCode::kCorrupt || e.code == ErrorCode::kTruncated ||
         e.code == ErrorCode::kUnsupported;
}

// The last backup per destination: [{"destination","result","error"}], [] before the first.
std::string DestinationsJson(const std::vector<std::pair<std::string, std::string>>& destinations) {
  std::string out = "[";
  for (const auto& [destination, error] : destinations)
    out += std::string(out.size() > 1 ? "," : "") + "{\"destination\":" + JsonQuote(destination) +
           ",\"result\":" + (error.empty() ? "\"success\"" : "\"failure\"") +
           ",\"error\":" + (error.empty() ? "null" : JsonQuote(error)) + "}";
  return out + "]";
}

}  // namespace

Agent::Agent(AgentOptions options, DirBackupStore& store, JsonLog& log, Clock& clock,
             Metrics& metrics)
    : options_(std::move(options)),
      store_(store),
      log_(log),
      clock_(clock),
      metrics_(metrics),
      snapshots_(SnapshotServeOptions{options_.endpoint, options_.password_file, options_.data_dir},
                 log, clock) {
  if (options_.replica_guard) replica_guard_.emplace(*options_.replica_guard, log_, clock_);
  metrics_.Set("tidemark_redis_up", {}, 0);
  metrics_.Set("tidemark_policy_drift", {}, 0);
  metrics_.Add("tidemark_backups_total", {{"result", "success"}}, 0);
  metrics_.Add("tidemark_backups_total", {{"result", "failure"}}, 0);
  metrics_.Add("tidemark_backups_total", {{"result", "partial"}}, 0);
  // Counters exist at 0 from the start: increase() sees their first event (a series that
  // appears at 1 has no increase), so alerts on them fire and dashboards show 0, not nothing.
  for (const char* counter :
       {"tidemark_backup_verification_failures_total", "tidemark_aof_verify_problems_total",
        "tidemark_aof_verified_bytes_total", "tidemark_aof_rewrites_triggered_total",
        "tidemark_redis_reconnects_total"})
    metrics_.Add(counter, {}, 0);
  metrics_.Add("tidemark_policy_applies_total", {{"result", "applied"}}, 0);
  metrics_.Add("tidemark_policy_applies_total", {{"result", "refused"}}, 0);
  metrics_.Set("tidemark_backup_schedule_interval_seconds", {}, 0);
  metrics_.Set("tidemark_aof_max_size_bytes", {}, 0);
  metrics_.Set("tidemark_sidecar_start_time_seconds", {}, static_cast<double>(clock_.NowUnix()));
  for (const char* r : {"success", "failure", "skipped"})
    metrics_.Add("tidemark_drill_runs_total", {{"result", r}}, 0);
  metrics_.Set("tidemark_drill_last_success_timestamp_seconds", {}, 0);
  metrics_.Set("tidemark_drill_schedule_interval_seconds", {}, 0);
  for (const char* r : {"verified", "mismatch", "unverifiable"})
    metrics_.Add("tidemark_restore_checks_total", {{"result", r}}, 0);
}

void Agent::Run(const std::atomic<bool>& stop) {
  if (auto listing = store_.List()) {
    metrics_.Set("tidemark_backups_stored", {}, static_cast<double>(listing->backups.size()));
    // A restarted sidecar still knows its last backup: the "backup overdue" alert must not reset
    // with every pod restart, nor the dashboard lose the backup's size until the next one.
    if (!listing->backups.empty())  // newest first
      ExportLastBackup(listing->backups.front(), listing->backups.front().created_unix);
  }
  log_.Info("sidecar running", {LogField::Str("redis", options_.endpoint.ToString()),
                                LogField::Str("store", store_.dir())});
  // A drill killed with the sidecar left its copy of a backup (as large as the backup) in the
  // work directory, which outlives the container: it goes now, not at the next drill.
  for (const auto& stale : CleanStaleScratchDirs(options_.work_dir))
    log_.Info("removed the scratch directory of an interrupted drill", {LogField::Str("dir", stale)});
  while (!stop.load()) {
    Tick();
    clock_.SleepMillis(options_.tick_ms);
  }
  log_.Info("sidecar stopping");
}

void Agent::Tick() {
  const int64_t now_ms = clock_.NowMillis();
  if (now_ms >= next_files_check_ms_) {
    next_files_check_ms_ = now_ms + options_.files_check_ms;
    ReloadFiles();
    if (redis_) {
      // Notice a Redis that went away (or restarted) within a second, not at the next drift check.
      auto pong = redis_->Command({"PING"});
      if (!pong) Disconnect(pong.error());
      else if (!replica_guard_) ReadReplication();  // a guarded replica reads it every tick
      if (redis_) CheckAof();
    }
  }
  if (!redis_ && now_ms >= next_connect_ms_) Connect();
  // Every tick, not every second: the replica must be held before pod 0 can answer again.
  if (redis_ && replica_guard_) GuardReplica();
  if (redis_ && !restore_checked_) CheckRestore();
  if (redis_ && (needs_apply_ || now_ms >= next_drift_check_ms_)) {
    next_drift_check_ms_ = now_ms + options_.drift_check_ms;
    Apply(needs_apply_ ? "policy changed or Redis (re)connected" : kPeriodicCheck);
  }
  const int64_t now = clock_.NowUnix();
  bool run = false;
  {
    std::lock_guard lock(mu_);
    if (schedule_ && status_.next_scheduled_unix >= 0 && now >= status_.next_scheduled_unix) {
      status_.next_scheduled_unix = schedule_->NextAfter(now);
      if (!status_.backup_pending) {
        status_.backup_pending = true;
        retries_left_ = kScheduledRetries;
        if (!redis_) log_.Warn("scheduled backup due while Redis is unreachable: it runs when Redis answers");
      }
    }
    if (retry_at_unix_ >= 0 && now >= retry_at_unix_) {
      retry_at_unix_ = -1;
      status_.backup_pending = true;
      log_.Info("retrying the failed scheduled backup",
                {LogField::Int("retries_left", retries_left_),
                 LogField::Bool("redis_up", redis_.has_value())});
    }
    run = status_.backup_pending && redis_.has_value();
    if (run) {
      status_.backup_pending = false;
      status_.backup_running = true;
    }
  }
  if (run) Backup();
  bool drill = false;
  {
    std::lock_guard lock(mu_);
    if (drill_schedule_ && status_.next_drill_unix >= 0 && now >= status_.next_drill_unix) {
      status_.next_drill_unix = drill_schedule_->NextAfter(now);
      status_.drill_pending = true;
    }
    // A backup first: a drill would delay it by a whole load.
    drill = status_.drill_pending && !(status_.backup_pending && redis_);
    if (drill) {
      status_.drill_pending = false;
      status_.drill_running = true;
    }
  }
  if (drill) Drill();
}

void Agent::ReloadFiles() {
  bool changed = false;
  if (options_.policy_path) {
    auto text = ReadSmallFile(*options_.policy_path);
    std::string content = text ? *text : "";
    if (content != policy_text_) {
      policy_text_ = content;
      auto parsed = text ? LoadSidecarPolicy(*options_.policy_path)
                         : Result<SidecarPolicy>(std::unexpected(text.error()));
      std::optional<backup::CronSchedule> schedule, drill_schedule;
      auto cron = [&](const std::optional<std::string>& text, const char* member,
                      std::optional<backup::CronSchedule>& out) {
        if (!parsed || !text) return;
        auto s = backup::CronSchedule::Parse(*text);
        if (!s)
          parsed = MakeError(ErrorCode::kInvalidArgument, std::string(member) + ": " + s.error().message,
                             -1, *options_.policy_path);
        else
          out = *s;
      };
      cron(parsed ? parsed->backup_schedule : std::nullopt, "backup.schedule", schedule);
      cron(parsed && parsed->drill ? std::optional(parsed->drill->schedule) : std::nullopt,
           "backup.drill.schedule", drill_schedule);
      if (!parsed) {
        metrics_.Add("tidemark_policy_applies_total", {{"result", "refused"}});
        log_.Error("policy file refused; the previous policy stays in force",
                   {LogField::Str("error", parsed.error().ToString())});
        std::lock_guard lock(mu_);
        status_.policy_error = parsed.error().ToString();
      } else {
        policy_ = *parsed;
        schedule_ = schedule;
        drill_schedule_ = drill_schedule;
        changed = true;
        const int64_t now = clock_.NowUnix();
        metrics_.Set("tidemark_backup_schedule_interval_seconds", {},
                     schedule_ ? static_cast<double>(ScheduleIntervalSeconds(*schedule_, now)) : 0.0);
        metrics_.Set("tidemark_drill_schedule_interval_seconds", {},
                     drill_schedule_ ? static_cast<double>(ScheduleIntervalSeconds(*drill_schedule_, now))
                                     : 0.0);
        metrics_.Set("tidemark_aof_max_size_bytes", {},
                     static_cast<double>(policy_->aof_rewrite.max_size.value_or(0)));
        std::lock_guard lock(mu_);
        status_.policy_error.clear();
        status_.next_scheduled_unix = schedule_ ? schedule_->NextAfter(now) : -1;
        status_.next_drill_unix = drill_schedule_ ? drill_schedule_->NextAfter(now) : -1;
      }
    }
  }
  if (options_.conf_path) {
    auto text = ReadSmallFile(*options_.conf_path);
    std::string content = text ? *text : "";
    if (content != conf_text_) {
      conf_text_ = content;
      auto parsed = text ? ParseConfFragment(*text, *options_.conf_path)
                         : Result<ConfigDirectives>(std::unexpected(text.error()));
      if (!parsed) {
        metrics_.Add("tidemark_policy_applies_total", {{"result", "refused"}});
        log_.Error("redis.conf fragment refused; the previous settings stay in force",
                   {LogField::Str("error", parsed.error().ToString())});
        std::lock_guard lock(mu_);
        status_.policy_error = parsed.error().ToString();
      } else {
        conf_ = *parsed;
        changed = true;
      }
    }
  }
  if (changed) {
    log_.Info("policy loaded",
              {LogField::Str("resource", policy_ ? policy_->resource_namespace + "/" +
                                                       policy_->resource_name
                                                 : ""),
               LogField::Int("directives", conf_ ? static_cast<int64_t>(conf_->size()) : 0),
               LogField::Str("schedule", policy_ && policy_->backup_schedule
                                             ? *policy_->backup_schedule
                                             : "")});
    needs_apply_ = true;
  }
}

void Agent::Connect() {
  std::optional<std::string> password;
  if (options_.password_file) {
    auto pw = ReadPasswordFile(*options_.password_file);
    if (!pw) {
      Disconnect(pw.error());
      return;
    }
    password = *pw;
  }
  auto client = RedisClient::Connect(options_.endpoint, password, 5000);
  if (!client) {
    Disconnect(client.error());
    return;
  }
  redis_.emplace(std::move(*client));
  recorded_position_read_ = false;
  backoff_ms_ = 1000;
  needs_apply_ = true;  // a restarted Redis lost every CONFIG SET
  metrics_.Set("tidemark_redis_up", {}, 1);
  metrics_.Add("tidemark_redis_reconnects_total", {});
  log_.Info("connected to Redis", {LogField::Str("redis", options_.endpoint.ToString())});
  std::lock_guard lock(mu_);
  status_.redis_up = true;
}

void Agent::Disconnect(const Error& why) {
  bool was_up = redis_.has_value();
  redis_.reset();
  config_.reset();
  next_connect_ms_ = clock_.NowMillis() + backoff_ms_;
  if (was_up || backoff_ms_ == 1000)
    log_.Warn("Redis unreachable; retrying with backoff",
              {LogField::Str("error", why.ToString()), LogField::Int("retry_in_ms", backoff_ms_)});
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
  metrics_.Set("tidemark_redis_up", {}, 0);
  std::lock_guard lock(mu_);
  status_.redis_up = false;
  status_.policy_applied = false;
  status_.replication.reset();
}

std::optional<ReplicationState> Agent::ReadReplication() {
  auto state = ReadReplicationState(*redis_);
  if (!state) {
    Disconnect(state.error());
    return std::nullopt;
  }
  if (!config_) {
    if (auto c = GetPersistenceConfig(*redis_)) config_ = *c;
  }
  std::lock_guard lock(mu_);
  status_.replication = *state;
  return std::move(*state);
}

void Agent::GuardReplica() {
  // One read per tick serves both the guard and /v1/status (Tick skips its per-second read).
  auto state = ReadReplication();
  if (!state) return;
  if (!recorded_position_read_ && options_.data_dir && config_) {
    // Once per connection: a Redis restarted from its AOF is judged by the recorded position.
    recorded_position_read_ = true;
    std::string why_not;
    auto recorded = CurrentRecordedPosition(*options_.data_dir,
                                            *options_.data_dir + "/" + config_->appenddirname, why_not);
    if (recorded)
      log_.Info("this replica's recorded replication position",
                {LogField::Str("replid", recorded->replid),
                 LogField::Int("offset", static_cast<int64_t>(recorded->offset))});
    else
      log_.Info("no recorded replication position for this replica", {LogField::Str("why", why_not)});
    replica_guard_->SetRecordedPosition(std::move(recorded));
  }
  if (auto s = replica_guard_->Step(*redis_, *state); !s) return Disconnect(s.error());
  std::lock_guard lock(mu_);
  status_.hold_back = replica_guard_->StatusJson();
}

void Agent::CheckAof() {
  auto info = Info(*redis_, "persistence");
  if (!info) {
    Disconnect(info.error());
    return;
  }
  auto num = [&](const char* key) -> uint64_t {
    auto it = info->find(key);
    return it == info->end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
  };
  ExportPersistenceInfo(*info, metrics_);
  AofState s;
  s.enabled = num("aof_enabled") == 1;
  s.rewrite_in_progress = num("aof_rewrite_in_progress") == 1;
  s.rewrite_scheduled = num("aof_rewrite_scheduled") == 1;
  s.current_size = num("aof_current_size");
  s.base_size = num("aof_base_size");
  if (s.enabled) {
    metrics_.Set("tidemark_aof_current_size_bytes", {}, static_cast<double>(s.current_size));
    metrics_.Set("tidemark_aof_base_size_bytes", {}, static_cast<double>(s.base_size));
  }
  if (s.enabled) WatchAof();
  if (!policy_) return;
  auto reason = PlanAofRewrite(policy_->aof_rewrite, s, clock_.NowUnix());
  if (!reason) return;
  auto r = redis_->Command({"BGREWRITEAOF"});
  if (!r) {
    Disconnect(r.error());
    return;
  }
  if (r->type == RedisReply::Type::kError) {
    log_.Warn("BGREWRITEAOF refused", {LogField::Str("error", r->str)});
    return;
  }
  metrics_.Add("tidemark_aof_rewrites_triggered_total", {});
  log_.Info("AOF rewrite triggered", {LogField::Str("reason", *reason),
                                      LogField::Int("aof_bytes", s.current_size)});
}

void Agent::WatchAof() {
  if (!config_) {
    auto c = GetPersistenceConfig(*redis_);
    if (!c) return;  // reported by the next PING if the connection is gone
    config_ = *c;
  }
  const std::string dir = options_.data_dir.value_or(config_->dir) + "/" + config_->appenddirname;
  auto r = aof_watcher_.Check(dir, config_->appendfilename + ".manifest");
  if (!r) return;  // no manifest at this instant (a rewrite is swapping it): next second
  metrics_.Add("tidemark_aof_verified_bytes_total", {}, static_cast<double>(r->bytes_verified));
  if (r->new_problem) {
    metrics_.Add("tidemark_aof_verify_problems_total", {});
    log_.Error("the AOF Redis is writing does not verify",
               {LogField::Str("error", r->new_problem->ToString()), LogField::Str("dir", dir)});
    std::lock_guard lock(mu_);
    status_.aof_problem = r->new_problem->ToString();
  }
}

void Agent::Apply(const char* reason) {
  needs_apply_ = false;
  // Ready only once every policy file given has been read at least once.
  const bool loaded = (!options_.policy_path || policy_) && (!options_.conf_path || conf_);
  if (!conf_) {
    std::lock_guard lock(mu_);
    status_.policy_applied = loaded;  // nothing to apply
    return;
  }
  auto report = ApplyConfig(*redis_, *conf_);
  if (!report) {
    Disconnect(report.error());
    return;
  }
  metrics_.Set("tidemark_policy_drift", {}, static_cast<double>(report->drift.size()));
  if (!report->drift.empty() || !report->refused.empty()) {
    metrics_.Add("tidemark_policy_applies_total",
                 {{"result", report->refused.empty() ? "applied" : "refused"}});
    // Differences found by the periodic check were made behind the sidecar's back: drift.
    const bool drift = std::string_view(reason) == kPeriodicCheck && !report->drift.empty();
    const std::vector<LogField> fields = {LogField::Str("reason", reason),
                                          LogField::Int("changed", report->changed),
                                          LogField{"drift", JsonList(report->drift)},
                                          LogField{"refused", JsonList(report->refused)}};
    if (drift)
      log_.Warn("policy drift: Redis settings were changed behind the sidecar's back; re-applied",
                fields);
    else
      log_.Info("policy applied to Redis", fields);
  }
  {
    std::lock_guard lock(mu_);
    status_.policy_applied = loaded && report->refused.empty();
    status_.drift = report->drift;
  }
  ApplyShutdownSave(reason);
}

bool Agent::WantsShutdownSave() const {
  const bool replicated = options_.replica_guard || options_.peer_token || options_.peer_port;
  if (!replicated || !conf_) return false;
  return std::any_of(conf_->begin(), conf_->end(), [](const auto& d) {
    return d.first == "appendonly" && d.second == "yes";
  });
}

void Agent::ApplyShutdownSave(const char* reason) {
  if (!WantsShutdownSave()) return;
  auto report = ApplyConfig(*redis_, {{"shutdown-on-sigterm", "save"}});
  if (!report) return Disconnect(report.error());
  if (!report->refused.empty()) {
    // Redis 6.x has no such setting: the hold-back then stays fail-safe after a restart.
    if (!shutdown_save_refused_logged_)
      log_.Warn("shutdown-on-sigterm save refused: after a restart with AOF on this Redis's "
                "replication position is not known and replicas stay held",
                {LogField::Str("error", report->refused.front())});
    shutdown_save_refused_logged_ = true;
    return;
  }
  if (report->changed == 0) return;
  const std::vector<LogField> fields = {LogField::Str("reason", reason),
                                        LogField{"drift", JsonList(report->drift)}};
  if (std::string_view(reason) == kPeriodicCheck)
    log_.Warn("policy drift: shutdown-on-sigterm was changed behind the sidecar's back; re-applied",
              fields);
  else
    log_.Info("shutdown-on-sigterm save set: a clean shutdown records the replication position "
              "for the replicas' hold-back",
              fields);
}

void Agent::Backup() {
  BackupJobOptions o;
  o.data_dir = options_.data_dir;
  o.source_pod = options_.pod;
  o.policy_generation = options_.policy_generation;
  o.lineage = options_.lineage;
  if (policy_) o.verify_after_copy = policy_->verify_after_copy;
  BackupTargets opened = OpenBackupTargets(policy_, &store_, clock_);
  for (const auto& [destination, why] : opened.unopened)
    log_.Error("backup destination unavailable",
               {LogField::Str("destination", destination), LogField::Str("error", why)});
  Result<BackupJobResult> done =
      opened.targets.empty()
          ? MakeError(ErrorCode::kInvalidArgument,
                      opened.unopened.empty() ? "no backup store" : opened.unopened.front().second)
          : RunBackupJob(*redis_, opened.targets, o, log_, clock_);
  const DestinationOutcomes destinations = OutcomesOf(opened, done);
  const bool partial = IsPartial(destinations, done);
  const int64_t now = clock_.NowUnix();
  ExportDestinations(destinations, now);
  std::string partial_error;
  if (partial) {
    partial_error = PartialSummary(done->metadata.name, destinations);
    LogMissingDestinations(log_, done->metadata.name, destinations);
  }
  if (!done) {
    metrics_.Add("tidemark_backups_total", {{"result", "failure"}});
    metrics_.Set("tidemark_backup_last_failure_timestamp_seconds", {}, static_cast<double>(now));
    if (IsVerificationFailure(done.error()))
      metrics_.Add("tidemark_backup_verification_failures_total", {});
    log_.Error("backup failed", {LogField::Str("error", done.error().ToString())});
    if (done.error().code == ErrorCode::kIo && done.error().where.starts_with(options_.endpoint.ToString()))
      Disconnect(done.error());
  } else {
    // A partial backup is a restore point (complete and verified where it was published), so
    // it moves the last-backup gauges; it is counted apart so that it never reads as a success.
    metrics_.Add("tidemark_backups_total", {{"result", partial ? "partial" : "success"}});
    ExportLastBackup(done->metadata, now);
    metrics_.Set("tidemark_backup_last_duration_seconds", {},
                 static_cast<double>(done->duration_ms) / 1000.0);
  }
  if (auto listing = store_.List())
    metrics_.Set("tidemark_backups_stored", {}, static_cast<double>(listing->backups.size()));
  std::lock_guard lock(mu_);
  status_.backup_running = false;
  status_.last_backup_result = !done ? "failure" : partial ? "partial" : "success";
  status_.last_backup_error = !done ? done.error().ToString() : partial_error;
  status_.last_backup_destinations = destinations;
  if (done) {
    status_.last_backup_name = done->metadata.name;
    status_.last_success_unix = now;
    retries_left_ = 0;
  } else if (retries_left_ > 0) {
    --retries_left_;
    retry_at_unix_ = now + kRetryDelaySeconds;
    log_.Warn("scheduled backup failed; it will be retried",
              {LogField::Str("retry_at", backup::FormatIsoUtc(retry_at_unix_)),
               LogField::Int("retries_left", retries_left_)});
  }
}

void Agent::ExportDestinations(const std::vector<std::pair<std::string, std::string>>& destinations,
                               int64_t now) {
  for (const auto& [destination, error] : destinations) {
    // Both results exist from the first backup on, so increase() sees the first failure.
    for (const char* r : {"success", "failure"})
      metrics_.Add("tidemark_backup_destination_results_total",
                   {{"destination", destination}, {"result", r}}, 0);
    metrics_.Add("tidemark_backup_destination_results_total",
                 {{"destination", destination}, {"result", error.empty() ? "success" : "failure"}});
    metrics_.Set(error.empty() ? "tidemark_backup_destination_last_success_timestamp_seconds"
                               : "tidemark_backup_destination_last_failure_timestamp_seconds",
                 {{"destination", destination}}, static_cast<double>(now));
  }
}

void Agent::ExportLastBackup(const backup::BackupMetadata& m, int64_t at_unix) {
  metrics_.Set("tidemark_backup_last_success_timestamp_seconds", {}, static_cast<double>(at_unix));
  metrics_.Set("tidemark_backup_last_size_bytes", {}, static_cast<double>(m.size_bytes));
  metrics_.Set("tidemark_backup_last_keys", {}, static_cast<double>(m.total_keys()));
}

void Agent::CheckRestore() {
  // Without --data-dir the record is read where Redis keeps its files (the same path when the
  // sidecar shares the volume at Redis's mount point), and shown but not proven.
  if (!options_.data_dir && !config_) return;  // ReadReplication learns Redis's dir
  const std::string dir = options_.data_dir.value_or(config_ ? config_->dir : "");
  auto record = ReadRestoreRecord(dir);
  if (!record || !*record) {
    restore_checked_ = true;
    if (!record)
      log_.Warn("the restore record does not read; the restore stays unreported and unverified",
                {LogField::Str("error", record.error().ToString())});
    return;
  }
  RestoreRecord& r = **record;
  std::optional<Error> lost;  // the connection, if DEBUG DIGEST broke it
  if (!r.backup || !options_.data_dir) {
    // Nothing installed from a backup to prove: the record is only reported.
    restore_checked_ = true;
    std::lock_guard lock(mu_);
    status_.last_restore_json = RenderRestoreRecord(r);
    return;
  }
  const backup::BackupMetadata& m = *r.backup;
  if (!r.check) {
    auto info = Info(*redis_, "persistence");
    if (!info) return Disconnect(info.error());
    if (info->count("loading") && info->at("loading") != "0") return;  // next tick
    RestoreCheck c;
    c.checked_unix = clock_.NowUnix();
    c.expected = m.dataset_digest.value_or("");
    // Redis hashes every key on its one thread: minutes on a large dataset, hence the long
    // timeout.
    lost = AskDatasetDigest(*redis_, kDigestTimeoutMs, c);
    const uint64_t changes = info->count("rdb_changes_since_last_save")
                                 ? std::strtoull(info->at("rdb_changes_since_last_save").c_str(), nullptr, 10)
                                 : 0;
    if (c.result.empty()) {
      if (!m.dataset_digest) {
        c.result = "unverifiable";
        c.reason = "the backup's metadata has no dataset digest (module values, or made before digests)";
      } else if (c.actual == c.expected) {
        c.result = "verified";
      } else if (changes > 0) {
        c.result = "unverifiable";
        c.reason = std::to_string(changes) +
                   " writes reached Redis after it loaded the backup and before the check";
      } else {
        auto server = Info(*redis_, "server");
        auto keyspace = Info(*redis_, "keyspace");
        if (!server || !keyspace) return Disconnect((!server ? server : keyspace).error());
        const std::string version = server->count("redis_version") ? server->at("redis_version") : "";
        const SnapshotOpener open = [&] { return store_.OpenForRead(m.name); };
        std::string note;
        std::string why = CompareWithBackup(m, open, version, clock_.NowUnix() * 1000, c.actual,
                                            KeysPerDb(*keyspace), note);
        c.result = why.empty() ? "verified" : "mismatch";
        c.reason = why.empty() ? note : why;
      }
    }
    r.check = c;
    // Under the restore's lock: a restore's cleanup removes the record's temporary files.
    tidemark::Status stored;
    if (auto lock = LockDataDirForRestore(*options_.data_dir); !lock)
      stored = std::unexpected(lock.error());
    else
      stored = WriteRestoreRecord(*options_.data_dir, r);
    if (!stored)
      log_.Warn("cannot store the restore check in the record",
                {LogField::Str("error", stored.error().ToString())});
  }
  restore_checked_ = true;
  const RestoreCheck& c = *r.check;
  metrics_.Add("tidemark_restore_checks_total", {{"result", c.result}});
  const std::vector<LogField> fields = {
      LogField::Str("backup", m.name), LogField::Str("result", c.result),
      LogField::Str("expected_digest", c.expected), LogField::Str("actual_digest", c.actual),
      LogField::Str("reason", c.reason)};
  if (c.result == "verified") log_.Info("restore verified: Redis holds the backup's data", fields);
  else if (c.result == "mismatch") log_.Error("restore mismatch: Redis does not hold the backup's data", fields);
  else log_.Warn("restore unverifiable", fields);
  {
    std::lock_guard lock(mu_);
    status_.last_restore_json = RenderRestoreRecord(r);
  }
  if (lost) Disconnect(*lost);
}

void Agent::Drill() {
  DrillOptions o;
  o.redis_server = options_.redis_server;
  o.work_dir = options_.work_dir;
  const bool every_new = policy_ && policy_->drill && policy_->drill->every_new;
  if (policy_ && policy_->drill) o.memory_budget_bytes = policy_->drill->memory_budget_bytes;
  if (redis_) {
    if (auto info = Info(*redis_, "server"); info && info->count("redis_version"))
      o.live_redis_version = info->at("redis_version");
  }
  std::vector<DrillReport> reports;
  // The volume's backups when the policy keeps them there, else the object store's: a resource
  // that backs up only off-site is drilled from the bucket (download, SHA-256, decryption).
  Result<DrilledStore> drilled = OpenDrilledStore(policy_, store_, clock_);
  Result<BackupListing> listing =
      drilled ? drilled->store->List() : Result<BackupListing>(std::unexpected(drilled.error()));
  if (!listing) {
    DrillReport r;
    r.time_unix = clock_.NowUnix();
    r.result = "failure";
    r.reason = "cannot list the backup store: " + listing.error().ToString();
    log_.Error("drill failed", {LogField::Str("reason", r.reason)});
    reports.push_back(r);
  } else {
    auto chosen = SelectDrillBackups(listing->backups,
                                     every_new ? DrillWhat::kEveryNew : DrillWhat::kNewest,
                                     last_drilled_);
    if (listing->backups.empty()) {
      DrillReport r;
      r.time_unix = clock_.NowUnix();
      r.result = "skipped";
      r.reason = "the store holds no backup";
      log_.Warn("drill skipped: the store holds no backup");
      reports.push_back(r);
    } else if (chosen.empty()) {
      log_.Info("drill: no backup taken since the last drill",
                {LogField::Str("last_drilled", last_drilled_->name)});
    }
    for (const auto& m : chosen) {
      log_.Info("drill: backup chosen", {LogField::Str("backup", m.name),
                                          LogField::Str("destination", drilled->destination)});
      reports.push_back(RunDrill(*drilled->store, m, o, log_, clock_));
      if (!last_drilled_ || backup::NewerFirst(m, *last_drilled_)) last_drilled_ = m;
    }
  }
  for (const auto& r : reports) {
    metrics_.Add("tidemark_drill_runs_total", {{"result", r.result}});
    if (r.result == "success") {
      metrics_.Set("tidemark_drill_last_success_timestamp_seconds", {},
                   static_cast<double>(clock_.NowUnix()));
      metrics_.Set("tidemark_drill_load_seconds", {}, r.load_seconds);
    }
  }
  std::lock_guard lock(mu_);
  status_.drill_running = false;
  if (!reports.empty()) status_.last_drill_json = reports.back().ToJson();
}

std::string Agent::StatusJson() {
  std::lock_guard lock(mu_);
  const Status& s = status_;
  return "{\"pod\":" + JsonQuote(options_.pod) + ",\"redis\":{\"up\":" +
         (s.redis_up ? "true" : "false") + "},\"policy\":{\"applied\":" +
         (s.policy_applied ? "true" : "false") + ",\"error\":" +
         (s.policy_error.empty() ? "null" : JsonQuote(s.policy_error)) +
         ",\"drift\":" + JsonList(s.drift) + "},\"backup\":{\"running\":" +
         (s.backup_running ? "true" : "false") + ",\"pending\":" +
         (s.backup_pending ? "true" : "false") + ",\"lastResult\":" +
         (s.last_backup_result.empty() ? "null" : JsonQuote(s.last_backup_result)) +
         ",\"lastError\":" +
         (s.last_backup_error.empty() ? "null" : JsonQuote(s.last_backup_error)) +
         ",\"lastSuccess\":" +
         (s.last_backup_name.empty() ? "null" : JsonQuote(s.last_backup_name)) +
         ",\"lastSuccessAt\":" + JsonTime(s.last_success_unix) +
         ",\"destinations\":" + DestinationsJson(s.last_backup_destinations) +
         ",\"nextScheduledAt\":" + JsonTime(s.next_scheduled_unix) + "},\"aof\":{\"problem\":" +
         (s.aof_problem.empty() ? "null" : JsonQuote(s.aof_problem)) +
         "},\"drill\":{\"running\":" + (s.drill_running ? "true" : "false") +
         ",\"pending\":" + (s.drill_pending ? "true" : "false") +
         ",\"nextScheduledAt\":" + JsonTime(s.next_drill_unix) + "},\"lastDrill\":" +
         (s.last_drill_json.empty() ? "null" : s.last_drill_json) + ",\"lastRestore\":" +
         (s.last_restore_json.empty() ? "null" : s.last_restore_json) + ",\"replication\":" +
         (s.replication ? RenderReplicationJson(*s.replication) : "null") +
         ",\"holdBack\":" + (s.hold_back.empty() ? "null" : s.hold_back) + "}\n";
}

std::string Agent::BackupsJson() {
  auto listing = store_.List();
  if (!listing) return "{\"error\":" + JsonQuote(listing.error().ToString()) + "}\n";
  std::string out = "{\"backups\":[";
  for (size_t i = 0; i < listing->backups.size(); ++i) {
    const auto& m = listing->backups[i];
    out += std::string(i ? "," : "") + "{\"name\":" + JsonQuote(m.name) +
           ",\"createdAt\":" + JsonTime(m.created_unix) +
           ",\"sizeBytes\":" + std::to_string(m.size_bytes) + ",\"sha256\":" + JsonQuote(m.sha256) +
           ",\"keys\":" + std::to_string(m.total_keys()) +
           ",\"verified\":" + (m.verified ? "true" : "false") + "}";
  }
  return out + "],\"problems\":" + JsonList(listing->problems) + "}\n";
}

HttpResponse Agent::Handle(const HttpRequest& request) {
  if (request.method == "GET" && request.path == "/v1/replication") return snapshots_.Replication();
  if (request.path != "/v1/snapshot") return Handle(request.method, request.path);
  // With a peer port, the snapshot is served there only: its TLS and NetworkPolicy would mean
  // nothing if the same bytes were one plain request away on this port.
  if (options_.peer_port)
    return {404, "application/json",
            "{\"error\":\"snapshots are served on the peer port (--peer-listen)\"}\n"};
  return ServeSnapshot(request);
}

HttpResponse Agent::HandlePeer(const HttpRequest& request) {
  if (request.method == "GET" && request.path == "/v1/replication") return snapshots_.Replication();
  if (request.path == "/v1/snapshot") return ServeSnapshot(request);
  return {404, "text/plain; charset=utf-8", "not found (the peer port serves /v1/replication and /v1/snapshot)\n"};
}

HttpResponse Agent::ServeSnapshot(const HttpRequest& request) {
  const std::string json = "application/json";
  if (request.method != "GET") return {405, json, "{\"error\":\"GET only\"}\n"};
  if (request.client_certificate) {
    // The handshake checked it against --peer-tls-ca: a sidecar of this set.
    log_.Info("snapshot requested with a client certificate",
              {LogField::Str("subject", request.client_subject)});
    return snapshots_.Serve();
  }
  if (!options_.peer_token)
    return {404, json,
            options_.peer_client_ca
                ? "{\"error\":\"a client certificate signed by the set's CA is required\"}\n"
                : "{\"error\":\"snapshot transfer is off: no peer token configured\"}\n"};
  switch (CheckPeerAuthorization(request.Header("authorization"), *options_.peer_token)) {
    case PeerAuth::kNoCredentials:
      return {401, json,
              "{\"error\":\"Authorization: Bearer <the set's token> or a client certificate "
              "required\"}\n",
              {{"WWW-Authenticate", "Bearer"}}};
    case PeerAuth::kWrongToken:
      log_.Warn("snapshot refused: the caller's token is not this set's",
                {LogField::Str("set", PeerTokenSet(*options_.peer_token))});
      return {403, json, "{\"error\":\"the token is not this set's\"}\n"};
    case PeerAuth::kAllowed:
      break;
  }
  return snapshots_.Serve();
}

HttpResponse Agent::Handle(const std::string& method, const std::string& path) {
  const std::string json = "application/json";
  if (method == "GET" && path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (method == "GET" && path == "/readyz") {
    std::lock_guard lock(mu_);
    if (status_.redis_up && status_.policy_applied) return {200, "text/plain; charset=utf-8", "ready\n"};
    return {503, "text/plain; charset=utf-8",
            !status_.redis_up ? "redis not reachable\n" : "policy not applied\n"};
  }
  if (method == "GET" && path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render()};
  if (method == "GET" && path == "/v1/status") return {200, json, StatusJson()};
  if (method == "GET" && path == "/v1/backups") return {200, json, BackupsJson()};
  if (method == "POST" && path == "/v1/backups") {
    std::lock_guard lock(mu_);
    if (status_.backup_pending || status_.backup_running)
      return {409, json, "{\"error\":\"a backup is already pending or running; try again when it finishes\"}\n"};
    status_.backup_pending = true;
    return {202, json, "{\"accepted\":true}\n"};
  }
  if (method == "POST" && path == "/v1/drills") {
    std::lock_guard lock(mu_);
    if (status_.drill_pending || status_.drill_running)
      return {409, json, "{\"error\":\"a drill is already pending or running; try again when it finishes\"}\n"};
    status_.drill_pending = true;
    return {202, json, "{\"accepted\":true}\n"};
  }
  if (method == "POST" && path == "/v1/verify") {
    if (!options_.data_dir)
      return {501, json, "{\"error\":\"this sidecar was started without --data-dir\"}\n"};
    // One at a time: each reads every data file once.
    if (verifying_.exchange(true))
      return {409, json, "{\"error\":\"a verification is already running\"}\n"};
    VerifyAnswer answer = VerifyDataFiles(*options_.data_dir, options_.pod);
    verifying_ = false;
    return {200, json, answer.json};
  }
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace tidemark::sidecar
