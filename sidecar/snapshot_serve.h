// `GET /v1/snapshot` on a replica's sidecar: a fresh snapshot of its Redis for the restore step
// of pod 0 (wire format: snapshot_transfer.h).
//
// Only a replica serves one: a BGSAVE forks Redis, which a serving primary should not pay for a
// copy that exists elsewhere, and a primary's snapshot is what its own backups are for. The
// steps: its own connection to Redis (the `run` loop's is not shared across threads), INFO
// replication (409 on a primary), BGSAVE waited and checked (redis_persistence.h), the dump
// opened (the open descriptor keeps these bytes even if a later save replaces the file), then
// one pass over it while it is sent: SHA-256, full RDB verification and the dataset digest ride
// on the bytes going out, and the trailer carries their results. Memory: the verifier's buffer
// plus the server's bounded send buffer. One snapshot at a time per sidecar (409 otherwise).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "sidecar/clock.h"
#include "sidecar/http_server.h"
#include "sidecar/json_log.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

struct SnapshotServeOptions {
  RedisEndpoint endpoint;
  std::optional<std::string> password_file;
  std::optional<std::string> data_dir;  // where Redis's dir is seen from the sidecar
  int64_t bgsave_timeout_ms = 30 * 60 * 1000;
};

class SnapshotServer {
 public:
  // `log` and `clock` must outlive this object. Thread-safe.
  SnapshotServer(SnapshotServeOptions options, JsonLog& log, Clock& clock)
      : options_(std::move(options)), log_(log), clock_(clock) {}

  // The response to an authorized GET /v1/snapshot: 200 with a streamed body, or 409 (a
  // primary; another snapshot in progress), 503 (Redis unreachable), 500 (the save failed).
  HttpResponse Serve();

  // GET /v1/replication: {"replication": ReplicationState} read now over its own connection
  // (the `run` loop's copy in /v1/status may be a second old; the restore step ranks by this).
  // 503 when Redis does not answer.
  HttpResponse Replication();

 private:
  Result<RedisClient> Connect();

  SnapshotServeOptions options_;
  JsonLog& log_;
  Clock& clock_;
  std::atomic<bool> busy_{false};
};

}  // namespace tidemark::sidecar
