#include "core/inspect/persistence_view.h"

#include <charconv>

#include "core/aof/rewrite_growth.h"

namespace tidemark::inspect {

namespace {

std::optional<int64_t> Int(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  int64_t v = 0;
  const std::string& s = it->second;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

}  // namespace

PersistenceView Inspect(const Facts& f, const std::vector<std::pair<std::string, std::string>>* policy) {
  PersistenceView v;
  v.save = Get(f.config, "save");
  v.aof = Get(f.config, "appendonly") == "yes";
  v.appendfsync = Get(f.config, "appendfsync");
  v.rdb_preamble = Get(f.config, "aof-use-rdb-preamble") == "yes";
  v.last_save_unix = Int(f.info, "rdb_last_save_time");
  v.last_bgsave_status = Get(f.info, "rdb_last_bgsave_status");
  v.changes_since_save = Int(f.info, "rdb_changes_since_last_save");
  v.bgsave_in_progress = Get(f.info, "rdb_bgsave_in_progress") == "1";
  v.rewrite_in_progress = Get(f.info, "aof_rewrite_in_progress") == "1";
  v.last_rewrite_status = Get(f.info, "aof_last_bgrewrite_status");
  v.rewrite_percentage = Int(f.config, "auto-aof-rewrite-percentage").value_or(0);
  v.rewrite_min_size = Int(f.config, "auto-aof-rewrite-min-size").value_or(0);
  if (v.aof) {
    v.aof_size = Int(f.info, "aof_current_size");
    v.aof_base_size = Int(f.info, "aof_base_size");
    if (v.aof_size && v.aof_base_size)
      v.aof_growth_percent = aof::RewriteGrowthPercent(*v.aof_size, *v.aof_base_size);
  }

  auto warn = [&](std::string code, std::string message) {
    v.findings.push_back({std::move(code), std::move(message)});
  };
  if (v.save.empty())
    warn("rdb-disabled", "RDB snapshots are disabled (save \"\"): no point-in-time snapshot to back up or restore from");
  if (!v.aof)
    warn("aof-disabled", "AOF is disabled (appendonly no): every write since the last snapshot is lost in a crash");
  if (v.last_bgsave_status == "err")
    warn("bgsave-failed", "the last BGSAVE failed (rdb_last_bgsave_status:err): the newest snapshot is older than it looks");
  if (v.aof && v.last_rewrite_status == "err")
    warn("aof-rewrite-failed", "the last AOF rewrite failed (aof_last_bgrewrite_status:err)");
  if (v.aof && Get(f.info, "aof_last_write_status") == "err")
    warn("aof-write-failed", "the last write to the AOF failed (aof_last_write_status:err): check the disk");
  // Redis's own trigger (serverCron): an AOF Redis would rewrite is reported, and only such an AOF.
  if (v.aof && v.aof_growth_percent && v.rewrite_percentage > 0 && !v.rewrite_in_progress &&
      *v.aof_growth_percent >= v.rewrite_percentage && *v.aof_size > v.rewrite_min_size)
    warn("aof-past-rewrite-threshold",
         "the AOF grew " + std::to_string(*v.aof_growth_percent) + "% over its base" +
             (*v.aof_base_size == 0 ? " (aof_base_size 0, which Redis counts as 1 byte)" : "") +
             ", past auto-aof-rewrite-percentage " + std::to_string(v.rewrite_percentage) +
             ", and no rewrite is running");

  if (policy) {
    for (const auto& [key, want] : *policy) {
      auto it = f.config.find(key);
      if (it == f.config.end()) {
        v.policy_differences.push_back(key + ": redis does not report it (CONFIG GET returned nothing), policy wants '" +
                                       want + "'");
      } else if (it->second != want) {
        v.policy_differences.push_back(key + ": redis has '" + it->second + "', policy wants '" + want + "'");
        if (key == "appendfsync" && it->second == "no")
          warn("appendfsync-no", "appendfsync no on data whose policy asks for '" + want +
                                     "': the OS decides when writes reach the disk (up to about 30 s are lost in a crash)");
      }
    }
  }
  return v;
}

}  // namespace tidemark::inspect
