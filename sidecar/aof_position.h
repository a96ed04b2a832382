// The edge of core/backup/shutdown_position.h: the restore step, keeping a local AOF, asks where
// its dataset stands in replication (the clean shutdown's dump.rdb), to record it for the
// replicas' hold-back (restore_record.h, replica_guard.h). Reads file times and dump.rdb's
// header only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/backup/shutdown_position.h"
#include "sidecar/install.h"

namespace tidemark::sidecar {

// `aof_files`: the names (in the AOF directory) of every file the manifest lists.
// `rdb_verified`: dump.rdb exists and passed verification (a bad one proves nothing).
backup::ShutdownPositionDecision KeptAofPosition(const RedisLayout& layout,
                                                 const std::vector<std::string>& aof_files,
                                                 bool rdb_verified);

// Modification times of the manifest and every listed AOF file (missing ones left out).
std::vector<backup::FileTime> AofFileTimes(const RedisLayout& layout,
                                           const std::vector<std::string>& aof_files);

// The position the restore record (restore_record.h) gives for the data Redis loaded, while it
// still describes the data: no file of the AOF directory `aof_dir` was written after the record.
// A replica's Redis loads nothing but that data until it syncs, and a sync rewrites its AOF;
// a Redis restarted later without the restore step (a container restart) finds a record that
// the AOF has outgrown. nullopt (and `why_not`) otherwise.
std::optional<backup::DataPosition> CurrentRecordedPosition(const std::string& data_dir,
                                                            const std::string& aof_dir,
                                                            std::string& why_not);

// A file's modification time in nanoseconds; nullopt when it cannot be stat'ed.
std::optional<int64_t> MTimeNanos(const std::string& path);

}  // namespace tidemark::sidecar
