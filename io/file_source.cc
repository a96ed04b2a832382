#include "io/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/os_error.h"

namespace tidemark {

namespace {
}  // namespace

Result<FileSource> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsErrorOrNotFound("cannot open", path, errno);
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return OsErrorOrNotFound("cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::kInvalidArgument, "is a directory, expected a file", -1, path);
  }
  // Sequential hint: the verifier reads each byte once, front to back.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return FileSource(fd, path, static_cast<uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), size_(other.size_) {
  other.fd_ = -1;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileSource::Read(std::span<uint8_t> out) {
  for (;;) {
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return OsErrorOrNotFound("read failed", path_, errno);
  }
}

Result<std::string> ReadSmallFile(const std::string& path, size_t limit) {
  auto src = FileSource::Open(path);
  if (!src) return std::unexpected(src.error());
  if (src->size() > limit)
    return MakeError(ErrorCode::kInvalidArgument,
                     "file is " + std::to_string(src->size()) + " bytes, expected at most " +
                         std::to_string(limit),
                     -1, path);
  std::string out;
  out.resize(src->size());
  size_t got = 0;
  while (got < out.size()) {
    auto n = src->Read({reinterpret_cast<uint8_t*>(out.data()) + got, out.size() - got});
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    got += *n;
  }
  out.resize(got);
  return out;
}

}  // namespace tidemark
