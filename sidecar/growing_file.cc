#include "sidecar/growing_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/os_error.h"

namespace tidemark::sidecar {

GrowingFileSource::GrowingFileSource(int fd, int watch_fd, std::string path, WriterCheck writer,
                                     GrowingFileOptions options)
    : fd_(fd),
      watch_fd_(watch_fd),
      path_(std::move(path)),
      writer_(std::move(writer)),
      options_(options),
      opened_(SteadyClock::now()),
      last_check_(opened_) {}

GrowingFileSource::~GrowingFileSource() {
  if (watch_fd_ >= 0) ::close(watch_fd_);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<GrowingFileSource>> GrowingFileSource::Open(const std::string& path,
                                                                   WriterCheck writer,
                                                                   GrowingFileOptions options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsErrorOrNotFound("cannot open", path, errno);
  const int watch_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch_fd < 0) {
    auto e = OsErrorOrNotFound("inotify_init1 for", path, errno);
    ::close(fd);
    return e;
  }
  // Watching through the descriptor's /proc link watches the inode we opened, even if the
  // writer renamed or removed the name in between.
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  if (::inotify_add_watch(watch_fd, self.c_str(), IN_MODIFY | IN_CLOSE_WRITE) < 0) {
    auto e = OsErrorOrNotFound("inotify_add_watch on", path, errno);
    ::close(watch_fd);
    ::close(fd);
    return e;
  }
  return std::unique_ptr<GrowingFileSource>(
      new GrowingFileSource(fd, watch_fd, path, std::move(writer), options));
}

int64_t GrowingFileSource::MillisSince(SteadyClock::time_point t) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count();
}

Result<bool> GrowingFileSource::WaitForChange(int64_t ms) {
  pollfd p{watch_fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(ms < 1 ? 1 : ms));
  if (r < 0 && errno != EINTR)
    return OsErrorOrNotFound("poll on the inotify watch of", path_, errno);
  bool closed = false;
  // Drain every queued event: only whether the file changed or was closed matters.
  alignas(inotify_event) char events[4096];
  for (;;) {
    const ssize_t n = ::read(watch_fd_, events, sizeof events);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(events + off);
      if (e->mask & IN_CLOSE_WRITE) closed = true;
      off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return closed;
}

Result<size_t> GrowingFileSource::Read(std::span<uint8_t> out) {
  if (out.empty()) return size_t{0};
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsErrorOrNotFound("cannot read", path_, errno);
    }
    if (n > 0) {
      bytes_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    // Caught up with the writer: the end only once it says it is done (then the rest is read).
    if (done_) return size_t{0};
    if (check_now_ || MillisSince(last_check_) >= options_.check_interval_ms) {
      check_now_ = false;
      last_check_ = SteadyClock::now();
      auto state = writer_(fd_);
      if (!state) return std::unexpected(state.error());
      if (*state == WriterState::kDone) {
        done_ = true;
        continue;
      }
      bytes_while_writing_ = bytes_;
    }
    if (MillisSince(opened_) > options_.timeout_ms)
      return MakeError(ErrorCode::kIo, "timed out after " +
                                           std::to_string(options_.timeout_ms / 1000) +
                                           " s waiting for the writer of " + path_ + " to finish");
    auto closed = WaitForChange(options_.check_interval_ms - MillisSince(last_check_));
    if (!closed) return std::unexpected(closed.error());
    if (*closed) {
      check_now_ = true;
    } else if (options_.settle_us > 0) {
      // Redis's child writes in 4 KB pieces, each an inotify event: letting a few accumulate
      // turns one wake-up per 4 KB into one per read buffer, at no cost in throughput.
      ::usleep(static_cast<useconds_t>(options_.settle_us));
    }
  }
}

}  // namespace tidemark::sidecar
