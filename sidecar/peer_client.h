// The restore step's side of sidecar-to-sidecar calls: a peer's /v1/replication and its
// /v1/snapshot, over plain HTTP/1.1 on a socket (one request per connection). The snapshot is a
// ByteSource read straight from the socket — TCP's flow control is the back-pressure, so memory
// stays one chunk whatever the size — that checks the stream's framing itself
// (snapshot_transfer.h): the chunked body de-chunked, its last kTrailerBytes held back as the
// trailer, a body cut before its terminating chunk or without a trailer is kTruncated, and the
// trailer's size must equal the RDB bytes handed out. Its SHA-256 is for the consumer to check
// (it hashes the bytes it reads anyway; peer_restore.cc).
// An https:// peer is reached over TLS, verified against the set's CA (peer_socket.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "sidecar/peer_socket.h"
#include "sidecar/replication_state.h"
#include "sidecar/snapshot_transfer.h"

namespace tidemark::sidecar {

struct PeerEndpoint {
  std::string url;    // "http://host:port" or "https://host:port" as given (for logs)
  std::string host;
  int port = 0;
  bool tls = false;   // https://
};

// "http://host:port" or "https://host:port" (no path). kInvalidArgument otherwise.
Result<PeerEndpoint> ParsePeerUrl(const std::string& url);

struct PeerCallOptions {
  std::string token;       // sent as "Authorization: Bearer <token>"; empty: none
  int timeout_ms = 10000;  // connect, and each read or write
  // For https:// peers (required then: kInvalidArgument without): the CA that verifies the
  // peer, and this sidecar's certificate and key presented as a client certificate (optional).
  std::optional<PeerTlsFiles> tls;
};

// GET /v1/replication (the state read when asked), then its "replication" member. kIo (unreachable, non-200 with the status and
// body) or kCorrupt (the body), naming the URL.
Result<ReplicationState> FetchPeerReplication(const PeerEndpoint& peer, const PeerCallOptions& o);

// An open GET /v1/snapshot: the RDB bytes as a source; trailer() once they were all read.
class PeerSnapshot : public ByteSource {
 public:
  int64_t digest_at_ms() const { return digest_at_ms_; }
  const std::string& repl_id() const { return repl_id_; }  // the replica's state when asked
  uint64_t repl_offset() const { return repl_offset_; }
  // Set once Read returned 0: the trailer, its size checked against the bytes read; its
  // SHA-256 is the caller's to compare with its own hash of those bytes.
  const std::optional<SnapshotTrailer>& trailer() const { return trailer_; }

 protected:
  int64_t digest_at_ms_ = 0;
  std::string repl_id_;
  uint64_t repl_offset_ = 0;
  std::optional<SnapshotTrailer> trailer_;
};

// Sends the request and reads the response head. kIo naming the URL for a refused connection
// or a non-200 answer (its status and body: 401, 403, 409 ...).
Result<std::unique_ptr<PeerSnapshot>> OpenPeerSnapshot(const PeerEndpoint& peer,
                                                       const PeerCallOptions& o);

}  // namespace tidemark::sidecar
