// A fresh BGSAVE whose bytes can be read while Redis's child is still writing them.
//
// Redis 7's BGSAVE child writes `temp-<its pid>.rdb` in Redis's `dir`, fsyncs and closes it,
// renames it to `dbfilename`, and exits 0; a child that fails or is killed leaves the status
// `rdb_last_bgsave_status:err` (its parent removes the temp file). The sidecar sees the data
// volume but not Redis's PID namespace, so the child's file is found by name instead: the one
// `temp-<digits>.rdb` that was not in the directory (same name and inode) before the BGSAVE was
// requested. A stale temp file of a crashed child is in that "before" set and never followed.
//
// The followed file is read as it grows (growing_file.h). Its end is proven only when INFO says
// the BGSAVE is over with status ok AND `dir/dbfilename` is the very inode being read (the
// rename happens only after a complete, fsynced write); anything else ends the stream with an
// error, so no trailer is ever sent for it. When no such file turns up (the save finished first,
// it was scheduled behind an AOF rewrite, another layout), the BGSAVE is waited for and its dump
// file opened: the bytes are the same, only later.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/base/byte_source.h"
#include "sidecar/clock.h"
#include "sidecar/growing_file.h"
#include "sidecar/redis_client.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::sidecar {

struct FollowedBgsave {
  std::unique_ptr<ByteSource> bytes;
  std::string file;                       // the file the bytes come from
  GrowingFileSource* growing = nullptr;   // inside `bytes` when the child's file is followed
};

// True for the names Redis 7's BGSAVE child writes (`temp-<pid>.rdb`), not for an AOF rewrite's
// `temp-rewriteaof-*` or a replica's full-sync download `temp-<time>.<pid>.rdb`.
bool IsBgsaveTempName(const std::string& name);

// Starts a BGSAVE on `redis` (which the returned source keeps for its end check) and returns its
// bytes. `dir` is Redis's `dir` as this process sees it. `note` hears what happens (may be
// empty). Errors: those of RunBgsave, or the dump file not opening.
Result<FollowedBgsave> FollowBgsave(RedisClient redis, Clock& clock, const std::string& dir,
                                    const std::string& dbfilename, const BgsaveOptions& options,
                                    const std::function<void(const std::string&)>& note = {});

}  // namespace tidemark::sidecar
