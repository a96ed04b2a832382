#include "sidecar/rdb_sync.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr size_t kBufferBytes = 256 * 1024;
constexpr size_t kMaxLine = 512;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<RdbSync>> RdbSync::Start(RedisClient client, const std::string& where,
                                                const RdbSyncOptions& o) {
  // capa eof lets a server configured for diskless sync stream the child's output; without it
  // Redis would always write the dump file first.
  for (const std::vector<std::string>& cmd : {std::vector<std::string>{"REPLCONF", "capa", "eof"},
                                              std::vector<std::string>{"REPLCONF", "rdb-only", "1"}}) {
    auto r = client.Command(cmd);
    if (!r) return std::unexpected(r.error());
    if (r->type == RedisReply::Type::kError)
      return MakeError(ErrorCode::kIo, "REPLCONF " + cmd[1] + " refused: " + r->str, -1, where);
  }
  std::unique_ptr<RdbSync> sync(new RdbSync(std::move(client), where, o.read_timeout_ms));
  // Written raw: hiredis would wait for a reply it cannot parse.
  if (auto s = sync->RawWrite("SYNC\r\n"); !s) return std::unexpected(s.error());
  if (auto s = sync->ReadPreamble(o.start_timeout_ms); !s) return std::unexpected(s.error());
  return sync;
}

Result<size_t> RdbSync::RawRead(std::span<uint8_t> out, int64_t timeout_ms) {
  const int fd = client_.RawDescriptor();
  if (fd < 0) return MakeError(ErrorCode::kIo, "the Redis connection is broken", -1, where_);
  const int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    const int64_t left = deadline - NowMs();
    if (left <= 0)
      return MakeError(ErrorCode::kIo,
                       "Redis sent nothing for " + std::to_string(timeout_ms) + " ms during SYNC",
                       static_cast<int64_t>(read_), where_);
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) return OsError("poll during SYNC", where_, errno);
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd, out.data(), out.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR && errno != EAGAIN) return OsError("read during SYNC", where_, errno);
  }
}

Status RdbSync::RawWrite(std::string_view text) {
  const int fd = client_.RawDescriptor();
  if (fd < 0) return MakeError(ErrorCode::kIo, "the Redis connection is broken", -1, where_);
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return OsError("cannot send SYNC", where_, errno);
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status RdbSync::ReadPreamble(int64_t timeout_ms) {
  const int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    // One byte at a time, as redis-cli does: the line is short and the payload follows it
    // directly, so nothing may be read past its newline.
    std::string line;
    for (;;) {
      uint8_t c = 0;
      auto n = RawRead(std::span(&c, 1), std::max<int64_t>(deadline - NowMs(), 1));
      if (!n) return std::unexpected(n.error());
      if (*n == 0)
        return MakeError(ErrorCode::kIo, "Redis closed the connection before the snapshot", -1,
                         where_);
      if (c == '\n') break;
      if (line.size() >= kMaxLine)
        return MakeError(ErrorCode::kIo, "not the replication protocol: a line too long", -1, where_);
      line.push_back(static_cast<char>(c));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;           // keepalive while the save runs
    if (line[0] == '+') continue;         // +FULLRESYNC <replid> <offset>
    if (line[0] == '-')
      return MakeError(ErrorCode::kIo, "SYNC refused: " + line.substr(1), -1, where_);
    if (line[0] != '$')
      return MakeError(ErrorCode::kIo, "not the replication protocol: \"" + line + "\"", -1, where_);
    if (line.starts_with("$EOF:")) {
      if (line.size() != 5 + kEofMarkBytes)
        return MakeError(ErrorCode::kIo, "SYNC's end mark is not 40 characters: \"" + line + "\"",
                         -1, where_);
      std::memcpy(mark_.data(), line.data() + 5, kEofMarkBytes);
      buf_.resize(kBufferBytes + kEofMarkBytes);
      return {};
    }
    uint64_t length = 0;
    auto [end, ec] = std::from_chars(line.data() + 1, line.data() + line.size(), length);
    if (ec != std::errc() || end != line.data() + line.size() || line.size() == 1)
      return MakeError(ErrorCode::kIo, "SYNC's payload length does not read: \"" + line + "\"",
                       -1, where_);
    length_ = length;
    return {};
  }
}

Result<size_t> RdbSync::Read(std::span<uint8_t> out) {
  if (done_ || out.empty()) return 0;
  if (!length_) return ReadUntilMark(out);
  const uint64_t left = *length_ - read_;
  if (left == 0) {
    done_ = true;
    return 0;
  }
  if (out.size() > left) out = out.first(static_cast<size_t>(left));
  auto n = RawRead(out, read_timeout_ms_);
  if (!n) return std::unexpected(n.error());
  if (*n == 0)
    return MakeError(ErrorCode::kTruncated,
                     "Redis closed the sync after " + std::to_string(read_) + " of " +
                         std::to_string(*length_) + " bytes",
                     static_cast<int64_t>(read_), where_);
  read_ += *n;
  return *n;
}

// The payload ends where the last 40 bytes received equal the mark: those are held back until
// more bytes show they were payload after all.
Result<size_t> RdbSync::ReadUntilMark(std::span<uint8_t> out) {
  for (;;) {
    const size_t want = std::min(out.size(), kBufferBytes);
    auto n = RawRead(std::span(buf_.data() + held_, want), read_timeout_ms_);
    if (!n) return std::unexpected(n.error());
    if (*n == 0)
      return MakeError(ErrorCode::kTruncated,
                       "Redis closed the sync after " + std::to_string(read_) +
                           " bytes, before the end mark (the child failed, or Redis restarted)",
                       static_cast<int64_t>(read_), where_);
    const size_t total = held_ + *n;
    size_t give = total > kEofMarkBytes ? total - kEofMarkBytes : 0;
    if (total >= kEofMarkBytes &&
        std::memcmp(buf_.data() + total - kEofMarkBytes, mark_.data(), kEofMarkBytes) == 0)
      done_ = true;
    std::memcpy(out.data(), buf_.data(), give);
    held_ = total - give;
    std::memmove(buf_.data(), buf_.data() + give, held_);
    read_ += give;
    if (give > 0 || done_) return give;
  }
}

}  // namespace tidemark::sidecar
