#include "sidecar/peer_client.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <utility>
#include <vector>


namespace tidemark::sidecar {

namespace {

constexpr size_t kMaxHead = 64 * 1024;

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// One HTTP/1.1 exchange on a socket (plain or TLS): the head parsed, the body read on demand.
class Connection {
 public:
  Connection(PeerSocket socket, std::string where)
      : socket_(std::move(socket)), where_(std::move(where)) {}

  static Result<Connection> Open(const PeerEndpoint& peer, const std::string& path,
                                 const PeerCallOptions& o) {
    const std::string where = peer.url + path;
    if (peer.tls && !o.tls)
      return MakeError(ErrorCode::kInvalidArgument,
                       "an https peer needs the CA to verify it (--peer-tls-ca)", -1, where);
    auto socket = PeerSocket::Connect(peer.host, peer.port, peer.tls ? &*o.tls : nullptr,
                                      o.timeout_ms, where);
    if (!socket) return std::unexpected(socket.error());
    Connection c(std::move(*socket), where);
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + peer.host + "\r\n";
    if (!o.token.empty()) req += "Authorization: Bearer " + o.token + "\r\n";
    req += "Connection: close\r\n\r\n";
    if (auto s = c.socket_.WriteAll(std::span(reinterpret_cast<const uint8_t*>(req.data()), req.size()));
        !s)
      return std::unexpected(s.error());
    if (auto s = c.ReadHead(); !s) return std::unexpected(s.error());
    return c;
  }

  int status() const { return status_; }
  const std::string& where() const { return where_; }
  std::optional<std::string> Header(const std::string& lower) const {
    auto it = headers_.find(lower);
    if (it == headers_.end()) return std::nullopt;
    return it->second;
  }

  // Up to out.size() body bytes, de-chunked when the answer is chunked; 0 at the body's end.
  // A chunked body cut before its terminating chunk is kTruncated.
  Result<size_t> Read(std::span<uint8_t> out) {
    if (!chunked_) return ReadRaw(out);
    if (ended_ || out.empty()) return 0;
    if (chunk_left_ == 0) {
      auto line = ReadLine();
      if (!line) return std::unexpected(line.error());
      if (line->empty() && !first_chunk_) {  // the CRLF after the previous chunk's data
        line = ReadLine();
        if (!line) return std::unexpected(line.error());
      }
      first_chunk_ = false;
      uint64_t size = 0;
      const std::string hex = line->substr(0, line->find(';'));
      auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
      if (ec != std::errc() || end != hex.data() + hex.size() || hex.empty())
        return MakeError(ErrorCode::kIo, "bad chunk size line \"" + *line + "\"",
                         static_cast<int64_t>(body_read_), where_);
      if (size == 0) {
        ended_ = true;  // HTTP trailers, if any, are not read: one request per connection
        return 0;
      }
      chunk_left_ = size;
    }
    if (out.size() > chunk_left_) out = out.first(static_cast<size_t>(chunk_left_));
    auto n = ReadRaw(out);
    if (!n) return std::unexpected(n.error());
    if (*n == 0)
      return MakeError(ErrorCode::kTruncated,
                       "the peer closed the connection inside the body, after " +
                           std::to_string(body_read_) + " bytes (no terminating chunk)",
                       static_cast<int64_t>(body_read_), where_);
    chunk_left_ -= *n;
    body_read_ += *n;
    return *n;
  }

  // The whole body (small answers: status, errors), at most `limit` bytes.
  Result<std::string> ReadAll(size_t limit = 1 << 20) {
    std::string body;
    uint8_t buf[4096];
    for (;;) {
      auto n = Read(buf);
      if (!n) return std::unexpected(n.error());
      if (*n == 0) return body;
      body.append(reinterpret_cast<char*>(buf), *n);
      if (body.size() > limit) return MakeError(ErrorCode::kIo, "answer too long", -1, where_);
    }
  }

 private:
  Status ReadHead() {
    std::string in;
    size_t end = std::string::npos;
    uint8_t buf[4096];
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > kMaxHead) return MakeError(ErrorCode::kIo, "response head too long", -1, where_);
      auto n = socket_.Read(buf);
      if (!n) return MakeError(ErrorCode::kIo, "no answer: " + n.error().message, -1, where_);
      if (*n == 0) return MakeError(ErrorCode::kIo, "connection closed before an answer", -1, where_);
      in.append(reinterpret_cast<char*>(buf), *n);
    }
    buffered_.assign(in.begin() + static_cast<std::ptrdiff_t>(end) + 4, in.end());
    in.resize(end);
    if (in.size() < 12 || !in.starts_with("HTTP/1.")) return MakeError(ErrorCode::kIo, "not an HTTP answer", -1, where_);
    auto code = ParseU64(std::string_view(in).substr(9, 3));
    if (!code) return MakeError(ErrorCode::kIo, "not an HTTP status line", -1, where_);
    status_ = static_cast<int>(*code);
    for (size_t pos = in.find("\r\n"); pos != std::string::npos;) {
      size_t next = in.find("\r\n", pos + 2);
      std::string line = in.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      pos = next;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      headers_[name] = v == std::string::npos ? "" : line.substr(v);
    }
    chunked_ = Header("transfer-encoding").value_or("").find("chunked") != std::string::npos;
    return {};
  }

  // Bytes after the head, as they came (chunk framing included); 0 when the peer closed.
  Result<size_t> ReadRaw(std::span<uint8_t> out) {
    if (pos_ < buffered_.size()) {
      size_t n = std::min(out.size(), buffered_.size() - pos_);
      std::memcpy(out.data(), buffered_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return socket_.Read(out);
  }

  // A CRLF-terminated line of the chunk framing, without its CRLF.
  Result<std::string> ReadLine() {
    std::string line;
    for (;;) {
      if (pos_ == buffered_.size()) {
        buffered_.resize(4096);
        pos_ = 0;
        auto n = socket_.Read(buffered_);
        if (!n) return std::unexpected(n.error());
        buffered_.resize(*n);
        if (*n == 0)
          return MakeError(ErrorCode::kTruncated,
                           "the peer closed the connection inside the body, after " +
                               std::to_string(body_read_) + " bytes (no terminating chunk)",
                           static_cast<int64_t>(body_read_), where_);
      }
      const char c = static_cast<char>(buffered_[pos_++]);
      if (c == '\n') break;
      if (line.size() > 1024)
        return MakeError(ErrorCode::kIo, "chunk framing line too long", -1, where_);
      line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  PeerSocket socket_;
  std::string where_;
  // Bytes read past the head and not yet consumed: buffered_[pos_..].
  std::vector<uint8_t> buffered_;
  size_t pos_ = 0;
  bool chunked_ = false;
  bool first_chunk_ = true;
  bool ended_ = false;
  uint64_t chunk_left_ = 0;
  uint64_t body_read_ = 0;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
};

std::unexpected<Error> NotOk(Connection& c) {
  auto body = c.ReadAll(4096);
  std::string text = body ? *body : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return MakeError(ErrorCode::kIo, "answered HTTP " + std::to_string(c.status()) + ": " + text, -1,
                   c.where());
}

class SocketSnapshot final : public PeerSnapshot {
 public:
  explicit SocketSnapshot(Connection c) : c_(std::move(c)) {}

  Status Init() {
    auto at = ParseU64(c_.Header("x-tidemark-digest-at-ms").value_or(""));
    auto offset = ParseU64(c_.Header("x-tidemark-repl-offset").value_or(""));
    if (!at || !offset)
      return MakeError(ErrorCode::kIo, "missing or malformed X-Tidemark-* headers", -1, c_.where());
    digest_at_ms_ = static_cast<int64_t>(*at);
    repl_offset_ = *offset;
    repl_id_ = c_.Header("x-tidemark-repl-id").value_or("");
    hold_.reserve(kTrailerBytes + kFillBytes);
    return {};
  }

  // The body's last kTrailerBytes are the trailer, which is only known at the body's end: that
  // many bytes stay held back, and only what precedes them is handed out as RDB bytes.
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (trailer_ || out.empty()) return 0;
    while (held() <= kTrailerBytes) {
      if (ended_) {
        if (auto s = TakeTrailer(); !s) return std::unexpected(s.error());
        return 0;
      }
      // At most kTrailerBytes are left: moving them to the front is cheap.
      std::memmove(hold_.data(), hold_.data() + start_, held());
      hold_.resize(held());
      start_ = 0;
      const size_t old = hold_.size();
      hold_.resize(old + kFillBytes);
      auto n = c_.Read(std::span(hold_.data() + old, kFillBytes));
      hold_.resize(old + (n ? *n : 0));
      if (!n) return std::unexpected(n.error());
      if (*n == 0) ended_ = true;
    }
    const size_t give = std::min(out.size(), held() - kTrailerBytes);
    std::memcpy(out.data(), hold_.data() + start_, give);
    start_ += give;
    read_ += give;
    return give;
  }

 private:
  static constexpr size_t kFillBytes = 256 * 1024;

  // The SHA-256 is checked by the consumer, which hashes what it reads anyway (peer_restore.cc):
  // here the size, and that the body ended in a trailer at all.
  Status TakeTrailer() {
    const int64_t end = static_cast<int64_t>(read_ + held());
    if (held() < kTrailerBytes)
      return MakeError(ErrorCode::kTruncated,
                       "the body ended after " + std::to_string(end) +
                           " bytes, too short for its trailer (the sender stopped; see its log)",
                       end, c_.where());
    auto t = ParseSnapshotTrailer(
        std::string_view(reinterpret_cast<const char*>(hold_.data() + start_), held()), c_.where());
    if (!t)
      return MakeError(ErrorCode::kTruncated,
                       "the body ended without its trailer after " + std::to_string(end) +
                           " bytes (the sender stopped; see its log): " + t.error().message,
                       end, c_.where());
    if (t->size_bytes != read_)
      return MakeError(ErrorCode::kCorrupt,
                       "received " + std::to_string(read_) + " RDB bytes, the sender's trailer says " +
                           std::to_string(t->size_bytes),
                       static_cast<int64_t>(read_), c_.where());
    trailer_ = *t;
    return {};
  }

  size_t held() const { return hold_.size() - start_; }

  Connection c_;
  std::vector<uint8_t> hold_;  // bytes received and not handed out: hold_[start_..]
  size_t start_ = 0;
  bool ended_ = false;
  uint64_t read_ = 0;
};

}  // namespace

Result<PeerEndpoint> ParsePeerUrl(const std::string& url) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument, "expected http://host:port or https://host:port",
                     -1, url);
  };
  const bool tls = url.starts_with("https://");
  if (!tls && !url.starts_with("http://")) return bad();
  std::string rest = url.substr(tls ? 8 : 7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos) return bad();
  auto port = ParseU64(std::string_view(rest).substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return bad();
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return PeerEndpoint{url, host, static_cast<int>(*port), tls};
}

Result<ReplicationState> FetchPeerReplication(const PeerEndpoint& peer, const PeerCallOptions& o) {
  auto c = Connection::Open(peer, "/v1/replication", o);
  if (!c) return std::unexpected(c.error());
  if (c->status() != 200) return NotOk(*c);
  auto body = c->ReadAll();
  if (!body) return std::unexpected(body.error());
  return ParseStatusReplication(*body, c->where());
}

Result<std::unique_ptr<PeerSnapshot>> OpenPeerSnapshot(const PeerEndpoint& peer,
                                                       const PeerCallOptions& o) {
  auto c = Connection::Open(peer, "/v1/snapshot", o);
  if (!c) return std::unexpected(c.error());
  if (c->status() != 200) return NotOk(*c);
  auto snapshot = std::make_unique<SocketSnapshot>(std::move(*c));
  if (auto s = snapshot->Init(); !s) return std::unexpected(s.error());
  return std::unique_ptr<PeerSnapshot>(std::move(snapshot));
}

}  // namespace tidemark::sidecar
