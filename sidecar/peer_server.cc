#include "sidecar/peer_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr size_t kMaxHead = 16 * 1024;

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "METHOD /path HTTP/1.x" and the header lines, from the head without its final CRLFCRLF.
std::optional<HttpRequest> ParseHead(const std::string& head) {
  const size_t eol = std::min(head.find("\r\n"), head.size());
  const std::string line = head.substr(0, eol);
  const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1 || !line.substr(sp2 + 1).starts_with("HTTP/1."))
    return std::nullopt;
  HttpRequest r;
  r.method = line.substr(0, sp1);
  r.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto q = r.path.find('?'); q != std::string::npos) r.path.resize(q);
  for (size_t pos = eol; pos < head.size();) {
    size_t next = std::min(head.find("\r\n", pos + 2), head.size());
    std::string h = head.substr(pos + 2, next - pos - 2);
    pos = next;
    auto colon = h.find(':');
    if (colon == std::string::npos) continue;
    size_t v = h.find_first_not_of(" \t", colon + 1);
    r.headers[Lower(h.substr(0, colon))] = v == std::string::npos ? "" : h.substr(v);
  }
  return r;
}

// Without a length: chunked.
std::string RenderHead(const HttpResponse& r, std::optional<uint64_t> length) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) +
                     "\r\nContent-Type: " + r.content_type +
                     (length ? "\r\nContent-Length: " + std::to_string(*length)
                             : std::string("\r\nTransfer-Encoding: chunked")) +
                     "\r\nConnection: close\r\n";
  for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Address(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* in = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &in->sin6_addr, host, sizeof host);
    port = ntohs(in->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

class PeerServerImpl final : public PeerServer {
 public:
  PeerServerImpl(PeerServerOptions o, int fd, int port, HttpHandler& handler, JsonLog& log)
      : options_(std::move(o)), listen_fd_(fd), port_(port), handler_(handler), log_(log) {
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~PeerServerImpl() override {
    stop_ = true;
    acceptor_.join();
    ::close(listen_fd_);
    std::unique_lock lock(mu_);
    for (PeerSocket* s : open_) s->Shutdown();
    idle_.wait(lock, [&] { return active_ == 0; });
  }

  int port() const override { return port_; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC);
      if (fd < 0) continue;
      {
        std::lock_guard lock(mu_);
        if (active_ >= kMaxConnections) {
          ::close(fd);  // a flood of peers: the set has a handful of sidecars
          continue;
        }
        ++active_;
      }
      std::thread([this, fd, client = Address(from)] {
        Serve(fd, client);
        std::lock_guard lock(mu_);
        --active_;
        idle_.notify_all();
      }).detach();
    }
  }

  void Serve(int fd, const std::string& client) {
    const std::string where = "peer connection from " + client;
    auto sock = PeerSocket::Accept(fd, options_.tls ? &*options_.tls : nullptr, options_.timeout_ms,
                                   where);
    if (!sock) {
      log_.Warn("peer connection refused", {LogField::Str("client", client),
                                            LogField::Str("error", sock.error().ToString())});
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      open_.insert(&*sock);
    }
    Exchange(*sock);
    std::lock_guard lock(mu_);
    open_.erase(&*sock);
  }

  // One request, one answer.
  void Exchange(PeerSocket& sock) {
    std::string in;
    size_t end = std::string::npos;
    uint8_t buf[4096];
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > kMaxHead) return Answer(sock, {400, "text/plain", "request head too long\n"});
      auto n = sock.Read(buf);
      if (!n || *n == 0) return;  // the client went away before asking
      in.append(reinterpret_cast<char*>(buf), *n);
    }
    in.resize(end);
    auto request = ParseHead(in);
    if (!request) return Answer(sock, {400, "text/plain", "not an HTTP/1.x request\n"});
    request->client_certificate = sock.client_certificate_verified();
    request->client_subject = sock.client_subject();
    HttpResponse r;
    try {
      r = handler_.Handle(*request);
    } catch (const std::exception& e) {
      r = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
    }
    Answer(sock, r);
  }

  void Answer(PeerSocket& sock, const HttpResponse& r) {
    if (!r.stream) {
      (void)sock.WriteAll(Bytes(RenderHead(r, r.body.size()) + r.body));
      return;
    }
    if (!sock.WriteAll(Bytes(RenderHead(r, r.stream_length)))) return;
    const bool chunked = !r.stream_length;
    // Blocking writes: the client's reading paces the producer.
    auto done = r.stream([&](std::span<const uint8_t> chunk) -> Status {
      if (stop_) return MakeError(ErrorCode::kIo, "the sidecar is stopping");
      if (!chunked) return sock.WriteAll(chunk);
      if (chunk.empty()) return {};  // an empty chunk would end the body
      char size[32];
      const int n = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
      if (auto s = sock.WriteAll(std::span(reinterpret_cast<const uint8_t*>(size), static_cast<size_t>(n))); !s)
        return s;
      if (auto s = sock.WriteAll(chunk); !s) return s;
      return sock.WriteAll(Bytes("\r\n"));
    });
    // A failed producer gets no terminating chunk: the client sees the body cut.
    if (chunked && done) (void)sock.WriteAll(Bytes("0\r\n\r\n"));
  }

  PeerServerOptions options_;
  int listen_fd_;
  int port_;
  HttpHandler& handler_;
  JsonLog& log_;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;  // guards active_ and open_
  std::condition_variable idle_;
  int active_ = 0;
  std::set<PeerSocket*> open_;
};

}  // namespace

Result<std::unique_ptr<PeerServer>> PeerServer::Start(const PeerServerOptions& o,
                                                      HttpHandler& handler, JsonLog& log) {
  if (o.tls)
    if (auto s = CheckPeerTlsFiles(*o.tls, true); !s) return std::unexpected(s.error());
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos)
    return MakeError(ErrorCode::kInvalidArgument, "expected HOST:PORT", -1, o.listen);
  std::string host = o.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), o.listen.substr(colon + 1).c_str(),
                             &hints, &found);
      rc != 0)
    return MakeError(ErrorCode::kInvalidArgument, std::string("cannot resolve: ") + ::gai_strerror(rc),
                     -1, o.listen);
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  int err = errno;
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return OsError("cannot listen", o.listen, err);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  const std::string address = Address(bound);
  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  return std::unique_ptr<PeerServer>(new PeerServerImpl(o, fd, port, handler, log));
}

}  // namespace tidemark::sidecar
