// A minimal HTTP/1.1 server for the fake API server: 127.0.0.1 on a port the kernel picks,
// optionally TLS (OpenSSL) with optional client certificates, one thread per connection,
// keep-alive, Content-Length request bodies, and chunked streaming responses for watches.
// Test code only: it trusts its peers to be well-behaved HTTP clients.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace tidemark::fake {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::string query;                           // after '?', still percent-encoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client_cert_cn;  // the CN of a verified client certificate, else ""
};

// One request's answer: either Respond once, or StartStream + Send* + EndStream. Drop closes the
// connection without finishing the stream (a broken watch).
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Respond(int status, const std::map<std::string, std::string>& headers,
                       const std::string& body) = 0;
  virtual bool StartStream(int status, const std::map<std::string, std::string>& headers) = 0;
  virtual bool SendChunk(const std::string& data) = 0;  // false: the peer is gone
  virtual void EndStream() = 0;
  virtual void Drop() = 0;
};

using HttpHandler = std::function<void(const HttpRequest&, Exchange&)>;

struct TlsFiles {
  std::string cert_file;       // PEM server certificate (SAN IP:127.0.0.1)
  std::string key_file;        // PEM key
  std::string client_ca_file;  // "" : client certificates are not asked for
};

class HttpWireServer {
 public:
  // Binds 127.0.0.1:0 and serves `handler` until destroyed. nullptr (and *error set) on failure.
  static std::unique_ptr<HttpWireServer> Start(HttpHandler handler, const TlsFiles* tls,
                                               std::string* error);
  virtual ~HttpWireServer() = default;
  virtual int port() const = 0;
  // Shuts down every open connection (their handlers see failed writes).
  virtual void DropConnections() = 0;
};

}  // namespace tidemark::fake
