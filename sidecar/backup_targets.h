// The destinations of one backup (the policy's backup.destinations: the local store, the object
// store, or both), opened for `tidemark-sidecar backup` and for each backup of `run`, and what
// became of each: a backup that reached only some of them is "partial", never a plain success.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/backup_job.h"
#include "sidecar/clock.h"
#include "sidecar/json_log.h"
#include "sidecar/object_backup_store.h"
#include "sidecar/sidecar_policy.h"

namespace tidemark::sidecar {

// Per destination: its name ("local", "objectStore") and "" when it has the backup, else why not.
using DestinationOutcomes = std::vector<std::pair<std::string, std::string>>;

struct BackupTargets {
  std::vector<BackupTarget> targets;                 // the stores that opened, in policy order
  std::unique_ptr<ObjectBackupStore> object_store;   // owns the objectStore target's store
  DestinationOutcomes unopened;                      // destinations that could not be opened
};

// `local` (may be null: no --store) is used when the policy names it, or when there is no policy.
// The object store is opened each time: credentials kubelet refreshed in the mounted files
// (rotated keys, session tokens) are read again. Never fails: a destination that does not open
// is listed in `unopened` with the error.
BackupTargets OpenBackupTargets(const std::optional<SidecarPolicy>& policy, BackupStore* local,
                                Clock& clock);

// The one store a drill reads: the local one when the policy keeps backups on the volume (or
// there is no policy), else the object store when the policy names it alone. Only that store is
// opened: drilling the volume reads no object-store credential file and builds no client.
struct DrilledStore {
  BackupStore* store = nullptr;                      // never null in a success
  std::unique_ptr<ObjectBackupStore> object_store;   // owns `store` when it is the object store
  std::string destination;                           // "local" | "objectStore"
};

// kIo "objectStore: cannot open the object store: ..." when that store does not open; kIo "no
// backup destination opened" when the policy names neither store (or no objectStore section).
Result<DrilledStore> OpenDrilledStore(const std::optional<SidecarPolicy>& policy,
                                      BackupStore& local, Clock& clock);

// What became of each destination: the job's own outcomes (a job that failed as a whole: its
// error for every target), then the destinations that could not be opened.
DestinationOutcomes OutcomesOf(const BackupTargets& targets, const Result<BackupJobResult>& job);

// A backup that published somewhere but not everywhere.
bool IsPartial(const DestinationOutcomes& outcomes, const Result<BackupJobResult>& job);

// What to do about `destination` missing a backup the others got (for logs and lastError).
std::string NextStepFor(const std::string& destination);

// An error line per destination that missed `backup`: "backup incomplete: not every destination
// has it", with the destination, its error and the next step.
void LogMissingDestinations(JsonLog& log, const std::string& backup,
                            const DestinationOutcomes& outcomes);

// One line for a partial backup: "backup NAME is on local, not on objectStore (<why>): <next
// step>", every missing destination with its reason.
std::string PartialSummary(const std::string& backup, const DestinationOutcomes& outcomes);

}  // namespace tidemark::sidecar
