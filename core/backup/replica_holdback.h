// Whether a replica whose link to pod 0 was lost may follow pod 0 again (docs/sidecar.md, "The
// replicas' hold-back"). Following a primary whose history does not contain the replica's makes
// Redis full-resync: the replica flushes everything it holds and loads the primary's (maybe
// empty, maybe hours old) dataset. So a replica is re-pointed only at a primary that is "not
// older": it continues the replica's replication history at least as far as the replica got.
// Pure: both states come in as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tidemark::backup {

// What the rule needs of one Redis's INFO replication (plus its key count and loading flag).
struct ReplicationPosition {
  std::string role;             // "master" or "slave"
  std::string replid;           // master_replid
  uint64_t offset = 0;          // master_repl_offset
  std::string replid2;          // master_replid2 ("" or all zeros: none)
  int64_t second_offset = -1;   // second_repl_offset: first byte NOT in replid2's history; -1 none
  uint64_t keys = 0;
  bool loading = false;
  // Pod 0 only: the position of the snapshot its restore step installed (the RDB's
  // repl-id/repl-offset, kept in pod 0's restore record), its data descending from it. With AOF
  // on, Redis forgets that position when it loads (a new ID, no replid2), so this is the only
  // trace that pod 0 holds a replica's history. "" / -1: none.
  std::string restored_replid;
  int64_t restored_offset = -1;
};

// A replication position a Redis no longer knows itself: the data it loaded is exactly that
// history up to that offset (its restore record, shutdown_position.h).
struct DataPosition {
  std::string replid;
  uint64_t offset = 0;
};

enum class HoldbackVerdict {
  kFollow,  // pod 0 holds at least what this replica holds on the same history: re-point
  kWait,    // pod 0 cannot be judged yet (not a primary, still loading): stay held
  kOlder,   // pod 0 started empty or from an older copy: stay held, report Degraded
};

struct HoldbackDecision {
  HoldbackVerdict verdict = HoldbackVerdict::kWait;
  std::string reason;  // one sentence naming both positions
};

// `replica`: this replica's own position; `primary`: pod 0's, read from its sidecar.
// A replica holding no keys has nothing to lose and follows (it simply syncs). Otherwise:
// primary.replid == replica.replid with primary.offset >= replica.offset, or
// primary.replid2 == replica.replid with primary.second_offset - 1 >= replica.offset (a primary
// that loaded a snapshot of this history, e.g. restored from this replica, keeps that history as
// its secondary ID up to the snapshot's offset, and Redis accepts a partial resync from there);
// or primary.restored_replid == replica.replid with primary.restored_offset >= replica.offset
// (pod 0 restored from a snapshot that holds this replica's data but, AOF on, no longer knows
// its ID: the replica follows by a full resync, which replaces its data with pod 0's, a
// superset).
HoldbackDecision JudgePrimary(const ReplicationPosition& replica,
                              const ReplicationPosition& primary);

// The position a replica is judged by. A replica whose Redis restarted from its AOF knows neither
// its replication ID nor its offset (a new ID, offset 0, no replid2): judged by that, it would
// look older than any pod 0, itself included, and stay held for ever. `recorded` is the position
// its restore step recorded for the data Redis loaded (the shutdown save's, still current:
// shutdown_position.h); it stands in for Redis's own while Redis shows that fresh-from-AOF state
// (a sync since gives Redis a real ID and offset, and rewrites the AOF). Otherwise `own`.
// `substituted` (optional) says which.
ReplicationPosition PositionToJudge(const ReplicationPosition& own,
                                    const std::optional<DataPosition>& recorded,
                                    bool* substituted = nullptr);

// "replid <id> offset <n>" (and "replid2 <id> up to <n>" when set), for reasons and logs.
std::string DescribePosition(const ReplicationPosition& position);

}  // namespace tidemark::backup
