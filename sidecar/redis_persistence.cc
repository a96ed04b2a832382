#include "sidecar/redis_persistence.h"

#include <cstdlib>

#include <charconv>

#include "io/kill_point.h"

namespace tidemark::sidecar {

namespace {

int64_t IntField(const InfoFields& f, const std::string& key, int64_t fallback = -1) {
  auto it = f.find(key);
  if (it == f.end()) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return ec == std::errc() ? v : fallback;
}

std::unexpected<Error> RedisError(const std::string& what) {
  return MakeError(ErrorCode::kIo, what);
}

}  // namespace

InfoFields ParseInfo(std::string_view text) {
  InfoFields out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return out;
}

Result<InfoFields> Info(RedisClient& redis, const std::string& section) {
  auto r = redis.Command({"INFO", section});
  if (!r) return std::unexpected(r.error());
  if (r->type != RedisReply::Type::kString)
    return RedisError("INFO " + section + ": unexpected reply: " + r->str);
  return ParseInfo(r->str);
}

Result<PersistenceConfig> GetPersistenceConfig(RedisClient& redis) {
  PersistenceConfig c;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"dir", &c.dir},
                          {"dbfilename", &c.dbfilename},
                          {"appenddirname", &c.appenddirname},
                          {"appendfilename", &c.appendfilename}}) {
    auto r = redis.Command({"CONFIG", "GET", key});
    if (!r) return std::unexpected(r.error());
    if (r->type != RedisReply::Type::kArray || r->elements.size() != 2)
      return RedisError(std::string("CONFIG GET ") + key + ": unexpected reply " + r->str +
                        " (is CONFIG renamed or disabled?)");
    *out = r->elements[1].str;
  }
  auto r = redis.Command({"CONFIG", "GET", "appendonly"});
  if (!r) return std::unexpected(r.error());
  if (r->type != RedisReply::Type::kArray || r->elements.size() != 2)
    return RedisError("CONFIG GET appendonly: unexpected reply " + r->str);
  c.appendonly = r->elements[1].str == "yes";
  return c;
}

Result<BgsaveOutcome> RunBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                const std::function<void(const std::string&)>& note) {
  auto started = StartBgsave(redis, clock, options, note);
  if (!started) return std::unexpected(started.error());
  return WaitBgsave(redis, clock, options, *started);
}

Result<BgsaveStarted> StartBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                  const std::function<void(const std::string&)>& note) {
  BgsaveStarted out;
  out.start_ms = clock.NowMillis();
  const int64_t deadline = out.start_ms + options.timeout_ms;
  auto say = [&](const std::string& s) {
    if (note) note(s);
  };
  // Waits until no RDB save runs; returns the fields seen last.
  auto wait_idle = [&]() -> Result<InfoFields> {
    for (bool first = true;; first = false) {
      auto info = Info(redis, "persistence");
      if (!info) return info;
      if (IntField(*info, "rdb_bgsave_in_progress") != 1) return info;
      if (first) {
        out.waited_for_running = true;
        say("a BGSAVE is already in progress: waiting for it to finish");
      }
      if (clock.NowMillis() > deadline)
        return RedisError("timed out waiting for a running BGSAVE to finish");
      clock.SleepMillis(options.poll_ms);
    }
  };

  for (int attempt = 0;; ++attempt) {
    auto info = wait_idle();
    if (!info) return std::unexpected(info.error());
    out.saves_before = IntField(*info, "rdb_saves");
    if (out.saves_before < 0)
      return RedisError("INFO persistence has no rdb_saves: Redis 7.0 or newer is needed");
    auto r = redis.Command({"BGSAVE", "SCHEDULE"});
    if (!r) return std::unexpected(r.error());
    if (r->type != RedisReply::Type::kError) {
      if (r->str.find("scheduled") != std::string::npos) {
        out.waited_for_running = true;
        out.scheduled = true;
        say("an AOF rewrite is in progress: BGSAVE scheduled after it");
      }
      break;
    }
    // Another save started between our check and our request: wait for it, then ask again.
    if (r->str.find("already in progress") == std::string::npos || attempt >= 10)
      return RedisError("BGSAVE refused: " + r->str);
  }
  KillPoint("bgsave-requested");
  return out;
}

Result<bool> BgsaveEnded(const InfoFields& persistence, int64_t saves_before) {
  // rdb_saves counts a save when its child is forked, so it moves past ours exactly when our
  // save (or a later one) has started; no save in progress then means it finished.
  if (IntField(persistence, "rdb_saves") <= saves_before ||
      IntField(persistence, "rdb_bgsave_in_progress") != 0)
    return false;
  auto status = persistence.find("rdb_last_bgsave_status");
  if (status == persistence.end() || status->second != "ok")
    return RedisError("BGSAVE failed (rdb_last_bgsave_status:" +
                      (status == persistence.end() ? std::string("missing") : status->second) +
                      "): see the Redis log; the data directory may be full or read-only");
  return true;
}

Result<BgsaveOutcome> WaitBgsave(RedisClient& redis, Clock& clock, const BgsaveOptions& options,
                                 const BgsaveStarted& started) {
  const int64_t deadline = started.start_ms + options.timeout_ms;
  BgsaveOutcome out;
  out.waited_for_running = started.waited_for_running;
  for (;;) {
    auto info = Info(redis, "persistence");
    if (!info) return std::unexpected(info.error());
    auto ended = BgsaveEnded(*info, started.saves_before);
    if (!ended) return std::unexpected(ended.error());
    if (*ended) {
      out.last_save_unix = IntField(*info, "rdb_last_save_time", 0);
      break;
    }
    if (clock.NowMillis() > deadline)
      return RedisError("timed out waiting for BGSAVE after " +
                        std::to_string(options.timeout_ms / 1000) + " s");
    clock.SleepMillis(options.poll_ms);
  }
  out.duration_ms = clock.NowMillis() - started.start_ms;
  return out;
}

Result<uint64_t> KeyCount(RedisClient& redis) {
  auto info = Info(redis, "keyspace");
  if (!info) return std::unexpected(info.error());
  uint64_t keys = 0;
  for (const auto& [db, value] : *info) {
    // "db0" -> "keys=42,expires=0,avg_ttl=0"
    if (!db.starts_with("db") || !value.starts_with("keys=")) continue;
    keys += std::strtoull(value.c_str() + 5, nullptr, 10);
  }
  return keys;
}

}  // namespace tidemark::sidecar
