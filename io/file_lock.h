// An exclusive flock(2) on a lock file, held until the object is destroyed. The kernel releases
// it when the holder dies, SIGKILL included, so a killed process never leaves a stale lock, and
// it holds across processes and containers that share the volume (not between threads of one
// process: flock belongs to the open file). What it is for: a directory's owner may remove the
// temporary files a killed writer left only while it holds the lock every writer holds, so it
// never removes a file a live process is still writing.
#pragma once

#include <string>

#include "core/base/error.h"
#include "io/file_system.h"

namespace tidemark {

class FileLock {
 public:
  // Opens (creating it, mode 0644) and locks `path` without waiting. Held by another process:
  // kInvalidArgument with `busy_message`, naming `busy_where`; other failures: kIo/kNotFound.
  static Result<FileLock> TryAcquire(const std::string& path, const std::string& busy_message,
                                     const std::string& busy_where,
                                     FileSystem& fs = PosixFileSystem());
  // The same on the directory `dir` itself (flock works on a directory's descriptor): creates
  // nothing, for a directory whose contents must stay exactly as they are.
  static Result<FileLock> TryAcquireDirectory(const std::string& dir,
                                              const std::string& busy_message,
                                              FileSystem& fs = PosixFileSystem());
  FileLock(FileLock&& o) noexcept : fs_(o.fs_), fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

  // True for TryAcquire's error when another process holds the lock.
  static bool IsBusy(const Error& e) { return e.code == ErrorCode::kInvalidArgument; }

 private:
  FileLock(FileSystem& fs, int fd) : fs_(&fs), fd_(fd) {}
  static Result<FileLock> Lock(FileSystem& fs, int fd, const std::string& path,
                               const std::string& busy_message, const std::string& busy_where);
  FileSystem* fs_;
  int fd_;
};

}  // namespace tidemark
