#include "tests/operator/fake_apiserver/http_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <list>
#include <mutex>
#include <set>
#include <thread>

namespace tidemark::fake {
namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One accepted socket, plain or TLS.
class Conn {
 public:
  Conn(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ::close(fd_);
  }
  int fd() const { return fd_; }
  SSL* ssl() const { return ssl_; }

  bool WriteAll(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n;
      if (ssl_ != nullptr) {
        n = SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done));
      } else {
        n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      }
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads more bytes into buf_; false at EOF or error.
  bool Fill() {
    char tmp[16384];
    ssize_t n = ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  // Parses one request; false when the peer closed or sent garbage.
  bool ReadRequest(HttpRequest& req) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (buf_.size() > (1 << 20) || !Fill()) return false;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t sp1 = first.find(' ');
    size_t sp2 = first.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
    req.method = first.substr(0, sp1);
    std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.headers.clear();
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = e + 2;
    }
    size_t length = 0;
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
      length = std::stoul(it->second);
    }
    if (auto it = req.headers.find("transfer-encoding");
        it != req.headers.end() && Lower(it->second) == "chunked") {
      req.body.clear();
      while (true) {
        size_t le;
        while ((le = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return false;
        }
        size_t size = std::stoul(buf_.substr(0, le), nullptr, 16);
        buf_.erase(0, le + 2);
        while (buf_.size() < size + 2) {
          if (!Fill()) return false;
        }
        req.body += buf_.substr(0, size);
        buf_.erase(0, size + 2);
        if (size == 0) break;
      }
      return true;
    }
    while (buf_.size() < length) {
      if (!Fill()) return false;
    }
    req.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return true;
  }

 private:
  int fd_;
  SSL* ssl_;
  std::string buf_;
};

class ConnExchange : public Exchange {
 public:
  explicit ConnExchange(Conn& conn) : conn_(conn) {}
  void Respond(int status, const std::map<std::string, std::string>& headers,
               const std::string& body) override {
    std::string out = Head(status, headers);
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ok_ = conn_.WriteAll(out);
  }
  bool StartStream(int status, const std::map<std::string, std::string>& headers) override {
    ok_ = conn_.WriteAll(Head(status, headers) + "Transfer-Encoding: chunked\r\n\r\n");
    return ok_;
  }
  bool SendChunk(const std::string& data) override {
    if (!ok_ || data.empty()) return ok_;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    ok_ = conn_.WriteAll(size + data + "\r\n");
    return ok_;
  }
  void EndStream() override { ok_ = ok_ && conn_.WriteAll("0\r\n\r\n"); }
  void Drop() override {
    ::shutdown(conn_.fd(), SHUT_RDWR);
    ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  static std::string Head(int status, const std::map<std::string, std::string>& headers) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + StatusText(status) + "\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    return out;
  }
  Conn& conn_;
  bool ok_ = true;
};

class WireServer : public HttpWireServer {
 public:
  ~WireServer() override {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    DropConnections();
    std::list<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  int port() const override { return port_; }

  void DropConnections() override {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }

  bool Init(HttpHandler handler, const TlsFiles* tls, std::string* error) {
    handler_ = std::move(handler);
    ::signal(SIGPIPE, SIG_IGN);
    if (tls != nullptr) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      if (SSL_CTX_use_certificate_chain_file(ctx_, tls->cert_file.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx_, tls->key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        *error = "cannot load the server certificate or key";
        return false;
      }
      if (!tls->client_ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx_, tls->client_ca_file.c_str(), nullptr) != 1) {
          *error = "cannot load the client CA";
          return false;
        }
        SSL_CTX_set_client_CA_list(ctx_, SSL_load_client_CA_file(tls->client_ca_file.c_str()));
        // Asked for, not required: bearer tokens work over TLS too.
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      }
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      *error = std::string("bind/listen: ") + std::strerror(errno);
      return false;
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return true;
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_) return;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      open_fds_.insert(fd);
      threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    SSL* ssl = nullptr;
    std::string cn;
    if (ctx_ != nullptr) {
      ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        ERR_clear_error();
        Forget(fd);
        SSL_free(ssl);
        ::close(fd);
        return;
      }
      if (X509* peer = SSL_get1_peer_certificate(ssl)) {
        if (SSL_get_verify_result(ssl) == X509_V_OK) {
          char buf[256] = {};
          X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
          cn = buf;
        }
        X509_free(peer);
      }
    }
    {
      Conn conn(fd, ssl);
      HttpRequest req;
      while (!stopping_ && conn.ReadRequest(req)) {
        req.client_cert_cn = cn;
        ConnExchange exchange(conn);
        handler_(req, exchange);
        if (!exchange.ok()) break;
        auto it = req.headers.find("connection");
        if (it != req.headers.end() && Lower(it->second) == "close") break;
      }
      Forget(fd);
      if (ssl != nullptr) SSL_shutdown(ssl);
    }  // closes fd
    ERR_clear_error();
  }

  void Forget(int fd) {
    std::lock_guard lock(mu_);
    open_fds_.erase(fd);
  }

  HttpHandler handler_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::set<int> open_fds_;
  std::list<std::thread> threads_;
};

}  // namespace

std::unique_ptr<HttpWireServer> HttpWireServer::Start(HttpHandler handler, const TlsFiles* tls,
                                                      std::string* error) {
  auto server = std::make_unique<WireServer>();
  if (!server->Init(std::move(handler), tls, error)) return nullptr;
  return server;
}

}  // namespace tidemark::fake
