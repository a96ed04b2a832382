// The replicas as restore candidates for pod 0 (restore.h, step 2): each peer sidecar's
// replication state becomes a candidate for the ranking (core/backup/restore_choice.h), and the
// chosen one's fresh snapshot is fetched and installed like a backup — verified in the copying
// pass while its bytes arrive (full RDB verification with its CRC-64, the dataset digest, the
// SHA-256 against the sender's trailer), published only when everything agrees. A broken
// transfer is retried, then the caller moves on to the next candidate; nothing half-received is
// ever installed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backup/restore_choice.h"
#include "core/base/error.h"
#include "sidecar/clock.h"
#include "sidecar/install.h"
#include "sidecar/json_log.h"
#include "sidecar/peer_client.h"

namespace tidemark::sidecar {

struct PeerRestoreOptions {
  std::vector<PeerEndpoint> peers;
  std::string token;                  // the set's token (peer_token.h); "" with a client cert
  std::optional<PeerTlsFiles> tls;    // for https:// peers (peer_client.h)
  int attempts = 3;                   // per replica, for a broken or refused transfer
  int64_t retry_delay_ms = 1000;
  int status_timeout_ms = 5000;
  int snapshot_timeout_ms = 10 * 60 * 1000;  // a disk-based sync saves whole before the first byte
};

// One candidate per peer, in the order given; a peer that does not answer, refuses, or whose
// Redis is not a replica is an ineligible candidate with the reason. Logs each peer's state.
std::vector<backup::RestoreCandidate> GatherPeerCandidates(const PeerRestoreOptions& options,
                                                           int64_t now_unix, JsonLog& log);

// Fetches `peer`'s snapshot into `layout` (InstallSnapshot with `replace`), up to
// options.attempts times. The last error when every attempt failed; nothing is installed then.
Result<InstallOutcome> InstallFromPeer(const PeerEndpoint& peer, const PeerRestoreOptions& options,
                                       const RedisLayout& layout,
                                       const std::vector<std::string>& replace,
                                       uint32_t max_rdb_version, int64_t now_unix,
                                       const std::string& aside_label, JsonLog& log, Clock& clock);

}  // namespace tidemark::sidecar
