#include "sidecar/peer_client.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <utility>

#include "core/format/sha256.h"

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

  // Up to out.size() body bytes; 0 when the peer closed the connection.
  Result<size_t> Read(std::span<uint8_t> out) {
    if (!buffered_.empty()) {
      size_t n = std::min(out.size(), buffered_.size());
      std::memcpy(out.data(), buffered_.data(), n);
      buffered_.erase(0, n);
      return n;
    }
    return socket_.Read(out);
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
    buffered_ = in.substr(end + 4);
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
    return {};
  }

  PeerSocket socket_;
  std::string where_;
  std::string buffered_;  // body bytes that came with the head
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
    auto bad = [&](const std::string& what) {
      return MakeError(ErrorCode::kIo, what, -1, c_.where());
    };
    auto size = ParseU64(c_.Header("x-tidemark-rdb-size").value_or(""));
    auto length = ParseU64(c_.Header("content-length").value_or(""));
    auto at = ParseU64(c_.Header("x-tidemark-digest-at-ms").value_or(""));
    auto offset = ParseU64(c_.Header("x-tidemark-repl-offset").value_or(""));
    if (!size || !length || !at || !offset) return bad("missing or malformed X-Tidemark-* or Content-Length headers");
    if (*length != *size + kTrailerBytes)
      return bad("Content-Length " + std::to_string(*length) + " is not the RDB size " +
                 std::to_string(*size) + " plus the trailer's " + std::to_string(kTrailerBytes));
    rdb_size_ = *size;
    digest_at_ms_ = static_cast<int64_t>(*at);
    repl_offset_ = *offset;
    repl_id_ = c_.Header("x-tidemark-repl-id").value_or("");
    return {};
  }

  Result<size_t> Read(std::span<uint8_t> out) override {
    const uint64_t left = rdb_size_ - read_;
    if (left == 0) {
      if (!trailer_) {
        if (auto s = ReadTrailer(); !s) return std::unexpected(s.error());
      }
      return 0;
    }
    if (out.size() > left) out = out.first(static_cast<size_t>(left));
    auto n = c_.Read(out);
    if (!n) return std::unexpected(n.error());
    if (*n == 0)
      return MakeError(ErrorCode::kTruncated,
                       "the peer closed the stream after " + std::to_string(read_) + " of " +
                           std::to_string(rdb_size_) + " RDB bytes",
                       static_cast<int64_t>(read_), c_.where());
    if (auto s = sha_.Update(out.first(*n)); !s) return std::unexpected(s.error());
    read_ += *n;
    return *n;
  }

 private:
  Status ReadTrailer() {
    std::string text(kTrailerBytes, '\0');
    size_t got = 0;
    while (got < text.size()) {
      auto n = c_.Read(std::span(reinterpret_cast<uint8_t*>(text.data()) + got, text.size() - got));
      if (!n) return std::unexpected(n.error());
      if (*n == 0)
        return MakeError(ErrorCode::kTruncated,
                         "the peer closed the stream inside the trailer (the sender stopped; see "
                         "its log)",
                         static_cast<int64_t>(rdb_size_ + got), c_.where());
      got += *n;
    }
    auto t = ParseSnapshotTrailer(text, c_.where());
    if (!t) return std::unexpected(t.error());
    auto hex = sha_.FinishHex();
    if (!hex) return std::unexpected(hex.error());
    if (t->size_bytes != rdb_size_ || t->sha256 != *hex)
      return MakeError(ErrorCode::kCorrupt,
                       "SHA-256 of the " + std::to_string(rdb_size_) + " bytes received is " + *hex +
                           ", the sender's trailer says " + t->sha256 + " over " +
                           std::to_string(t->size_bytes) + " bytes: changed in transit",
                       static_cast<int64_t>(rdb_size_), c_.where());
    trailer_ = *t;
    return {};
  }

  Connection c_;
  Sha256 sha_;
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
