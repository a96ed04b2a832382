// The sidecar's HTTP endpoint: cpprestsdk's listener behind one tiny interface, so routing stays
// plain code (testable without sockets) and the library can be replaced (it is in maintenance
// mode upstream). Requests are answered on the listener's threads: the handler must be
// thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"

namespace tidemark::sidecar {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse Handle(const std::string& method, const std::string& path) = 0;
};

class HttpServer {
 public:
  // Listens on "host:port" (e.g. "0.0.0.0:9121"). kIo when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& host_port,
                                                   HttpHandler& handler);
  virtual ~HttpServer() = default;  // stops listening
};

}  // namespace tidemark::sidecar
