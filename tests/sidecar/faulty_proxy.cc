#include "tests/sidecar/faulty_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace tidemark::testing {

namespace {

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

FaultyProxy::FaultyProxy(int target_port, std::string path, Fault fault, size_t body_offset)
    : target_port_(target_port), path_(std::move(path)), fault_(fault), offset_(body_offset) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("proxy: cannot listen");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  accept_ = std::thread([this] {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) workers_.emplace_back([this, c] { Serve(c); });
    }
  });
}

FaultyProxy::~FaultyProxy() {
  stop_ = true;
  accept_.join();
  for (auto& w : workers_) w.join();
  ::close(listen_fd_);
}

void FaultyProxy::Serve(int client) {
  int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(target_port_));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(up);
    ::close(client);
    return;
  }
  // The request: one read is enough for a GET head on loopback.
  char buf[65536];
  ssize_t n = ::recv(client, buf, sizeof buf, 0);
  bool damage = false;
  if (n > 0) {
    std::string head(buf, static_cast<size_t>(n));
    damage = head.starts_with("GET " + path_ + " ");
    if (damage) ++hits_;
    SendAll(up, buf, static_cast<size_t>(n));
  }
  // The answer, damaged past the head when asked.
  std::string head;
  bool in_body = false;
  size_t body = 0;
  while (!stop_ && n > 0) {
    pollfd p{up, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    n = ::recv(up, buf, sizeof buf, 0);
    if (n <= 0) break;
    size_t from = 0;
    if (!in_body) {
      head.append(buf, static_cast<size_t>(n));
      auto end = head.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (!SendAll(client, buf, static_cast<size_t>(n))) break;
        continue;
      }
      in_body = true;
      from = static_cast<size_t>(n) - (head.size() - end - 4);
      if (!SendAll(client, buf, from)) break;
    }
    size_t len = static_cast<size_t>(n) - from;
    char* chunk = buf + from;
    if (damage && body <= offset_ && offset_ < body + len) {
      if (fault_ == Fault::kCut) {
        SendAll(client, chunk, offset_ - body);
        break;
      }
      chunk[offset_ - body] ^= 0x01;
    }
    body += len;
    if (!SendAll(client, chunk, len)) break;
  }
  ::close(up);
  ::close(client);
}

}  // namespace tidemark::testing
