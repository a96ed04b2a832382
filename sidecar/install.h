// Installing a snapshot where Redis will actually load it, before Redis starts (the restore
// init container). One installer that knows the Redis layout:
//   appendonly no   -> <dir>/<dbfilename>
//   appendonly yes  -> <dir>/<appenddirname>/ with "<prefix>.1.base.rdb" (the snapshot), an empty
//                      "<prefix>.1.incr.aof" and "<prefix>.manifest": a dump.rdb alone would be
//                      ignored by Redis 7, which would start empty (see NOTES.md).
// The bytes are verified in the same pass that copies them (SHA-256 and size against what the
// caller expects, full RDB verification) and published only when everything agrees: the
// dump.rdb through DurableFile, renamed over the old one after the old one got a second name
// (link), the AOF directory built beside the target and swapped with the old one in one atomic
// rename (RENAME_EXCHANGE): at every instant, a power cut included, what Redis would load is
// entirely old or entirely new. Whatever is replaced is kept under a fresh name, never deleted;
// a failed install undoes what it moved. Every mutating file operation goes through the
// FileSystem passed in (io/file_system.h). Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "core/rdb/rdb_verifier.h"
#include "io/file_lock.h"
#include "io/file_system.h"

namespace tidemark::sidecar {

struct RedisLayout {
  std::string data_dir;
  std::string dbfilename = "dump.rdb";
  bool appendonly = false;
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";

  std::string RdbPath() const { return data_dir + "/" + dbfilename; }
  std::string AofDir() const { return data_dir + "/" + appenddirname; }
};

struct ExpectedSnapshot {
  std::optional<std::string> sha256;  // from a backup's metadata
  std::optional<uint64_t> size;
  std::optional<uint64_t> keys;
  uint32_t max_rdb_version = 12;
  // For a stream whose checks arrive after its bytes (a peer's snapshot): with digest_at_ms the
  // dataset digest (docs/digest.md) is computed in the copying pass for that "now"; `confirm`
  // is then called with the SHA-256 and that digest (nullopt when module values prevent one)
  // once every byte verified, and an error from it stops the install like a bad checksum.
  std::optional<int64_t> digest_at_ms = std::nullopt;
  std::function<Status(const std::string& sha256, const std::optional<std::string>& digest)>
      confirm = nullptr;
};

struct InstallOutcome {
  std::string installed;                 // the file or directory Redis will load
  std::vector<std::string> moved_aside;  // "old -> new" for each replaced path
  RdbReport report;                      // what the installed snapshot holds
};

// Pulls `source` through the RDB verifier, hashing (SHA-256) and writing every chunk to `out` in
// the same pass; then checks size, SHA-256 and key count against `expected`. kCorrupt/kTruncated/
// kUnsupported: the snapshot does not verify (or is newer than expected.max_rdb_version);
// kCorrupt: it differs from `expected`; errors of `out` as they come.
Result<RdbReport> CopyVerified(ByteSource& source, const std::string& source_name,
                               const ExpectedSnapshot& expected, ByteSink& out);

// Copies `source` (named `source_name` in errors) into `layout`. Before publishing, every path
// in `replace` (absolute, inside the data dir) that exists is moved aside (MoveAside with
// `aside_label`). On error nothing was
// published and nothing was moved (kCorrupt/kTruncated: the snapshot does not verify; kCorrupt:
// SHA-256/size/keys differ from `expected`; kIo).
Result<InstallOutcome> InstallSnapshot(ByteSource& source, const std::string& source_name,
                                       const ExpectedSnapshot& expected, const RedisLayout& layout,
                                       const std::vector<std::string>& replace, int64_t now_unix,
                                       const std::string& aside_label = "unusable",
                                       FileSystem& fs = PosixFileSystem());

// Renames `path` to "<path>.<label>-<YYYYMMDDTHHMMSSZ>" (or "...-N" if taken) and fsyncs the
// directory. Returns the new path.
Result<std::string> MoveAside(const std::string& path, int64_t now_unix,
                              const std::string& label = "unusable",
                              FileSystem& fs = PosixFileSystem());

// The lock every restore of `data_dir` holds from its first look at the directory to its restore
// record (a flock on the directory itself, io/file_lock.h; no file is created): a second restore of the same
// volume (a restarted init container while the killed one's twin still runs, an operator's
// manual run) is refused instead of removing the first one's files as "stale". The kernel drops
// it when the holder dies, SIGKILL included. kNotFound when the directory is missing.
Result<FileLock> LockDataDirForRestore(const std::string& data_dir);

// Removes what a killed restore left, and only that; call it only under LockDataDirForRestore
// (a live restore's files look exactly like a killed one's): the staging directories in the data dir
// (".tidemark-restore-*" holding plain files), the temporary files of a dump.rdb being written
// (".<dbfilename>.tmp-<pid>-<n>") and those of AOF parts or a manifest in the AOF directory
// (".<appendfilename>.*.tmp-<pid>-<n>"). A whole AOF directory a power cut left under its swap
// name (".tidemark-swap-*", old or new) is moved aside as "<appenddirname>.replaced-<time>",
// never deleted. `own_files`: plain names of the sidecar's small files in the data dir (restore
// record, markers), whose temporary files (".<name>.tmp-<pid>-<n>") go too. Returns the paths
// removed (and "from -> to" for those moved).
std::vector<std::string> CleanupStaleRestoreFiles(const RedisLayout& layout,
                                                  FileSystem& fs = PosixFileSystem(),
                                                  const std::vector<std::string>& own_files = {});

// The entry names in `dir` (not "." or ".."), sorted; empty when it cannot be read.
std::vector<std::string> ListNames(const std::string& dir);

}  // namespace tidemark::sidecar
