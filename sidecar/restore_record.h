// What the restore step installed, kept in the data directory so `tidemark-sidecar run` can
// prove it once Redis has loaded it (docs/sidecar.md, "Restore proof").
//
// "<data dir>/.tidemark-restore.json", written durably (io/durable_file.h), format
// "tidemark.dev/restore-record/v1":
//   {"apiVersion": ..., "installedAt": "2026-11-28T02:15:00Z",
//    "backup": <the backup's metadata, metadata_json.h>,
//    "check": null | {"result": "verified|mismatch|unverifiable", "expected": "<digest>"|null,
//                     "actual": "<digest>"|null, "reason": "..."|null, "checkedAt": "..."}}
// The restore step writes it (check null) after installing a backup and removes it whenever it
// keeps or installs anything else, so a record always describes the data Redis starts from. The
// sidecar fills in "check" once: a restarted sidecar reports the stored result instead of
// comparing data that has changed since. Redis ignores files it does not know in its dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/backup/metadata.h"
#include "core/base/error.h"

namespace tidemark::sidecar {

inline constexpr const char* kRestoreRecordName = ".tidemark-restore.json";

struct RestoreCheck {
  std::string result;  // "verified" | "mismatch" | "unverifiable"
  std::string expected, actual, reason;  // "" when not known / none
  int64_t checked_unix = 0;
};

struct RestoreRecord {
  int64_t installed_unix = 0;
  backup::BackupMetadata backup;
  std::optional<RestoreCheck> check;
};

Status WriteRestoreRecord(const std::string& data_dir, const RestoreRecord& record);
// nullopt when there is no record; kCorrupt naming the file when it does not parse.
Result<std::optional<RestoreRecord>> ReadRestoreRecord(const std::string& data_dir);
// Removes the record if there is one (and syncs the directory).
Status RemoveRestoreRecord(const std::string& data_dir);

}  // namespace tidemark::sidecar
