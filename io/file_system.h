// The file system seam (as leveldb's Env): the mutating file operations of every durable write
// path (io/durable_file.h, the backup store, the restore installer) go through a FileSystem, so
// a test can substitute one that fails the Nth fsync with EIO, fills the disk, writes short or
// "loses power" (tests/testing/fault_file_system.h). Production uses PosixFileSystem(): one
// virtual call per system call, never per byte.
//
// Each method behaves as the system call it names: -1 with errno set on failure, so callers keep
// their errno handling (EINTR, ENOENT) unchanged. Reads are not part of the seam: a fault there
// cannot make published data wrong, and the verify-after-copy read-back checks what was written.
#pragma once

#include <sys/types.h>

#include <string>

namespace tidemark {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual int Open(const std::string& path, int flags, unsigned mode) = 0;
  virtual ssize_t Write(int fd, const void* data, size_t size) = 0;
  virtual int Fsync(int fd) = 0;
  virtual int Close(int fd) = 0;
  virtual int Rename(const std::string& from, const std::string& to) = 0;
  // A second name for a file (link(2)): keeps old bytes reachable while a rename replaces them.
  virtual int Link(const std::string& from, const std::string& to) = 0;
  // Swaps two paths atomically (renameat2 RENAME_EXCHANGE); EINVAL where the file system cannot.
  virtual int Exchange(const std::string& a, const std::string& b) = 0;
  virtual int Unlink(const std::string& path) = 0;
  virtual int Mkdir(const std::string& path, unsigned mode) = 0;
  virtual int Rmdir(const std::string& path) = 0;
  // Opens the directory, fsyncs it and closes it: one operation, so that a rename or unlink in
  // it survives a power cut.
  virtual int SyncDir(const std::string& dir) = 0;
};

// The real one (a process-wide instance without state).
FileSystem& PosixFileSystem();

}  // namespace tidemark
