// Reading a file that another process is still writing (a BGSAVE child's temp-<pid>.rdb) up to
// the end that process gives it, so its bytes can leave while it writes them.
//
// Reading past what the writer has written gives 0 bytes, which is not the end: the source then
// asks `writer` whether the writer is done, at most every `check_interval_ms` (and at once when
// the file is closed after a write), and otherwise sleeps on inotify (IN_MODIFY, IN_CLOSE_WRITE
// on the open file itself, so a rename does not lose it) until more arrives, then settles for a
// moment so that one wake-up reads many of the writer's small writes. Only a `kDone`
// answer makes the source read the rest and then report the end; an error from `writer`, or the
// timeout, ends the stream with that error, never with a clean end. Memory: none beyond the
// caller's buffer. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/base/byte_source.h"

namespace tidemark::sidecar {

enum class WriterState { kWriting, kDone };

struct GrowingFileOptions {
  int64_t check_interval_ms = 50;
  int64_t timeout_ms = 30 * 60 * 1000;  // from Open until the writer is done
  int64_t settle_us = 1000;  // after a wake-up on a change, before reading it
};

class GrowingFileSource final : public ByteSource {
 public:
  // Asked with the open descriptor (for fstat: is the finished file this one?).
  using WriterCheck = std::function<Result<WriterState>(int fd)>;

  // Opens `path` read-only and watches it. kIo/kNotFound naming the path.
  static Result<std::unique_ptr<GrowingFileSource>> Open(const std::string& path, WriterCheck writer,
                                                         GrowingFileOptions options = {});
  ~GrowingFileSource() override;
  GrowingFileSource(const GrowingFileSource&) = delete;
  GrowingFileSource& operator=(const GrowingFileSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;

  const std::string& path() const { return path_; }
  // Bytes read (and handed on by a caller that forwards each read before the next) before the
  // writer last said it was still writing: > 0 proves the reading overlapped the writing.
  uint64_t bytes_while_writing() const { return bytes_while_writing_; }
  uint64_t bytes() const { return bytes_; }

 private:
  using SteadyClock = std::chrono::steady_clock;
  GrowingFileSource(int fd, int watch_fd, std::string path, WriterCheck writer,
                    GrowingFileOptions options);
  // Sleeps until the file changes or `ms` passed; true when the writer closed the file.
  Result<bool> WaitForChange(int64_t ms);
  int64_t MillisSince(SteadyClock::time_point t) const;

  int fd_ = -1;
  int watch_fd_ = -1;  // inotify instance
  std::string path_;
  WriterCheck writer_;
  GrowingFileOptions options_;
  SteadyClock::time_point opened_;
  SteadyClock::time_point last_check_;
  bool check_now_ = true;  // caught up for the first time, or the writer closed the file
  bool done_ = false;
  uint64_t bytes_ = 0;
  uint64_t bytes_while_writing_ = 0;
};

}  // namespace tidemark::sidecar
