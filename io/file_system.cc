#include "io/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace tidemark {

namespace {

class Posix final : public FileSystem {
 public:
  int Open(const std::string& path, int flags, unsigned mode) override {
    return ::open(path.c_str(), flags, mode);
  }
  ssize_t Write(int fd, const void* data, size_t size) override { return ::write(fd, data, size); }
  int Fsync(int fd) override { return ::fsync(fd); }
  int Close(int fd) override { return ::close(fd); }
  int Rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str());
  }
  int Link(const std::string& from, const std::string& to) override {
    return ::link(from.c_str(), to.c_str());
  }
  int Exchange(const std::string& a, const std::string& b) override {
    return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
  }
  int Unlink(const std::string& path) override { return ::unlink(path.c_str()); }
  int Mkdir(const std::string& path, unsigned mode) override { return ::mkdir(path.c_str(), mode); }
  int Rmdir(const std::string& path) override { return ::rmdir(path.c_str()); }
  int SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    errno = err;
    return rc;
  }
};

}  // namespace

FileSystem& PosixFileSystem() {
  static Posix posix;
  return posix;
}

}  // namespace tidemark
