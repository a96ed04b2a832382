// The sidecar's HTTP endpoint: cpprestsdk's listener behind one tiny interface, so routing stays
// plain code (testable without sockets) and the library can be replaced (it is in maintenance
// mode upstream). Requests are answered on the listener's threads: the handler must be
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <span>

#include "core/base/error.h"

namespace tidemark::sidecar {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  // The peer port only (peer_server.h): the client presented a certificate that chains to the
  // set's CA (--peer-tls-ca), and its subject (for logs).
  bool client_certificate = false;
  std::string client_subject;

  // The header's value, or nullopt. `name` in lower case.
  std::optional<std::string> Header(const std::string& name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status_code, std::string type, std::string text,
               std::map<std::string, std::string> extra_headers = {})
      : status(status_code),
        content_type(std::move(type)),
        body(std::move(text)),
        headers(std::move(extra_headers)) {}

  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;  // extra response headers
  // A body produced while it is sent, instead of `body`: the bytes handed to the sink, in order.
  // With `stream_length`, exactly that many (Content-Length); without, a length not known up
  // front (Transfer-Encoding: chunked). The server applies back-pressure (the sink blocks while
  // the client is behind, so memory stays bounded) and the sink fails once the client has gone.
  // A producer that fails stops early and the connection is cut: the client sees a body shorter
  // than Content-Length, or without its terminating chunk (on the peer port; cpprestsdk's
  // listener may still end the chunks, so a chunked body must carry its own completeness proof,
  // as the snapshot's trailer does). Runs on the thread that called Handle.
  std::function<Status(const std::function<Status(std::span<const uint8_t>)>& sink)> stream;
  std::optional<uint64_t> stream_length;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse Handle(const std::string& method, const std::string& path) = 0;
  // Handlers that need headers (authorization) override this one.
  virtual HttpResponse Handle(const HttpRequest& request) {
    return Handle(request.method, request.path);
  }
};

class HttpServer {
 public:
  // Listens on "host:port" (e.g. "0.0.0.0:9121"). kIo when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& host_port,
                                                   HttpHandler& handler);
  virtual ~HttpServer() = default;  // stops listening
};

}  // namespace tidemark::sidecar
