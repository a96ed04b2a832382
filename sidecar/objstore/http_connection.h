// One HTTP/1.1 connection, plain or TLS, with a deadline on every read and write: the only
// place that touches Boost.Asio/Beast and OpenSSL's TLS, so the S3 client above it deals in
// requests and bytes. The request head is written by the caller (SigV4 signs exactly those
// headers); responses are parsed by Beast (Content-Length or chunked), their body handed out in
// the caller's buffers so a large GET never sits in memory.
//
// Not thread-safe. Errors are kIo with what failed ("connect 127.0.0.1:9000: Connection
// refused", "TLS handshake: certificate verify failed"); after any error the connection is
// closed and the next Send reconnects.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/error.h"

namespace tidemark::objstore {

struct HttpPeer {
  bool tls = false;
  std::string host;  // the name the certificate must carry, also SNI
  uint16_t port = 0;
  std::string connect_host;  // where to connect (usually == host)
  uint16_t connect_port = 0;
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds io{60'000};
};

struct HttpResponseHead {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  // The first header with this name (case-insensitive), or empty.
  std::string Header(std::string_view name) const;
};

class TlsContext;

// Trust for https peers: the system's store, or the CAs of one PEM file. Verification of the
// chain and of the host name is always on.
Result<std::shared_ptr<TlsContext>> MakeTlsContext(const std::string& ca_bundle_file);

class HttpConnection {
 public:
  HttpConnection(HttpPeer peer, std::shared_ptr<TlsContext> tls, HttpTimeouts timeouts);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Writes `head` (request line + headers + blank line) then `body`, connecting first when
  // there is no open connection. A connection idle for more than kMaxIdle is not reused:
  // servers close idle connections (Node's default after 5 s, S3 after about 20 s), and a
  // request sent into one that is closing fails in a way that cannot be told from a real reset.
  static constexpr std::chrono::milliseconds kMaxIdle{2'000};
  Status Send(std::string_view head, std::span<const uint8_t> body);
  // Writes more of the request's body after Send, for a body streamed as it is produced (its
  // Content-Length declared in the head). Fails when no connection is open.
  Status SendMore(std::span<const uint8_t> body);
  // Reads the response's status line and headers. `head_request`: the response has no body.
  Result<HttpResponseHead> ReadHead(bool head_request);
  // Fills a prefix of `out` with body bytes; 0 at the end of the body. After the end, the
  // connection stays open for the next request when the server allows keep-alive.
  Result<size_t> ReadBody(std::span<uint8_t> out);
  // Reads the rest of the body into a string, refusing more than `limit` bytes.
  Result<std::string> ReadBodyString(size_t limit);
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::objstore
