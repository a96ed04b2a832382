#include "sidecar/peer_socket.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

// OpenSSL's queued reasons, oldest first ("" when none); clears the queue.
std::string DrainOpensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::unexpected<Error> TlsError(const std::string& what, const std::string& where) {
  std::string reason = DrainOpensslErrors();
  return MakeError(ErrorCode::kIo, reason.empty() ? what : what + ": " + reason, -1, where);
}

std::unexpected<Error> BadFile(const std::string& what, const std::string& path) {
  std::string reason = DrainOpensslErrors();
  return MakeError(ErrorCode::kInvalidArgument, reason.empty() ? what : what + ": " + reason, -1,
                   path);
}

struct CtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

// A fresh context from the files: read now, so a renewed certificate counts from here on.
Result<CtxPtr> MakeContext(const PeerTlsFiles& f, bool server) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) return BadFile("cannot create a TLS context", "");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // A peer that closes without close_notify reads as an end of stream; the transfer's own
  // framing (Content-Length and the SHA-256 trailer) tells a cut stream from a complete one.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (f.cert.empty() != f.key.empty())
    return BadFile("a certificate and its key go together",
                   f.cert.empty() ? f.key : f.cert);
  if (!f.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), f.cert.c_str()) != 1)
      return BadFile("not a PEM certificate (chain)", f.cert);
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), f.key.c_str(), SSL_FILETYPE_PEM) != 1)
      return BadFile("not a PEM private key", f.key);
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
      return BadFile("the key does not match the certificate " + f.cert, f.key);
  }
  if (!f.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), f.ca.c_str(), nullptr) != 1)
      return BadFile("not a PEM CA certificate", f.ca);
    if (server) {
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(f.ca.c_str());
      if (!names) return BadFile("no CA certificate to name to clients", f.ca);
      SSL_CTX_set_client_CA_list(ctx.get(), names);
    }
  }
  if (server) {
    if (f.cert.empty()) return BadFile("a TLS server needs a certificate and key", "");
    // Asks for a client certificate; one that does not chain to the CA fails the handshake.
    // A client without one goes on and must show the token instead.
    if (!f.ca.empty()) SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  } else {
    if (f.ca.empty()) return BadFile("a TLS client needs the CA to verify its peer", "");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

void SetTimeouts(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Why a handshake failed: the verification result says more than "certificate verify failed".
std::unexpected<Error> HandshakeError(SSL* ssl, const std::string& what, const std::string& where) {
  const long verify = SSL_get_verify_result(ssl);
  std::string reason = DrainOpensslErrors();
  if (verify != X509_V_OK) reason += std::string(reason.empty() ? "" : "; ") +
                                     X509_verify_cert_error_string(verify);
  if (reason.empty()) reason = errno ? std::strerror(errno) : "the peer closed the connection";
  return MakeError(ErrorCode::kIo, what + ": " + reason, -1, where);
}

}  // namespace

struct PeerSocket::Tls {
  CtxPtr ctx;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
  }
};

Status CheckPeerTlsFiles(const PeerTlsFiles& files, bool server) {
  auto ctx = MakeContext(files, server);
  if (!ctx) return std::unexpected(ctx.error());
  return {};
}

PeerSocket::PeerSocket(int fd, std::string where) : fd_(fd), where_(std::move(where)) {}

PeerSocket::PeerSocket(PeerSocket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      where_(std::move(o.where_)),
      tls_(std::move(o.tls_)),
      server_(o.server_),
      client_verified_(o.client_verified_),
      client_subject_(std::move(o.client_subject_)) {}

PeerSocket::~PeerSocket() {
  // The server says it is done (close_notify, best effort: curl and others expect it). Only the
  // server: it runs in the sidecar binary, where SIGPIPE is ignored; a client whose server has
  // gone would get SIGPIPE from OpenSSL's write.
  if (tls_ && tls_->ssl && fd_ >= 0 && server_) SSL_shutdown(tls_->ssl);
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
}

Result<PeerSocket> PeerSocket::Connect(const std::string& host, int port, const PeerTlsFiles* tls,
                                       int timeout_ms, const std::string& where) {
  CtxPtr ctx;
  if (tls) {
    auto made = MakeContext(*tls, false);
    if (!made) return std::unexpected(made.error());
    ctx = std::move(*made);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return MakeError(ErrorCode::kIo, std::string("cannot resolve: ") + ::gai_strerror(rc), -1, where);
  int fd = -1, err = 0;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    SetTimeouts(fd, timeout_ms);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return OsError("cannot connect", where, err);
  PeerSocket s(fd, where);
  if (!ctx) return s;

  s.tls_ = std::make_unique<Tls>();
  s.tls_->ctx = std::move(ctx);
  SSL* ssl = s.tls_->ssl = SSL_new(s.tls_->ctx.get());
  if (!ssl || SSL_set_fd(ssl, fd) != 1) return TlsError("cannot start TLS", where);
  // The name dialled must be the certificate's: an IP address against its IP SANs, a DNS name
  // against its DNS SANs (and sent as SNI).
  if (IsIpAddress(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1)
      return TlsError("cannot set the address to verify", where);
  } else if (SSL_set1_host(ssl, host.c_str()) != 1 ||
             SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return TlsError("cannot set the host name to verify", where);
  }
  errno = 0;
  if (SSL_connect(ssl) != 1) return HandshakeError(ssl, "TLS handshake failed", where);
  return s;
}

Result<PeerSocket> PeerSocket::Accept(int fd, const PeerTlsFiles* tls, int timeout_ms,
                                      const std::string& where) {
  PeerSocket s(fd, where);
  s.server_ = true;
  SetTimeouts(fd, timeout_ms);
  if (!tls) return s;
  auto made = MakeContext(*tls, true);
  if (!made) return std::unexpected(made.error());
  s.tls_ = std::make_unique<Tls>();
  s.tls_->ctx = std::move(*made);
  SSL* ssl = s.tls_->ssl = SSL_new(s.tls_->ctx.get());
  if (!ssl || SSL_set_fd(ssl, fd) != 1) return TlsError("cannot start TLS", where);
  errno = 0;
  if (SSL_accept(ssl) != 1) {
    auto e = HandshakeError(ssl, "TLS handshake with a client failed", where);
    s.tls_->ssl = nullptr;  // no close_notify on a connection that never was TLS
    SSL_free(ssl);
    return e;
  }
  if (X509* cert = SSL_get1_peer_certificate(ssl)) {
    // With SSL_VERIFY_PEER a certificate that does not verify has already failed the handshake.
    s.client_verified_ = SSL_get_verify_result(ssl) == X509_V_OK;
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
    s.client_subject_ = subject;
    X509_free(cert);
  }
  return s;
}

Result<size_t> PeerSocket::Read(std::span<uint8_t> out) {
  if (out.empty()) return 0;
  if (tls_) {
    errno = 0;
    int n = SSL_read(tls_->ssl, out.data(), static_cast<int>(std::min<size_t>(out.size(), 1 << 30)));
    if (n > 0) return static_cast<size_t>(n);
    const int e = SSL_get_error(tls_->ssl, n);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    if (e == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0) return 0;
    if (e == SSL_ERROR_WANT_READ || errno == EAGAIN)
      return MakeError(ErrorCode::kIo, "no data within the timeout", -1, where_);
    return TlsError("cannot read", where_);
  }
  for (;;) {
    ssize_t n = ::recv(fd_, out.data(), out.size(), 0);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return OsError(errno == EAGAIN ? "no data within the timeout" : "cannot read", where_, errno);
  }
}

Status PeerSocket::WriteAll(std::span<const uint8_t> data) {
  while (!data.empty()) {
    size_t n = 0;
    if (tls_) {
      errno = 0;
      int w = SSL_write(tls_->ssl, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
      if (w <= 0) {
        if (errno == EAGAIN)
          return MakeError(ErrorCode::kIo, "the peer did not read within the timeout", -1, where_);
        return TlsError("cannot write", where_);
      }
      n = static_cast<size_t>(w);
    } else {
      ssize_t w = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0)
        return OsError(errno == EAGAIN ? "the peer did not read within the timeout" : "cannot write",
                       where_, errno);
      n = static_cast<size_t>(w);
    }
    data = data.subspan(n);
  }
  return {};
}

void PeerSocket::Shutdown() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace tidemark::sidecar
