#include "io/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "io/os_error.h"

namespace tidemark {

Result<FileLock> FileLock::TryAcquire(const std::string& path, const std::string& busy_message,
                                      const std::string& busy_where, FileSystem& fs) {
  int fd = fs.Open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return OsErrorOrNotFound("cannot open the lock file", path, errno);
  return Lock(fs, fd, path, busy_message, busy_where);
}

Result<FileLock> FileLock::TryAcquireDirectory(const std::string& dir,
                                               const std::string& busy_message, FileSystem& fs) {
  int fd = fs.Open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return OsErrorOrNotFound("cannot open the directory to lock it", dir, errno);
  return Lock(fs, fd, dir, busy_message, dir);
}

Result<FileLock> FileLock::Lock(FileSystem& fs, int fd, const std::string& path,
                                const std::string& busy_message, const std::string& busy_where) {
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    fs.Close(fd);
    if (err == EWOULDBLOCK) return MakeError(ErrorCode::kInvalidArgument, busy_message, -1, busy_where);
    return OsErrorOrNotFound("cannot lock", path, err);
  }
  return FileLock(fs, fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) fs_->Close(fd_);  // closing releases the flock
}

}  // namespace tidemark
