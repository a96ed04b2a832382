// A Redis server's place in replication (INFO replication plus the key count of INFO keyspace):
// what `run` reports in /v1/status as "replication", and what the restore step of pod 0 reads
// from every peer's sidecar to find the freshest copy of the data (docs/sidecar.md, "A
// replication-aware restore"). A plain value; the JSON form is the /v1/status member.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/backup/replica_holdback.h"
#include "core/base/error.h"
#include "sidecar/redis_client.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::sidecar {

struct ReplicationState {
  std::string role;     // Redis's word: "master" or "slave"
  std::string replid;   // master_replid: the history the offset counts in
  uint64_t offset = 0;  // master_repl_offset: bytes of that history this server has applied
  // master_replid2 / second_repl_offset: the history this server continues (a promoted replica,
  // a primary that loaded a snapshot of a chain) and the first offset NOT in it; "" / -1 when none.
  std::string replid2;
  int64_t second_offset = -1;
  bool loading = false;  // INFO persistence loading:1 (still loading its data)
  // Replicas only (empty / absent on a primary):
  std::string master_host;
  int64_t master_port = 0;
  std::string link_status;                       // master_link_status: "up" or "down"
  std::optional<int64_t> last_io_seconds_ago;    // master_last_io_seconds_ago, while up
  std::optional<int64_t> link_down_seconds;      // master_link_down_since_seconds, while down
  uint64_t keys = 0;                             // every database's keys (INFO keyspace)
  // GET /v1/replication on pod 0 with --data-dir: the position of the snapshot its restore
  // step installed, from the restore record (restore_record.h); "" / -1 when none.
  std::string restored_replid;
  int64_t restored_offset = -1;

  bool replica() const { return role == "slave"; }
  // What the hold-back rule (core/backup/replica_holdback.h) compares.
  backup::ReplicationPosition Position() const;
};

// From the fields of INFO replication. Pure.
ReplicationState ReplicationFromInfo(const InfoFields& replication, uint64_t keys);

// INFO replication, INFO keyspace and INFO persistence (loading). kIo when Redis does not answer.
Result<ReplicationState> ReadReplicationState(RedisClient& redis);

// {"role":..,"replid":..,"offset":..,"replid2":..,"secondOffset":..,"loading":..,"masterHost":..,"masterPort":..,"linkStatus":..,
//  "lastIoSecondsAgo":..,"linkDownSeconds":..,"keys":..,"restoredFrom":{"replid","offset"}};
// absent values are null.
std::string RenderReplicationJson(const ReplicationState& state);

// The "replication" member of a sidecar's /v1/status or /v1/replication body. kCorrupt naming `where` when the body
// is not JSON or the member is missing, null (Redis unreachable) or malformed.
Result<ReplicationState> ParseStatusReplication(std::string_view status_body,
                                                const std::string& where);

}  // namespace tidemark::sidecar
