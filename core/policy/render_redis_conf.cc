#include "core/policy/render_redis_conf.h"

#include <cstdlib>

#include "core/policy/quantity.h"

namespace tidemark::policy {

namespace {
std::string YesNo(bool b) { return b ? "yes" : "no"; }
}  // namespace

std::vector<std::pair<std::string, std::string>> RedisConfDirectives(
    const RedisPersistence& resource) {
  const RedisPersistenceSpec& spec = resource.spec;
  // Validation guarantees both; reaching here without them is a caller's bug.
  Result<int64_t> min_size = ParseByteQuantity(spec.aof.rewrite.min_size);
  Result<int64_t> max_tail_cut = ParseByteQuantity(spec.restore.max_aof_tail_repair_bytes);
  if (!min_size || !max_tail_cut || !spec.rdb.save_points) std::abort();

  const bool aof = spec.mode == Mode::kAof || spec.mode == Mode::kHybrid;
  std::string save;
  for (const SavePoint& p : *spec.rdb.save_points) {
    if (!save.empty()) save += ' ';
    save += std::to_string(p.seconds) + " " + std::to_string(p.changes);
  }
  // The sidecar owns rewrites when they are restricted to a window.
  const int64_t growth = spec.aof.rewrite.window ? 0 : spec.aof.rewrite.growth_percent;

  return {
      {"appendonly", YesNo(aof)},
      {"save", save},
      {"dbfilename", spec.rdb.file_name},
      {"rdbcompression", YesNo(spec.rdb.compression)},
      {"rdbchecksum", YesNo(spec.rdb.checksum)},
      {"stop-writes-on-bgsave-error", YesNo(spec.rdb.stop_writes_on_bgsave_error)},
      {"appenddirname", std::string(kAppendDirName)},
      {"appendfilename", std::string(kAppendFileName)},
      {"appendfsync", std::string(FsyncName(spec.aof.fsync))},
      {"aof-use-rdb-preamble", YesNo(spec.aof.rdb_preamble)},
      {"aof-timestamp-enabled", YesNo(spec.aof.timestamps)},
      {"auto-aof-rewrite-percentage", std::to_string(growth)},
      {"auto-aof-rewrite-min-size", RedisBytes(*min_size)},
      // Redis's own cut is not bounded by the limit (it runs when Redis restarts in its
      // container without the restore step): a limit of 0 means no cut by anyone.
      {"aof-load-truncated", YesNo(spec.restore.allow_aof_tail_repair && *max_tail_cut > 0)},
      // DEBUG DIGEST over the local socket only: the sidecar proves a restore with it.
      {"enable-debug-command", "local"},
  };
}

std::string RenderRedisConf(const RedisPersistence& resource) {
  std::string id =
      resource.namespace_.empty() ? resource.name : resource.namespace_ + "/" + resource.name;
  std::string out = "# Persistence settings rendered by tidemark from RedisPersistence " + id +
                    " (mode " + std::string(ModeName(resource.spec.mode)) + ").\n" +
                    "# Generated: edit the resource, not this file.\n";
  for (const auto& [directive, value] : RedisConfDirectives(resource))
    out += directive + " " + (value.empty() ? "\"\"" : value) + "\n";
  return out;
}

}  // namespace tidemark::policy
