// The restore step (`tidemark-sidecar restore`, the init container before Redis starts): decide
// what this pod's Redis starts from, act, and log the decision with its reasons.
//
//   1. Local data. With AOF on: the appendonlydir is verified through its manifest; a truncated
//      tail is cut when allowed and within the limit (original bytes kept aside), else the step
//      fails naming the file, the offset, the bytes and the limit; corruption in
//      the middle fails (files kept: a person must look). A missing or empty manifest is rebuilt
//      when the part names make it unambiguous (manifest_rebuild.h), else the step fails —
//      Redis 7 would start empty over the files. The dump.rdb is verified in every mode.
//   2. Candidates: the local data and every listed backup, ranked by the pure planner
//      (core/backup/restore_choice.h); the ranking is logged. With peers (pod 0 of a replicated
//      set) and local data that is missing, unusable or empty, each replica too
//      (peer_restore.h): the freshest copy anywhere in the set wins.
//   3. The best candidate that works is used: local data is kept (or, with AOF on and only a
//      dump.rdb, installed as the AOF base); a backup or a replica's snapshot is installed only
//      if its bytes pass SHA-256 and full RDB verification in the copying pass, else it is
//      skipped with a log line and the next is tried. Replaced files are moved aside, never
//      deleted.
//   4. Nothing usable: start empty only when allowed (or when there is no data at all and
//      restores are off); otherwise fail loudly. Allowed (--allow-empty) covers a new instance
//      only: with evidence that this one once held data (a backup listed in any store, usable or
//      not, of any lineage; local files that do not verify; a lineage marker, lineage_marker.h)
//      the step fails, listing the evidence, unless --force-empty. A replica may always start
//      empty: Redis copies the primary's data at its first sync.
// Lineage (core/backup/lineage.h): a backup of another instance is ineligible unless accepted.
// With a point in time T (point_in_time.h), between 1 and 2: the local AOF is rewound to T when
// its files can show the state at T; otherwise, only if allowed, steps 2-3 run with every
// candidate taken after T (and the local AOF) ineligible, and never step 4's empty start.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/backup/lineage.h"
#include "core/base/error.h"
#include "sidecar/backup_store.h"
#include "sidecar/clock.h"
#include "sidecar/install.h"
#include "sidecar/json_log.h"
#include "sidecar/peer_restore.h"
#include "sidecar/point_in_time.h"
#include "sidecar/restore_record.h"
#include "sidecar/sidecar_policy.h"

namespace tidemark::sidecar {

struct RestoreOptions {
  RedisLayout layout;
  bool allow_start_empty = false;     // --allow-empty
  bool allow_empty_data = false;      // policy backup.allowEmpty: off = the refuse-empty guard
  bool allow_aof_tail_repair = false;
  // The most bytes the repair may cut (--max-aof-tail-repair-bytes); 0: never cut. A longer cut
  // fails the step (never an older backup instead: the local AOF may be newer than any).
  uint64_t max_aof_tail_repair_bytes = kDefaultMaxAofTailRepairBytes;
  bool backups_allowed = true;        // policy restore.when: auto
  std::optional<std::string> pinned_backup = std::nullopt;
  uint32_t max_rdb_version = 12;
  std::optional<PointInTime> point_in_time = std::nullopt;
  PeerRestoreOptions peers = {};  // no peers: a set of one, or a replica's own restore
  bool force_empty = false;       // --force-empty: an empty start even over evidence of data
  bool is_replica = false;        // this pod's Redis starts as a replica (--replica-unless-pod-0)
  backup::Lineage lineage = {};   // --instance, --instance-uid
  std::vector<std::string> accepted_lineages = {};  // --accept-lineage
  // Where the lineage marker also goes (the backup volume, a DirBackupStore's directory: written
  // under the store's lock), besides the data directory.
  std::optional<std::string> marker_dir = std::nullopt;
};

enum class RestoreAction {
  kKeptLocal,
  kInstalledLocalSnapshot,
  kInstalledBackup,
  kStartEmpty,
  kRewoundLocalAof,  // point in time: the local AOF cut at T (or found to end before it)
  kInstalledReplicaSnapshot,
};
const char* RestoreActionName(RestoreAction action);

struct RestoreOutcome {
  RestoreAction action = RestoreAction::kStartEmpty;
  std::string source;     // backup name, replica URL, or the local path kept/installed
  std::string installed;  // what Redis will load
  std::vector<std::string> compared;  // "<kind> <id>: <eligible?> <reason>", best first
  bool has_data = false;  // Redis starts with a non-empty dataset: the lineage marker is written
  std::string reason;                 // why this copy won (the ranking's words)
  std::optional<uint64_t> keys;       // what Redis will hold, when known
  std::optional<backup::BackupMetadata> backup;  // kInstalledBackup: the backup, from any store
  // An installed snapshot's repl-id/repl-offset (RDB AUX fields), when it carries them; with the
  // local AOF kept, the position its clean shutdown's dump.rdb shows (aof_position.h), if any.
  std::string repl_id;
  std::optional<uint64_t> repl_offset;
};

// The decision as the data dir's one restore record (restore_record.h), dated `now_unix`.
RestoreRecord RestoreRecordFor(const RestoreOutcome& outcome, int64_t now_unix);

// `store` may be null (no backup volume). Errors are the loud failures of steps 1 and 4, with a
// message saying what to do.
Result<RestoreOutcome> RunRestore(const RestoreOptions& options, BackupStore* store, JsonLog& log,
                                  Clock& clock);
// The same over several stores (the backup volume and an object store): every store's backups
// are candidates; a store that cannot be listed fails the step (it may hold the newest data).
// An encrypted backup whose key the store lacks is skipped with a log line naming the key id.
Result<RestoreOutcome> RunRestore(const RestoreOptions& options,
                                  const std::vector<BackupStore*>& stores, JsonLog& log,
                                  Clock& clock);

}  // namespace tidemark::sidecar
