// The one record of what the restore step decided, kept in the data directory: `tidemark-sidecar
// run` shows it in GET /v1/status as "lastRestore" (the operator's status.lastRestore and its
// RestoreDigestMismatch condition) and proves an installed backup once Redis has loaded it
// (docs/sidecar.md, "The restore record" and "Restore proof").
//
// "<data dir>/.tidemark-restore.json", written durably (io/durable_file.h) by every run of the
// restore step, so it always describes the data Redis starts from. Format
// "tidemark.dev/restore-record/v2", one line:
//   {"apiVersion": ..., "at": "2026-11-28T02:15:00Z",
//    "decision": "installed-backup" (RestoreActionName),
//    "sourceKind": "local" | "backup" | "replica" | "empty",
//    "source": "<backup name | replica sidecar URL | local path>" | null,
//    "backup": <the installed backup's metadata, metadata_json.h> | null,
//    "peer": "<the replica's sidecar URL>" | null,
//    "installed": "<what Redis loads>" | null, "keys": N | null,
//    "replication": {"replid": "<id>", "offset": N} | null  (the installed snapshot's RDB
//                   repl-id/repl-offset, or, the local AOF kept, the clean shutdown's position
//                   (aof_position.h): pod 0's /v1/replication reports it, a replica's guard
//                   judges itself by it, replica_guard.h),
//    "reason": "<why this copy won>" | null,
//    "compared": ["<kind> <id>: [ineligible: ]<reason>", ...]   (best first),
//    "check": null | {"result": "verified|mismatch|unverifiable", "expected": "<digest>"|null,
//                     "actual": "<digest>"|null, "reason": "..."|null, "checkedAt": "..."}}
// "check" is filled once by the sidecar when there is a backup to prove: a restarted sidecar
// reports the stored result instead of comparing data that has changed since. Redis ignores
// files it does not know in its dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backup/metadata.h"
#include "core/base/error.h"
#include "io/file_system.h"

namespace tidemark::sidecar {

inline constexpr const char* kRestoreRecordName = ".tidemark-restore.json";

struct RestoreCheck {
  std::string result;  // "verified" | "mismatch" | "unverifiable"
  std::string expected, actual, reason;  // "" when not known / none
  int64_t checked_unix = 0;
};

struct RestoreRecord {
  int64_t at_unix = 0;
  std::string decision;     // RestoreActionName (restore.h)
  std::string source_kind;  // "local" | "backup" | "replica" | "empty"
  std::string source;       // "" when none (empty)
  std::optional<backup::BackupMetadata> backup;  // sourceKind backup
  std::string peer;                              // sourceKind replica
  std::string installed;
  std::optional<uint64_t> keys;
  std::string repl_id;                  // "" when the installed snapshot carries none
  std::optional<uint64_t> repl_offset;
  std::string reason;
  std::vector<std::string> compared;
  std::optional<RestoreCheck> check;
};

// The record as one JSON line (no trailing newline), as written and as shown in /v1/status.
std::string RenderRestoreRecord(const RestoreRecord& record);
// `where` names the file in errors (kCorrupt, saying which member is wrong).
Result<RestoreRecord> ParseRestoreRecord(const std::string& text, const std::string& where);

// Replaces the record durably (io/durable_file.h), every file operation through `fs`.
Status WriteRestoreRecord(const std::string& data_dir, const RestoreRecord& record,
                          FileSystem& fs = PosixFileSystem());
// nullopt when there is no record; kCorrupt naming the file when it does not parse.
Result<std::optional<RestoreRecord>> ReadRestoreRecord(const std::string& data_dir);

}  // namespace tidemark::sidecar
