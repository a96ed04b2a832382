// `GET /v1/snapshot` on a replica's sidecar: a fresh snapshot of its Redis for the restore step
// of pod 0 (wire format: snapshot_transfer.h).
//
// Only a replica serves one: a snapshot forks Redis, which a serving primary should not pay for
// a copy that exists elsewhere, and a primary's snapshot is what its own backups are for. The
// steps: its own connection to Redis (the `run` loop's is not shared across threads), INFO
// replication (409 on a primary), then the snapshot, whose bytes are forwarded as they are read,
// hashed (SHA-256) on the way; the trailer carries the hash. The snapshot comes from:
//   - an rdb-only SYNC on that connection (rdb_sync.h) while the replica's link to its primary
//     is up: Redis's child produces it, and with `repl-diskless-sync yes` its bytes leave over
//     a pipe while it writes them (with `no`, Redis sends its dump file once written);
//   - otherwise a BGSAVE, whose child's temp file is read while the child writes it, the end
//     proven by the save's status and the final file's inode (bgsave_follow.h); when that file
//     cannot be found, the save waited for and then its dump file. Redis refuses SYNC from a
//     replica whose link is down (NOMASTERLINK), and that is the usual state when pod 0 is
//     being restored.
// No parsing or digest here: the receiver does both in its own pass. Memory: one forwarding
// buffer plus the server's bounded send buffer. One snapshot at a time per sidecar (409
// otherwise).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "core/base/byte_source.h"
#include "sidecar/clock.h"
#include "sidecar/growing_file.h"
#include "sidecar/http_server.h"
#include "sidecar/json_log.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

struct SnapshotServeOptions {
  RedisEndpoint endpoint;
  std::optional<std::string> password_file;
  std::optional<std::string> data_dir;  // where Redis's dir is seen from the sidecar
  int64_t bgsave_timeout_ms = 30 * 60 * 1000;  // until Redis starts sending the snapshot
};

class SnapshotServer {
 public:
  // `log` and `clock` must outlive this object. Thread-safe.
  SnapshotServer(SnapshotServeOptions options, JsonLog& log, Clock& clock)
      : options_(std::move(options)), log_(log), clock_(clock) {}

  // The response to an authorized GET /v1/snapshot: 200 with a streamed (chunked) body, or 409
  // (a primary; another snapshot in progress), 503 (Redis unreachable), 500 (the save failed).
  HttpResponse Serve();

  // GET /v1/replication: {"replication": ReplicationState} read now over its own connection
  // (the `run` loop's copy in /v1/status may be a second old; the restore step ranks by this).
  // 503 when Redis does not answer.
  HttpResponse Replication();

 private:
  struct SnapshotSource {
    // "sync-diskless", "sync-disk", "bgsave-streamed" (the child's file as it grows), "bgsave"
    // (the save waited for, then its dump file), for logs
    std::string kind;
    std::unique_ptr<ByteSource> bytes;
    GrowingFileSource* growing = nullptr;  // inside `bytes` for "bgsave-streamed"
  };
  Result<RedisClient> Connect();
  // An rdb-only SYNC while the replica's link is up; otherwise (Redis refuses SYNC then) a
  // BGSAVE waited for and its dump file.
  Result<std::unique_ptr<SnapshotSource>> OpenSnapshot(RedisClient redis, bool link_up);
  Result<std::unique_ptr<SnapshotSource>> OpenSavedSnapshot(RedisClient redis);

  SnapshotServeOptions options_;
  JsonLog& log_;
  Clock& clock_;
  std::atomic<bool> busy_{false};
};

}  // namespace tidemark::sidecar
