// The peer port of `run` (--peer-listen): the endpoints other sidecars of the set call,
// GET /v1/replication and GET /v1/snapshot, apart from the main port (probes, metrics, the
// operator), so that the NetworkPolicy can fence this one to the set's pods and TLS with client
// certificates (peer_socket.h) can be required here without touching the operator's polling.
//
// A small HTTP/1.1 server of its own rather than the main port's cpprestsdk listener: a request
// must know whether its connection presented a verified client certificate, which cpprestsdk
// does not expose, and a snapshot is sent with blocking writes straight from the verifier's
// chunks to the socket (TCP's flow control is the back-pressure; memory stays one chunk).
// One request per connection (`Connection: close`), one thread per connection, at most
// kMaxConnections at once (more are closed at once). Handler calls run on those threads.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/base/error.h"
#include "sidecar/http_server.h"
#include "sidecar/json_log.h"
#include "sidecar/peer_socket.h"

namespace tidemark::sidecar {

struct PeerServerOptions {
  std::string listen;                // "host:port"; port 0 picks a free one (port())
  std::optional<PeerTlsFiles> tls;   // TLS with cert+key; client certificates checked against ca
  int timeout_ms = 60000;            // the request head, and each write of the answer
};

class PeerServer {
 public:
  static constexpr int kMaxConnections = 8;

  // Binds and starts accepting. kIo when the address cannot be bound, kInvalidArgument when the
  // TLS files do not load. `handler` and `log` must outlive the server.
  static Result<std::unique_ptr<PeerServer>> Start(const PeerServerOptions& options,
                                                   HttpHandler& handler, JsonLog& log);
  // Stops accepting, cuts open connections (a snapshot being sent ends short: the receiver
  // does not install it) and waits for their threads.
  virtual ~PeerServer() = default;
  virtual int port() const = 0;
};

}  // namespace tidemark::sidecar
