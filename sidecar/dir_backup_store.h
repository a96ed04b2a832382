// BackupStore on a directory (the backup PVC): "<name>.rdb" holds the data, "<name>.json" the
// metadata; both are written with io/durable_file.h (temporary file in the same directory,
// fsync, rename, fsync directory). One writer at a time: a put holds an flock(2) on
// "<dir>/.tidemark-store.lock" from BeginPut to Publish/Abort, which also tells CleanupStale that
// no temporary file it finds can belong to a live writer. Every mutating file operation goes
// through the FileSystem given to Open (io/file_system.h). Not thread-safe; one object per thread.
#pragma once

#include <string>

#include "io/file_lock.h"
#include "io/file_system.h"
#include "sidecar/backup_store.h"

namespace tidemark::sidecar {

class DirBackupStore final : public BackupStore {
 public:
  // `dir` must exist (kNotFound otherwise): a missing backup volume is an error, not something
  // to paper over by creating a directory on the wrong disk.
  static Result<DirBackupStore> Open(const std::string& dir, FileSystem& fs = PosixFileSystem());

  Result<std::unique_ptr<BackupWriter>> BeginPut(const std::string& name) override;
  Result<BackupListing> List() override;
  Result<std::unique_ptr<ByteSource>> OpenForRead(const std::string& name) override;
  Status Delete(const std::string& name) override;
  Result<CleanupReport> CleanupStale() override;
  std::string DataLocation(const std::string& name) const override;
  std::string MetadataLocation(const std::string& name) const override;

  const std::string& dir() const { return dir_; }

  // The lock every writer of the store holds, for a writer of the store's own small files (the
  // lineage marker, lineage_marker.h): while it is held, CleanupStale never takes their temporary
  // files for a dead writer's. Retries for up to `wait_ms` while a backup holds it, then kInvalidArgument
  // (FileLock::IsBusy).
  static Result<FileLock> LockForWriting(const std::string& dir, int wait_ms,
                                         FileSystem& fs = PosixFileSystem());

 private:
  bool IsStaleFile(const std::string& file) const;
  DirBackupStore(std::string dir, FileSystem& fs) : dir_(std::move(dir)), fs_(&fs) {}
  std::string dir_;
  FileSystem* fs_;
};

}  // namespace tidemark::sidecar
