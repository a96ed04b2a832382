// Point-in-time restores: `tidemark-sidecar restore --point-in-time T` and the policy's
// restore.source.pointInTime (docs/sidecar.md, "A point-in-time restore").
//
// The exact way is the local AOF: with aof-timestamp-enabled, Redis stamps its AOF with
// "#TS:<unix>" whenever the second changes, so the state at T is the base plus every command
// before the first #TS later than T. RewindAofToTime does that cut when the files prove they
// hold the state at T (core/aof/aof_plan.h, kRewindToTimestamp) and never loses a byte:
//   1. a sibling directory "<appenddirname>.before-pitr-<UTC now>" gets a hard link to every
//      file of the AOF directory (a complete, loadable copy of the original, for free);
//   2. the first bytes of the file holding the cut are written to a NEW incremental file
//      "<prefix>.<seq>.incr.aof" (seq above every listed one), durably;
//   3. the manifest is replaced durably (the one atomic step): base, the incremental files
//      before the cut, the new file; the files after the cut are no longer listed;
//   4. the names no longer listed are unlinked from the AOF directory (their bytes stay in the
//      copy of step 1), so that no stray part confuses a later manifest rebuild.
// A crash before 3 leaves the original manifest in force (at most an unlisted new file, which
// the next attempt replaces); after 3 the rewound AOF is complete.
//
// The marker "<data_dir>/.tidemark-point-in-time" records the last point-in-time restore done
// on the volume, so that a policy still naming T does not rewind again at every pod start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "io/file_system.h"

namespace tidemark::sidecar {

struct PointInTime {
  int64_t unix = 0;   // the second of T: writes stamped with it or earlier are kept
  std::string text;   // as given (RFC 3339), for logs and the marker
  // When the local AOF cannot reach T: restore the newest verified snapshot (a backup, or the
  // local dump.rdb) taken at or before T instead, losing the writes between it and T.
  bool allow_older_snapshot = false;
  // From the policy: skipped when the volume's marker says T was already restored.
  bool once_per_volume = false;
};

// kInvalidArgument when `text` is not an RFC 3339 date-time.
Result<PointInTime> ParsePointInTime(const std::string& text, const std::string& where);

struct AofRewind {
  bool reachable = false;
  std::string why_not;              // !reachable: what the files lack
  bool cut = false;                 // reachable and something was after T
  std::string reason;               // the cut (core's one line)
  std::string original_kept_at;     // the hard-linked copy of the original directory
  std::vector<std::string> unlisted;  // parts the manifest no longer lists
  uint64_t bytes_dropped = 0;
};

// Rewinds the Redis 7 AOF directory `aof_dir` (manifest "<prefix>.manifest") to `t`. Returns
// reachable=false (nothing changed) when the files cannot show the state at `t`; errors are
// I/O failures (kIo) and a manifest that does not parse (kCorrupt).
Result<AofRewind> RewindAofToTime(const std::string& aof_dir, const std::string& prefix, int64_t t,
                                  uint32_t max_rdb_version, int64_t now_unix);

// The marker file in the data directory.
inline constexpr const char* kPointInTimeMarkerName = ".tidemark-point-in-time";
// The T of the last point-in-time restore recorded on the volume, nullopt when none (or the
// marker does not read: then the restore is done again, which is safe).
std::optional<int64_t> ReadPointInTimeMarker(const std::string& data_dir);
// Records `pit` as done (`how`: what was installed), durably.
Status WritePointInTimeMarker(const std::string& data_dir, const PointInTime& pit,
                              const std::string& how, int64_t now_unix,
                              FileSystem& fs = PosixFileSystem());

}  // namespace tidemark::sidecar
