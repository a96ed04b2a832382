// A restore drill: prove that a backup restores, by restoring it into a scratch redis-server.
//
//   1. The scratch server's binary must run (`redis-server --version`) and, when the pod's live
//      Redis version is known, be that version: otherwise the drill fails naming both (in a
//      rendered pod the binary is copied from the Redis image; docs/images.md). A backup whose
//      RDB version is newer than that server reads is refused with both versions named.
//   2. Over the memory budget (size × kDrillMemoryFactor): skipped before anything is copied.
//   3. The backup is copied from the store into a private scratch directory (scratch_redis.h)
//      in one pass that checks its SHA-256, size and key count against the metadata and fully
//      verifies the RDB (install.h's CopyVerified): the server never sees the store's file, so
//      nothing it does can write there.
//   4. The server loads the copy; the time from its start to `loading:0` is the load time.
//   5. DEBUG DIGEST, INFO keyspace (per-db keys; their sum is the key count) and INFO memory
//      (used_memory_peak, used_memory_rss) are read and compared with the metadata. When they
//      differ, the copy is digested twice more to say why: at the backup's time (differs from the
//      metadata: the content was altered after the backup) and at the load time with the server's
//      score formatting (equal to the server: keys expired since the backup, or a server of
//      another score-format family; the drill passes and says so).
//   6. The server is stopped and the directory removed on every path.
// The live data directory is never touched, and the store is only read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/backup/metadata.h"
#include "core/digest/score_text.h"
#include "sidecar/backup_store.h"
#include "sidecar/clock.h"
#include "sidecar/json_log.h"

namespace tidemark::sidecar {

// Redis needs more memory than the RDB's size (objects, dict overhead; compressed values grow):
// twice the file is the estimate the budget is checked against (docs/sidecar.md).
inline constexpr uint64_t kDrillMemoryFactor = 2;

struct DrillOptions {
  std::string redis_server = "redis-server";  // the binary (PATH searched without a slash)
  std::string work_dir = "/tmp";              // scratch directories go here
  std::optional<uint64_t> memory_budget_bytes;
  // INFO redis_version of the pod's Redis; when set, the binary must report the same version.
  std::optional<std::string> live_redis_version;
  int64_t timeout_ms = 30 * 60 * 1000;            // for the load, and again for DEBUG DIGEST
};

struct DrillReport {
  int64_t time_unix = 0;   // when the drill started
  std::string backup;      // empty: there was nothing to drill
  std::string result;      // "success" | "failure" | "skipped"
  std::string reason;      // why it failed or was skipped; a note on success ("" when none)
  uint64_t keys = 0;       // keys the scratch server held once loaded
  double load_seconds = 0;
  uint64_t peak_memory_bytes = 0;  // used_memory_peak
  uint64_t rss_bytes = 0;          // used_memory_rss after loading
  std::string server_version;      // the scratch server's
  std::string expected_digest;     // the metadata's
  std::string actual_digest;       // DEBUG DIGEST of the scratch server

  // {"time","backup","result","reason","keys","loadSeconds","peakMemoryBytes",...}
  std::string ToJson() const;
};

// The dataset digest of an RDB and its non-empty per-db key counts at `at_ms`, for a server of
// `format` (nullopt: the file's writer's). Errors: the snapshot does not verify, or holds module
// values.
struct SnapshotDigest {
  std::string digest;
  std::map<uint64_t, uint64_t> keys_per_db;
};
Result<SnapshotDigest> DigestSnapshot(ByteSource& source, const std::string& name, int64_t at_ms,
                                      std::optional<ScoreFormat> format);

// Opens a backup's snapshot from its first byte (each call a fresh source).
using SnapshotOpener = std::function<Result<std::unique_ptr<ByteSource>>()>;

// What a server that loaded backup `m` holds (DEBUG DIGEST `server_digest`, non-empty per-db key
// counts `server_dbs`, INFO at `at_ms`) against the metadata. "" when they agree, else why not,
// with both values. A difference is looked into by digesting the snapshot twice: at the backup's
// time (it must give the metadata's digest, else the content or its record was altered) and at
// `at_ms` for `server_version`'s score format (equal to the server: keys expired since the
// backup or a server of another family; then "" and `note` says so).
std::string CompareWithBackup(const backup::BackupMetadata& m, const SnapshotOpener& open,
                              const std::string& server_version, int64_t at_ms,
                              const std::string& server_digest,
                              const std::map<uint64_t, uint64_t>& server_dbs, std::string& note);

// INFO keyspace ("db0" -> "keys=3,expires=0,avg_ttl=0") as db -> keys.
std::map<uint64_t, uint64_t> KeysPerDb(const std::map<std::string, std::string>& keyspace);

// Runs one drill of `backup` (a listed backup of `store`). Never throws; every problem is a
// failure report with its reason, and is logged.
DrillReport RunDrill(BackupStore& store, const backup::BackupMetadata& backup,
                     const DrillOptions& options, JsonLog& log, Clock& clock);

// Which backups a drill run covers. `listing` newest first. newest: the first one; everyNew: the
// ones newer than `last_drilled` (backup::NewerFirst: creation to the millisecond where the
// metadata has it, then the name, so two backups of one second are each drilled once), oldest
// first, or the newest alone when it is unset (a restarted sidecar does not drill the whole
// store at once). Pure.
enum class DrillWhat { kNewest, kEveryNew };
std::vector<backup::BackupMetadata> SelectDrillBackups(
    const std::vector<backup::BackupMetadata>& listing, DrillWhat what,
    const std::optional<backup::BackupMetadata>& last_drilled);

}  // namespace tidemark::sidecar
