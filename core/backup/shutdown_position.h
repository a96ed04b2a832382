// Where a kept AOF's dataset stands in replication (docs/sidecar.md, "The replicas' hold-back",
// "AOF on"). Redis 7.0 loading an AOF forgets its replication ID and offset (a new ID, offset 0),
// so after a rolling restart neither pod 0 nor a replica could show that its data continues the
// set's history, and the hold-back would keep every replica held for ever. But a Redis that
// shuts down cleanly flushes and fsyncs its AOF, then (a save due: save points, or
// `shutdown-on-sigterm save`, which the sidecar sets) writes dump.rdb with `repl-id` /
// `repl-offset`: its final position. When that dump.rdb is at least as new as every file of the
// AOF (nothing written to the AOF after it), the AOF holds exactly the dataset at that position.
// Otherwise (a crash, the dump from an earlier BGSAVE, no dump) nothing is known: fail safe.
// Pure: the restore step stats the files and reads dump.rdb's header (rdb_header.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backup/replica_holdback.h"

namespace tidemark::backup {

struct FileTime {
  std::string path;
  int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
};

struct KeptAofEvidence {
  std::vector<FileTime> aof_files;  // the manifest and every file it lists
  std::optional<FileTime> rdb;      // dump.rdb, present and verified; nullopt otherwise
  std::optional<std::string> rdb_repl_id, rdb_repl_offset;  // its AUX fields, as written
};

struct ShutdownPositionDecision {
  std::optional<DataPosition> position;  // nullopt: the AOF's position is not known
  std::string reason;                    // one sentence, for the log
};

ShutdownPositionDecision ShutdownPositionOfAof(const KeptAofEvidence& evidence);

// The first file written after `mtime_ns` (a position recorded then no longer describes the
// data), or nullopt when none was.
std::optional<FileTime> WrittenAfter(const std::vector<FileTime>& files, int64_t mtime_ns);

}  // namespace tidemark::backup
