// The replicas' hold-back (docs/sidecar.md, "The replicas' hold-back"): while pod 0 is away, a
// replica must not full-resync from a primary that came back empty or older, which would flush
// everything the replica holds. Run by `tidemark-sidecar run` on a replica (--primary-peer).
//
// The state lives in Redis, not here: a held replica is one whose Redis follows the placeholder
// (REPLICAOF towards an address where nothing answers: it stays a read-only replica with its
// data, replication ID and offset; never REPLICAOF NO ONE, which would make it a writable
// primary). So a restarted sidecar picks up where the last one was. Each step:
//   - following pod 0, link up: nothing to do;
//   - following pod 0, link not up, keys held, not re-pointed by this guard: held at once (before
//     pod 0 can answer again), then judged like below;
//   - following pod 0 after this guard re-pointed it, link not up yet (the sync in progress):
//     pod 0 is judged again each check, and the replica held if the judgement changes;
//   - held: pod 0's sidecar is asked (GET /v1/replication with the set's token) at most once per
//     check interval, and the rule of core/backup/replica_holdback.h decides: follow (REPLICAOF
//     pod 0), wait (pod 0 unreachable, loading, not a primary), or older (stays held; reported
//     for the operator's Degraded with both positions);
//   - following anything else, or a primary itself: left alone, reported as "unmanaged".
// A replica whose own Redis restarted from its AOF (Redis forgot its replication ID and offset)
// is judged by the position its restore step recorded (SetRecordedPosition; the rule is
// backup::PositionToJudge).
// Single-threaded: the `run` loop's thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/error.h"
#include "sidecar/clock.h"
#include "sidecar/json_log.h"
#include "sidecar/peer_client.h"
#include "sidecar/redis_client.h"
#include "sidecar/replication_state.h"

namespace tidemark::sidecar {

struct ReplicaGuardOptions {
  PeerEndpoint primary_peer;  // pod 0's sidecar
  std::string primary_host;   // pod 0's Redis, as REPLICAOF names it
  int primary_port = 6379;
  // Loopback port 1: refused at once, inside the pod's own network namespace.
  std::string placeholder_host = "127.0.0.1";
  int placeholder_port = 1;
  std::string token;  // the set's token (peer_token.h), sent to pod 0's sidecar; "" none
  std::optional<PeerTlsFiles> tls;  // for an https:// primary_peer (peer_client.h)
  int64_t check_interval_ms = 1000;
  int timeout_ms = 2000;
};

class ReplicaGuard {
 public:
  // `log` and `clock` must outlive the guard.
  ReplicaGuard(ReplicaGuardOptions options, JsonLog& log, Clock& clock)
      : options_(std::move(options)), log_(log), clock_(clock) {}

  // The position the restore step recorded for the data this replica's Redis loaded, still
  // current (aof_position.h CurrentRecordedPosition), or nullopt. Set on each connection to Redis.
  void SetRecordedPosition(std::optional<backup::DataPosition> position) {
    recorded_ = std::move(position);
  }

  // One step, `own` being this replica's state just read from `redis`. May send REPLICAOF;
  // kIo when Redis does not answer (the caller reconnects).
  Status Step(RedisClient& redis, const ReplicationState& own);

  // {"state":"following|held|unmanaged","heldBack":bool,"primaryOlder":bool,"reason":..,
  //  "since":..,"replica":<replication>,"primary":<replication>|null}
  std::string StatusJson() const;

 private:
  enum class State { kUnknown, kFollowing, kHeld, kUnmanaged };
  // REPLICAOF host port: false when Redis refused it (logged), kIo when it does not answer.
  Result<bool> PointAt(RedisClient& redis, const std::string& host, int port);
  // Asks pod 0 and decides; sets primary_, older_ and the reason.
  backup::HoldbackVerdict JudgePod0(const ReplicationState& own);
  void Report(State state, std::string reason);

  ReplicaGuardOptions options_;
  JsonLog& log_;
  Clock& clock_;
  bool released_ = false;  // this guard re-pointed Redis at pod 0 and the link was not up since
  int64_t next_check_ms_ = 0;
  // Reported.
  State state_ = State::kUnknown;
  std::string reason_;
  int64_t since_unix_ = 0;
  bool older_ = false;
  std::optional<ReplicationState> own_, primary_;
  std::optional<backup::DataPosition> recorded_;
};

}  // namespace tidemark::sidecar
