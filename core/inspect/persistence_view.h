// What a live Redis says about its persistence, read the way the Redis persistence guide's
// "verify persistence configuration" and "monitor persistence" scripts read it, as one view with
// warnings in the guide's terms. Pure: the facts (INFO persistence, CONFIG GET values) come in
// from an adapter (cli/inspect_cmd.cc); nothing here talks to Redis.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::inspect {

// The CONFIG GET parameters the view needs (the adapter asks for these).
inline constexpr const char* kConfigKeys[] = {"save", "appendonly", "appendfsync", "aof-use-rdb-preamble",
                                              "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size"};

struct Facts {
  std::map<std::string, std::string> info;    // INFO persistence fields (sidecar::ParseInfo)
  std::map<std::string, std::string> config;  // CONFIG GET parameter -> value
};

struct Finding {
  std::string code;     // stable, for scripts: "rdb-disabled", "aof-disabled", ...
  std::string message;  // what it means, in the guide's terms
};

struct PersistenceView {
  std::string save;                  // save points as CONFIG GET gives them; "" = RDB off
  bool aof = false;
  std::string appendfsync;
  bool rdb_preamble = false;
  std::optional<int64_t> last_save_unix;
  std::string last_bgsave_status;    // "ok" / "err"
  std::optional<int64_t> changes_since_save;
  bool bgsave_in_progress = false;
  bool rewrite_in_progress = false;
  std::string last_rewrite_status;   // "ok" / "err"
  std::optional<int64_t> aof_size, aof_base_size;
  int64_t rewrite_percentage = 0;    // auto-aof-rewrite-percentage; 0 = automatic rewrites off
  int64_t rewrite_min_size = 0;
  // Growth over the base as Redis computes it for its automatic rewrite (core/aof/
  // rewrite_growth.h: whole percent, a base of 0 counted as 1 byte), when AOF is on.
  std::optional<int64_t> aof_growth_percent;
  std::vector<Finding> findings;
  std::vector<std::string> policy_differences;  // "directive: redis has X, policy wants Y"

  bool healthy() const { return findings.empty() && policy_differences.empty(); }
};

// Builds the view. `policy`, when given, is the redis.conf fragment a RedisPersistence renders
// ("directive", "value" in CONFIG GET form); facts.config must then hold CONFIG GET of each of
// its directives too.
PersistenceView Inspect(const Facts& facts,
                        const std::vector<std::pair<std::string, std::string>>* policy = nullptr);

}  // namespace tidemark::inspect
