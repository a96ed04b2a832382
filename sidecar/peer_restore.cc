#include "sidecar/peer_restore.h"

namespace tidemark::sidecar {

std::vector<backup::RestoreCandidate> GatherPeerCandidates(const PeerRestoreOptions& o,
                                                           int64_t now, JsonLog& log) {
  std::vector<backup::RestoreCandidate> out;
  for (const auto& peer : o.peers) {
    backup::RestoreCandidate c;
    c.kind = backup::CandidateKind::kReplica;
    c.id = peer.url;
    auto state = FetchPeerReplication(peer, {o.token, o.status_timeout_ms, o.tls});
    if (!state) {
      c.usable = false;
      c.unusable_why = state.error().ToString();
      log.Warn("replica not reachable for the restore", {LogField::Str("peer", peer.url),
                                                         LogField::Str("error", c.unusable_why)});
      out.push_back(c);
      continue;
    }
    log.Info("replica state", {LogField::Str("peer", peer.url), LogField::Str("role", state->role),
                               LogField::Str("replid", state->replid),
                               LogField::Int("offset", static_cast<int64_t>(state->offset)),
                               LogField::Str("link", state->link_status),
                               LogField::Int("link_down_seconds", state->link_down_seconds.value_or(-1)),
                               LogField::Int("keys", static_cast<int64_t>(state->keys))});
    c.keys = state->keys;
    c.repl_id = state->replid;
    c.repl_offset = state->offset;
    // What a replica holds is its primary's data as of the moment its link went down.
    if (state->link_down_seconds && *state->link_down_seconds >= 0)
      c.time = now - *state->link_down_seconds;
    else if (state->link_status == "up")
      c.time = now;
    if (!state->replica()) {
      c.usable = false;
      c.unusable_why = "its Redis is a " + state->role +
                       ", not a replica: a primary is never asked for a snapshot";
    }
    out.push_back(c);
  }
  return out;
}

Result<InstallOutcome> InstallFromPeer(const PeerEndpoint& peer, const PeerRestoreOptions& o,
                                       const RedisLayout& layout,
                                       const std::vector<std::string>& replace,
                                       uint32_t max_rdb_version, int64_t now,
                                       const std::string& aside_label, JsonLog& log,
                                       Clock& clock) {
  Error last{ErrorCode::kIo, peer.url, -1, "no attempt made"};
  for (int attempt = 1; attempt <= o.attempts; ++attempt) {
    if (attempt > 1) clock.SleepMillis(o.retry_delay_ms);
    auto snapshot = OpenPeerSnapshot(peer, {o.token, o.snapshot_timeout_ms, o.tls});
    if (!snapshot) {
      last = snapshot.error();
      log.Warn("replica snapshot refused or unreachable",
               {LogField::Str("peer", peer.url), LogField::Int("attempt", attempt),
                LogField::Str("error", last.ToString())});
      continue;
    }
    PeerSnapshot& s = **snapshot;
    ExpectedSnapshot expected;
    expected.max_rdb_version = max_rdb_version;
    expected.digest_at_ms = s.digest_at_ms();
    std::optional<std::string> dataset_digest;
    expected.confirm = [&](const std::string& sha256,
                           const std::optional<std::string>& digest) -> Status {
      // The hash of the bytes just verified and written, against the sender's: the proof that
      // they are the replica's snapshot, whole.
      if (!s.trailer())
        return MakeError(ErrorCode::kTruncated, "the snapshot ended without its trailer", -1,
                         peer.url);
      if (s.trailer()->sha256 != sha256)
        return MakeError(ErrorCode::kCorrupt,
                         "SHA-256 of the " + std::to_string(s.trailer()->size_bytes) +
                             " bytes received is " + sha256 + ", the sender's trailer says " +
                             s.trailer()->sha256 + ": changed in transit",
                         -1, peer.url);
      dataset_digest = digest;
      return {};
    };
    auto done = InstallSnapshot(s, peer.url + "/v1/snapshot", expected, layout, replace, now,
                                aside_label);
    if (done) {
      log.Info("replica snapshot received and verified",
               {LogField::Str("peer", peer.url), LogField::Int("attempt", attempt),
                LogField::Int("bytes", static_cast<int64_t>(s.trailer() ? s.trailer()->size_bytes : 0)),
                LogField::Str("sha256", s.trailer() ? s.trailer()->sha256 : ""),
                LogField::Str("dataset_digest", dataset_digest.value_or("")),
                LogField::Int("keys", static_cast<int64_t>(done->report.total_keys())),
                LogField::Int("repl_offset", static_cast<int64_t>(s.repl_offset()))});
      return done;
    }
    last = done.error();
    log.Warn("replica snapshot not installed", {LogField::Str("peer", peer.url),
                                                LogField::Int("attempt", attempt),
                                                LogField::Str("error", last.ToString())});
    // The data volume refusing writes fails every copy alike: no retry.
    if (last.code == ErrorCode::kIo && last.where.starts_with(layout.data_dir)) break;
  }
  return std::unexpected(last);
}

}  // namespace tidemark::sidecar
