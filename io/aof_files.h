// The file side of AOF verification and repair: finding the AOF a path names, opening its parts
// for the core verifier, and applying a cut plan (keeping the original bytes first).
#pragma once

#include <cstdint>
#include <string>

#include "core/aof/aof_plan.h"
#include "core/aof/aof_verifier.h"
#include "core/base/error.h"
#include "io/durable_file.h"

namespace tidemark {

// Opens plain file names inside one directory, positioned at an offset.
class DirectoryAofOpener final : public aof::AofFileOpener {
 public:
  explicit DirectoryAofOpener(std::string dir) : dir_(std::move(dir)) {}
  Result<Opened> Open(const std::string& name, uint64_t offset) override;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// What a user-given PATH points at.
struct AofLocation {
  bool multi_part = false;
  std::string dir;       // the directory holding the files (the appendonlydir for multi_part)
  std::string manifest;  // manifest file name (multi_part)
  std::string file;      // legacy file name (not multi_part)
};

// PATH may be a manifest, an appendonlydir, a data directory holding appendonlydir/, or a legacy
// AOF file. Errors: kNotFound (nothing AOF-like there), kCorrupt (AOF parts without a manifest,
// several manifests), kIo.
Result<AofLocation> LocateAof(const std::string& path);

// Locates and verifies. I/O errors reaching the manifest come back as errors; problems inside
// the AOF are in the report.
Result<aof::AofReport> VerifyAofAt(const AofLocation& where, const aof::AofVerifyOptions& options);

// The same for an AOF that a running Redis may rewrite meanwhile (the sidecar's and `verify`'s
// view of a live data directory): a rewrite writes a new manifest and deletes the files the old
// one named, so a pass that ends on a different manifest than it began with is thrown away and
// run again, up to `attempts` times; after that, kIo saying so. A legacy file is
// verified once (Redis replaces it by rename: the open file stays whole). `opener` reads the
// parts (a DirectoryAofOpener on where.dir in production).
Result<aof::AofReport> VerifyLiveAof(const AofLocation& where, const aof::AofVerifyOptions& options,
                                     aof::AofFileOpener& opener, int attempts = 5);
Result<aof::AofReport> VerifyLiveAof(const AofLocation& where, const aof::AofVerifyOptions& options);

// Applies `plan` to the file in `dir`: first copies the whole original durably to
// "<file>.orig-<unix_time>" (a fresh name), then replaces the file atomically with its first
// plan.new_size bytes (same mode). Returns the path of the copy. Refuses (kInvalidArgument) if
// the file's size is not plan.original_size anymore.
// Writes the first `bytes` bytes of the file at `path` into `out` (kIo if it is shorter).
Status CopyFilePrefix(const std::string& path, uint64_t bytes, DurableFile& out);

Result<std::string> ApplyAofCut(const std::string& dir, const aof::AofCutPlan& plan,
                                int64_t unix_time);

}  // namespace tidemark
