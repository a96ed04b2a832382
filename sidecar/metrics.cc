#include "sidecar/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tidemark::sidecar {

namespace {

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

std::string Number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::Declare(const std::string& name, Type type, const std::string& help) {
  std::lock_guard lock(mu_);
  families_.try_emplace(name, Family{type, help, {}});
}

Metrics::Family& Metrics::Get(const std::string& name) {
  auto it = families_.find(name);
  if (it == families_.end()) std::abort();  // an undeclared metric is a bug
  return it->second;
}

void Metrics::Add(const std::string& name, const Labels& labels, double delta) {
  std::lock_guard lock(mu_);
  Get(name).samples[RenderLabels(labels)] += delta;
}

void Metrics::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  Get(name).samples[RenderLabels(labels)] = value;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + (f.type == Type::kCounter ? " counter\n" : " gauge\n");
    for (const auto& [labels, v] : f.samples) out += name + labels + " " + Number(v) + "\n";
  }
  return out;
}

void DeclareSidecarMetrics(Metrics& m) {
  using T = Metrics::Type;
  m.Declare("tidemark_backups_total", T::kCounter, "Backups attempted, by result (success, failure).");
  m.Declare("tidemark_backup_last_success_timestamp_seconds", T::kGauge,
            "Unix time of the last published backup.");
  m.Declare("tidemark_backup_last_failure_timestamp_seconds", T::kGauge,
            "Unix time of the last failed backup attempt.");
  m.Declare("tidemark_backup_last_duration_seconds", T::kGauge,
            "Duration of the last backup (BGSAVE, copy, verification).");
  m.Declare("tidemark_backup_last_size_bytes", T::kGauge, "Size of the last published backup.");
  m.Declare("tidemark_backup_last_keys", T::kGauge, "Keys in the last published backup.");
  m.Declare("tidemark_backups_stored", T::kGauge, "Backups listed in the store.");
  m.Declare("tidemark_backup_destination_results_total", T::kCounter,
            "Backup attempts by destination (local, objectStore) and whether it got the backup.");
  m.Declare("tidemark_backup_destination_last_success_timestamp_seconds", T::kGauge,
            "Unix time of the last backup published to this destination.");
  m.Declare("tidemark_backup_destination_last_failure_timestamp_seconds", T::kGauge,
            "Unix time of the last backup attempt this destination did not get.");
  m.Declare("tidemark_policy_applies_total", T::kCounter,
            "Policy applications to Redis, by result (applied, refused).");
  m.Declare("tidemark_policy_drift", T::kGauge,
            "Redis settings that differed from the policy at the last check (set back unless immutable).");
  m.Declare("tidemark_aof_current_size_bytes", T::kGauge, "aof_current_size from INFO persistence.");
  m.Declare("tidemark_aof_base_size_bytes", T::kGauge, "aof_base_size (after the last rewrite).");
  m.Declare("tidemark_aof_rewrites_triggered_total", T::kCounter,
            "BGREWRITEAOF issued by the sidecar (window, growth, maximum size).");
  m.Declare("tidemark_aof_verified_bytes_total", T::kCounter,
            "AOF bytes verified as Redis appended them.");
  m.Declare("tidemark_aof_verify_problems_total", T::kCounter,
            "Problems found in the AOF Redis is writing (each reported once).");
  m.Declare("tidemark_redis_up", T::kGauge, "1 when the sidecar is connected to Redis.");
  m.Declare("tidemark_redis_reconnects_total", T::kCounter, "Connections (re)established to Redis.");
  m.Declare("tidemark_sidecar_start_time_seconds", T::kGauge, "Unix time the sidecar started.");
  m.Declare("tidemark_backup_schedule_interval_seconds", T::kGauge,
            "Seconds between the backup schedule's next two runs (0: no schedule).");
  m.Declare("tidemark_backup_verification_failures_total", T::kCounter,
            "Backups refused because the snapshot or its copy in the store did not verify.");
  m.Declare("tidemark_aof_max_size_bytes", T::kGauge,
            "The policy's AOF size cap (aof.rewrite.maxSize; 0: none).");
  // From INFO persistence (persistence_metrics.h).
  m.Declare("tidemark_rdb_last_bgsave_ok", T::kGauge,
            "1 when Redis's last BGSAVE succeeded (rdb_last_bgsave_status).");
  m.Declare("tidemark_rdb_saves_total", T::kCounter, "RDB saves since Redis started (rdb_saves).");
  m.Declare("tidemark_rdb_last_save_timestamp_seconds", T::kGauge,
            "Unix time of Redis's last successful save (rdb_last_save_time).");
  m.Declare("tidemark_rdb_changes_since_last_save", T::kGauge,
            "Writes since Redis's last save (rdb_changes_since_last_save).");
  m.Declare("tidemark_aof_enabled", T::kGauge, "1 while Redis's AOF is on (aof_enabled).");
  m.Declare("tidemark_aof_last_write_ok", T::kGauge,
            "1 when Redis's last AOF write succeeded (aof_last_write_status).");
  m.Declare("tidemark_aof_last_rewrite_ok", T::kGauge,
            "1 when Redis's last AOF rewrite succeeded (aof_last_bgrewrite_status).");
  m.Declare("tidemark_aof_rewrite_in_progress", T::kGauge,
            "1 while Redis rewrites the AOF (aof_rewrite_in_progress).");
  m.Declare("tidemark_aof_rewrites_total", T::kCounter,
            "AOF rewrites since Redis started, by anyone (aof_rewrites).");
  m.Declare("tidemark_drill_runs_total", T::kCounter,
            "Restore drills (backup loaded into a scratch redis-server), by result (success, failure, skipped).");
  m.Declare("tidemark_drill_last_success_timestamp_seconds", T::kGauge,
            "Unix time of the last successful restore drill.");
  m.Declare("tidemark_drill_schedule_interval_seconds", T::kGauge,
            "Seconds between the drill schedule's next two runs (0: drills off).");
  m.Declare("tidemark_drill_load_seconds", T::kGauge,
            "Load time (start to loading:0) of the last successful drill: the expected recovery time.");
  m.Declare("tidemark_restore_checks_total", T::kCounter,
            "Checks of a restored backup against Redis's DEBUG DIGEST, by result (verified, mismatch, unverifiable).");
}

}  // namespace tidemark::sidecar
