// What the sidecar asks of Redis about persistence, on top of redis_client.h: INFO sections,
// the persistence configuration, and a BGSAVE that is waited for and checked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/base/error.h"
#include "sidecar/clock.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

using InfoFields = std::map<std::string, std::string>;

// "key:value" lines of an INFO reply ("# Section" headers and blank lines skipped). Pure.
InfoFields ParseInfo(std::string_view text);

Result<InfoFields> Info(RedisClient& redis, const std::string& section);
// The number of keys in every database (INFO keyspace).
Result<uint64_t> KeyCount(RedisClient& redis);

struct PersistenceConfig {
  std::string dir;
  std::string dbfilename;
  bool appendonly = false;
  std::string appenddirname;  // "appendonlydir" (Redis 7)
  std::string appendfilename;
};

// CONFIG GET dir, dbfilename, appendonly, appenddirname, appendfilename.
Result<PersistenceConfig> GetPersistenceConfig(RedisClient& redis);

struct BgsaveOptions {
  int64_t timeout_ms = 30 * 60 * 1000;  // for the wait on a running save plus ours
  int64_t poll_ms = 50;
};

struct BgsaveOutcome {
  bool waited_for_running = false;  // a save (or AOF rewrite) was in progress when we came
  int64_t duration_ms = 0;
  int64_t last_save_unix = 0;  // rdb_last_save_time after ours
};

// Takes a fresh snapshot without blocking Redis: waits out a BGSAVE already in progress (its
// snapshot may predate the request), then BGSAVE SCHEDULE (which waits for an AOF rewrite instead
// of failing), then polls INFO persistence until rdb_saves moved past ours and no save runs, and
// checks rdb_last_bgsave_status. `note` hears what is being waited for (may be empty). Errors:
// kIo for a failed save (see the Redis log), a refused BGSAVE, or the timeout.
Result<BgsaveOutcome> RunBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                const std::function<void(const std::string&)>& note = {});

// RunBgsave in two steps, for a caller that works while the save runs (sidecar/bgsave_follow.h).
struct BgsaveStarted {
  int64_t saves_before = 0;  // rdb_saves before ours: ours is over once it moved past this
  bool waited_for_running = false;
  bool scheduled = false;  // behind an AOF rewrite: the child is forked later
  int64_t start_ms = 0;    // clock time when the request began
};
Result<BgsaveStarted> StartBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                  const std::function<void(const std::string&)>& note = {});
Result<BgsaveOutcome> WaitBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                 const BgsaveStarted& started);
// From INFO persistence: false while the save counted after `saves_before` has not begun or
// runs, true once it ended well; kIo when it failed (rdb_last_bgsave_status not ok).
Result<bool> BgsaveEnded(const InfoFields& persistence, int64_t saves_before);

}  // namespace tidemark::sidecar
