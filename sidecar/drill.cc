#include "sidecar/drill.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/backup/rdb_versions.h"
#include "core/backup/utc_time.h"
#include "core/digest/dataset_digest.h"
#include "io/file_source.h"
#include "io/os_error.h"
#include "sidecar/install.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/scratch_redis.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

namespace {

using PerDb = std::map<uint64_t, uint64_t>;  // db -> keys

// The scratch copy: plain writes, no fsync (it is thrown away after the drill).
class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdSink() override { ::close(fd_); }
  Status Update(std::span<const uint8_t> chunk) override {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd_, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return OsError("cannot write the scratch copy", path_, errno);
      chunk = chunk.subspan(static_cast<size_t>(n));
    }
    return {};
  }

 private:
  int fd_;
  std::string path_;
};

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

uint64_t Num(const InfoFields& info, const char* key) {
  auto it = info.find(key);
  return it == info.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

}  // namespace

std::map<uint64_t, uint64_t> KeysPerDb(const InfoFields& keyspace) {
  PerDb out;
  for (const auto& [name, value] : keyspace) {
    if (!name.starts_with("db") || !value.starts_with("keys=")) continue;
    out[std::strtoull(name.c_str() + 2, nullptr, 10)] = std::strtoull(value.c_str() + 5, nullptr, 10);
  }
  return out;
}

namespace {

std::string DescribeDbs(const PerDb& dbs) {
  std::string out;
  for (const auto& [db, keys] : dbs)
    out += (out.empty() ? "" : ",") + std::string("db") + std::to_string(db) + "=" + std::to_string(keys);
  return out.empty() ? "none" : out;
}

std::optional<ScoreFormat> FormatNamed(const std::string& name) {
  for (ScoreFormat f : {ScoreFormat::kPrintf17g, ScoreFormat::kGrisu})
    if (name == ScoreFormatName(f)) return f;
  return std::nullopt;
}

Result<SnapshotDigest> DigestOpened(const SnapshotOpener& open, int64_t at_ms,
                                    std::optional<ScoreFormat> format) {
  auto source = open();
  if (!source) return std::unexpected(source.error());
  return DigestSnapshot(**source, "the backup's snapshot", at_ms, format);
}

}  // namespace

std::string CompareWithBackup(const backup::BackupMetadata& m, const SnapshotOpener& open,
                              const std::string& server_version, int64_t at_ms,
                              const std::string& server_digest,
                              const std::map<uint64_t, uint64_t>& server_dbs, std::string& note) {
  PerDb recorded;
  for (const auto& d : m.dbs)
    if (d.keys) recorded[d.db] += d.keys;
  const bool digest_equal = !m.dataset_digest || *m.dataset_digest == server_digest;
  if (digest_equal && recorded == server_dbs) {
    if (!m.dataset_digest)
      note = "the metadata has no dataset digest (module values, or a backup made before digests): "
             "key counts compared, content not";
    return "";
  }
  // Something differs: digest the snapshot to tell altered content from time passing.
  if (m.dataset_digest) {
    auto at_backup = DigestOpened(open, m.created_unix * 1000, FormatNamed(m.dataset_digest_for));
    if (!at_backup) return "cannot digest the snapshot: " + at_backup.error().ToString();
    if (at_backup->digest != *m.dataset_digest)
      return "content differs from the backup's record: the file's digest at backup time is " +
             at_backup->digest + ", the metadata says " + *m.dataset_digest +
             " (the data or its record was altered after the backup was taken); "
             "DEBUG DIGEST of the server: " + server_digest;
  }
  auto at_load = DigestOpened(open, at_ms, ScoreFormatForRedis(server_version));
  if (!at_load) return "cannot digest the snapshot: " + at_load.error().ToString();
  if ((!m.dataset_digest || at_load->digest == server_digest) && at_load->keys_per_db == server_dbs) {
    note = "differs from the metadata (" + DescribeDbs(recorded) + ") only by keys expired since "
           "the backup or the server's score formatting: the file as of now predicts exactly "
           "what the server holds (" + DescribeDbs(server_dbs) + ")";
    return "";
  }
  std::string why;
  if (m.dataset_digest && *m.dataset_digest != server_digest)
    why = "DEBUG DIGEST " + server_digest + " differs from the backup's " + *m.dataset_digest +
          " (the file as of now predicts " + at_load->digest + ")";
  if (recorded != server_dbs)
    why += (why.empty() ? "" : "; ") + std::string("keys per db ") + DescribeDbs(server_dbs) +
           ", the metadata says " + DescribeDbs(recorded);
  return why;
}

Result<SnapshotDigest> DigestSnapshot(ByteSource& source, const std::string& name, int64_t at_ms,
                                      std::optional<ScoreFormat> format) {
  // Within the sidecar's memory budget (verify_budget.h): this digest explains a difference,
  // the bytes were verified already.
  auto r = DigestRdb(source,
                     RdbVerifyOptions{.name = name,
                                      .check_duplicate_keys = false,
                                      .max_tracked_members = kDuplicateCheckMaxMembers},
                     DigestOptions{.at_ms = at_ms, .score_format = format, .fail_on_module = true});
  if (!r.report.valid()) return std::unexpected(*r.report.error);
  SnapshotDigest out{r.digest, {}};
  for (const auto& [db, c] : r.dbs)
    if (c.keys) out.keys_per_db[db] = c.keys;
  return out;
}

std::string DrillReport::ToJson() const {
  auto q = [](const std::string& s) { return s.empty() ? std::string("null") : JsonQuote(s); };
  return "{\"time\":" + (time_unix > 0 ? JsonQuote(backup::FormatIsoUtc(time_unix)) : "null") +
         ",\"backup\":" + q(backup) + ",\"result\":" + q(result) + ",\"reason\":" + q(reason) +
         ",\"keys\":" + std::to_string(keys) + ",\"loadSeconds\":" + Seconds(load_seconds) +
         ",\"peakMemoryBytes\":" + std::to_string(peak_memory_bytes) +
         ",\"rssBytes\":" + std::to_string(rss_bytes) + ",\"serverVersion\":" + q(server_version) +
         ",\"expectedDigest\":" + q(expected_digest) + ",\"actualDigest\":" + q(actual_digest) + "}";
}

std::vector<backup::BackupMetadata> SelectDrillBackups(
    const std::vector<backup::BackupMetadata>& listing, DrillWhat what,
    const std::optional<backup::BackupMetadata>& last_drilled) {
  if (listing.empty()) return {};
  if (what == DrillWhat::kNewest || !last_drilled) return {listing.front()};
  std::vector<backup::BackupMetadata> out;
  for (auto it = listing.rbegin(); it != listing.rend(); ++it)
    if (backup::NewerFirst(*it, *last_drilled)) out.push_back(*it);
  return out;
}

DrillReport RunDrill(BackupStore& store, const backup::BackupMetadata& m,
                     const DrillOptions& options, JsonLog& log, Clock& clock) {
  DrillReport r;
  r.time_unix = clock.NowUnix();
  r.backup = m.name;
  r.expected_digest = m.dataset_digest.value_or("");
  auto finish = [&](std::string result, std::string reason) {
    r.result = std::move(result);
    r.reason = std::move(reason);
    const std::vector<LogField> fields = {
        LogField::Str("backup", r.backup), LogField::Str("result", r.result),
        LogField::Str("reason", r.reason), LogField::Int("keys", static_cast<int64_t>(r.keys)),
        LogField{"load_seconds", Seconds(r.load_seconds)},
        LogField::Int("peak_memory_bytes", static_cast<int64_t>(r.peak_memory_bytes)),
        LogField::Str("expected_digest", r.expected_digest),
        LogField::Str("actual_digest", r.actual_digest)};
    if (r.result == "success") log.Info("drill passed: the backup restores as recorded", fields);
    else if (r.result == "skipped") log.Warn("drill skipped", fields);
    else log.Error("drill failed: the backup does not restore as recorded", fields);
    return r;
  };

  auto version = RedisServerVersion(options.redis_server);
  if (!version)
    return finish("failure", "cannot run the drill's redis-server: " + version.error().ToString());
  r.server_version = *version;
  log.Info("drill started",
           {LogField::Str("backup", m.name), LogField::Int("bytes", static_cast<int64_t>(m.size_bytes)),
            LogField::Str("redis_server", options.redis_server),
            LogField::Str("server_version", *version),
            LogField::Str("live_redis_version", options.live_redis_version.value_or(""))});
  // Another build would prove a restore onto a server the pod does not run (its RDB versions,
  // score formatting and load time differ): red, not a green for the wrong server.
  if (options.live_redis_version && *options.live_redis_version != *version)
    return finish("failure", "the drill's redis-server " + options.redis_server + " is version " +
                                 *version + ", the pod's Redis runs " + *options.live_redis_version +
                                 ": a drill must load the backup with the pod's own Redis build "
                                 "(the operator copies it from the Redis image: docs/images.md)");
  const auto max_rdb = backup::MaxRdbVersionForRedis(*version);
  const std::string server_reads =
      "redis-server " + *version +
      (max_rdb ? " reads RDB versions up to " + std::to_string(*max_rdb) : std::string());
  if (max_rdb && m.rdb_version > static_cast<uint32_t>(*max_rdb))
    return finish("failure", "the backup is RDB version " + std::to_string(m.rdb_version) +
                                 (m.redis_version.empty() ? "" : " (written by Redis " + m.redis_version + ")") +
                                 "; " + server_reads + ": it cannot be restored on this server");

  if (options.memory_budget_bytes) {
    const uint64_t needs = m.size_bytes * kDrillMemoryFactor;
    if (needs > *options.memory_budget_bytes)
      return finish("skipped", "the backup is " + std::to_string(m.size_bytes) + " bytes; loading it needs about " +
                                   std::to_string(kDrillMemoryFactor) + "x that (" + std::to_string(needs) +
                                   " bytes), over the drill memory budget of " +
                                   std::to_string(*options.memory_budget_bytes) + " bytes");
  }

  for (const auto& stale : CleanStaleScratchDirs(options.work_dir))
    log.Info("removed the scratch directory of an interrupted drill", {LogField::Str("dir", stale)});
  auto dir = ScratchDir::Create(options.work_dir);
  if (!dir) return finish("failure", "cannot create the scratch directory: " + dir.error().ToString());
  const std::string copy = dir->File("dump.rdb");
  {
    auto source = store.OpenForRead(m.name);
    if (!source) return finish("failure", source.error().ToString());
    int fd = ::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return finish("failure", OsError("cannot create", copy, errno).error().ToString());
    FdSink sink(fd, copy);
    ExpectedSnapshot expected{.sha256 = m.sha256, .size = m.size_bytes, .keys = m.total_keys(),
                              .max_rdb_version = static_cast<uint32_t>(max_rdb.value_or(12))};
    auto report = CopyVerified(**source, store.DataLocation(m.name), expected, sink);
    if (!report) {
      std::string why = report.error().ToString();
      if (report.error().code == ErrorCode::kUnsupported) why += " (" + server_reads + ")";
      return finish("failure", why);
    }
  }

  auto server = ScratchRedis::Start(options.redis_server, *dir, clock, options.timeout_ms);
  if (!server) return finish("failure", server.error().ToString());
  auto loaded = server->WaitLoaded(clock, options.timeout_ms);
  if (!loaded) return finish("failure", loaded.error().ToString());
  r.load_seconds = static_cast<double>(loaded->load_ms) / 1000.0;
  const int64_t loaded_at_ms = clock.NowUnix() * 1000;
  // DEBUG DIGEST hashes every key on the server's one thread: on millions of keys it runs for
  // about as long as the load did, far past the client's default reply timeout.
  auto digest = server->client().Command({"DEBUG", "DIGEST"}, static_cast<int>(options.timeout_ms));
  auto keyspace = Info(server->client(), "keyspace");
  auto memory = Info(server->client(), "memory");
  if (!digest || !keyspace || !memory)
    return finish("failure", "the scratch server stopped answering: " +
                                 (!digest ? digest.error() : !keyspace ? keyspace.error() : memory.error()).ToString());
  if (digest->type != RedisReply::Type::kStatus && digest->type != RedisReply::Type::kString)
    return finish("failure", "DEBUG DIGEST refused by the scratch server: " + digest->str);
  r.actual_digest = digest->str;
  const PerDb dbs = KeysPerDb(*keyspace);
  for (const auto& [db, keys] : dbs) r.keys += keys;
  r.peak_memory_bytes = Num(*memory, "used_memory_peak");
  r.rss_bytes = Num(*memory, "used_memory_rss");
  server->Stop();

  std::string note;
  const SnapshotOpener open_copy = [&]() -> Result<std::unique_ptr<ByteSource>> {
    auto f = FileSource::Open(copy);
    if (!f) return std::unexpected(f.error());
    return std::make_unique<FileSource>(std::move(*f));
  };
  std::string why = CompareWithBackup(m, open_copy, *version, loaded_at_ms, r.actual_digest, dbs, note);
  if (!why.empty()) return finish("failure", why);
  return finish("success", note);
}

}  // namespace tidemark::sidecar
