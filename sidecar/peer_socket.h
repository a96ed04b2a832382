// One connected TCP socket between two sidecars of a set, plain or TLS: the only place the peer
// transfer touches OpenSSL (the client in peer_client.h, the server in peer_server.h).
//
// TLS (docs/sidecar.md, "TLS for the peer transfer"): the files are PEM paths and are read again
// for every connection, so a certificate renewed in its mounted Secret is used from the next
// connection on, without a restart. A client always verifies the server's chain against `ca`
// and the name it dialled (a DNS name against the certificate's DNS SANs, an IP address against
// its IP SANs): there is no unverified mode. A server with `ca` asks for a client certificate
// and, when one is presented, the handshake succeeds only if it chains to `ca`; a client
// without one is still served (it must then present the set's token).
//
// Blocking I/O; every read and write is bounded by the timeout given when the socket was made.
// Not thread-safe: one thread per socket.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/base/error.h"

namespace tidemark::sidecar {

// Paths to PEM files; empty: not given.
struct PeerTlsFiles {
  std::string cert;  // this sidecar's certificate (chain), presented as server or client
  std::string key;   // its private key
  std::string ca;    // the CA that signs the set's certificates
};

// kInvalidArgument naming the file when a given file does not load (not PEM, key not matching
// the certificate, unreadable). `server`: cert and key are required; otherwise ca is required.
Status CheckPeerTlsFiles(const PeerTlsFiles& files, bool server);

class PeerSocket {
 public:
  // Connects to host:port and, when `tls`, completes the handshake (server verified against
  // tls->ca, hostname checked, this sidecar's cert presented if given). kIo naming `where`,
  // with OpenSSL's reason (e.g. "certificate verify failed: Hostname mismatch").
  static Result<PeerSocket> Connect(const std::string& host, int port, const PeerTlsFiles* tls,
                                    int timeout_ms, const std::string& where);
  // Takes an accepted descriptor (closed on failure too) and, when `tls`, completes the server
  // handshake. kIo naming `where` when the client's certificate does not chain to tls->ca, or
  // the client does not speak TLS.
  static Result<PeerSocket> Accept(int fd, const PeerTlsFiles* tls, int timeout_ms,
                                   const std::string& where);

  PeerSocket(PeerSocket&&) noexcept;
  PeerSocket& operator=(PeerSocket&&) = delete;
  ~PeerSocket();

  // Up to out.size() bytes; 0 when the peer closed the connection. kIo on a timeout or error.
  Result<size_t> Read(std::span<uint8_t> out);
  // All of `data`, or kIo (the peer went away, or did not read within the timeout).
  Status WriteAll(std::span<const uint8_t> data);
  // Stops both directions: a thread blocked in Read or WriteAll on this socket returns an error.
  // Safe to call from another thread (it only shuts the descriptor down).
  void Shutdown();

  // A server socket whose client presented a certificate that chains to the CA.
  bool client_certificate_verified() const { return client_verified_; }
  // The subject of that certificate (for logs), "" otherwise.
  const std::string& client_subject() const { return client_subject_; }

 private:
  struct Tls;
  PeerSocket(int fd, std::string where);

  int fd_ = -1;
  std::string where_;
  std::unique_ptr<Tls> tls_;
  bool server_ = false;
  bool client_verified_ = false;
  std::string client_subject_;
};

}  // namespace tidemark::sidecar
