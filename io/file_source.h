// A ByteSource over a file descriptor, with the path kept for error messages.
#pragma once

#include <string>

#include "core/base/byte_source.h"

namespace tidemark {

class FileSource final : public ByteSource {
 public:
  // Opens `path` read-only. Errors are kIo (or kNotFound) naming the path and the OS reason.
  static Result<FileSource> Open(const std::string& path);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  ~FileSource() override;

  Result<size_t> Read(std::span<uint8_t> out) override;
  const std::string& path() const { return path_; }
  // For mapping the file (io/prefetch_source); owned by this object.
  int fd() const { return fd_; }
  // Size from fstat at open time.
  uint64_t size() const { return size_; }

 private:
  FileSource(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
};

// Reads the whole file (for small files only: manifests, policies).
Result<std::string> ReadSmallFile(const std::string& path, size_t limit = 1 << 20);

}  // namespace tidemark
