#include "core/backup/replica_holdback.h"

#include <algorithm>

namespace tidemark::backup {

namespace {

// Redis prints an unset secondary ID as forty zeros.
bool HasReplid2(const ReplicationPosition& p) {
  return !p.replid2.empty() && p.second_offset > 0 &&
         std::any_of(p.replid2.begin(), p.replid2.end(), [](char c) { return c != '0'; });
}

}  // namespace

ReplicationPosition PositionToJudge(const ReplicationPosition& own,
                                    const std::optional<DataPosition>& recorded, bool* substituted) {
  const bool fresh_from_aof = own.role == "slave" && own.offset == 0 && !HasReplid2(own);
  const bool use = recorded && fresh_from_aof && own.replid != recorded->replid;
  if (substituted) *substituted = use;
  if (!use) return own;
  ReplicationPosition p = own;
  p.replid = recorded->replid;
  p.offset = recorded->offset;
  return p;
}

std::string DescribePosition(const ReplicationPosition& p) {
  std::string out = "replid " + p.replid + " offset " + std::to_string(p.offset);
  if (HasReplid2(p))
    out += ", replid2 " + p.replid2 + " up to offset " + std::to_string(p.second_offset - 1);
  if (p.restored_offset >= 0)
    out += ", restored from a snapshot at replid " + p.restored_replid + " offset " +
           std::to_string(p.restored_offset);
  return out + ", " + std::to_string(p.keys) + " keys";
}

HoldbackDecision JudgePrimary(const ReplicationPosition& replica,
                              const ReplicationPosition& primary) {
  const std::string both =
      " (pod 0: " + DescribePosition(primary) + "; this replica: " + DescribePosition(replica) + ")";
  if (replica.keys == 0)
    return {HoldbackVerdict::kFollow, "this replica holds no keys: it simply syncs from pod 0" + both};
  if (primary.role != "master")
    return {HoldbackVerdict::kWait, "pod 0's Redis is not a primary (role " + primary.role + ")" + both};
  if (primary.loading)
    return {HoldbackVerdict::kWait, "pod 0's Redis is still loading its data" + both};
  if (primary.replid == replica.replid) {
    if (primary.offset >= replica.offset)
      return {HoldbackVerdict::kFollow, "pod 0 is on this replica's history and as far or further" + both};
    return {HoldbackVerdict::kOlder, "pod 0 is on this replica's history but behind it" + both};
  }
  if (HasReplid2(primary) && primary.replid2 == replica.replid) {
    if (static_cast<uint64_t>(primary.second_offset - 1) >= replica.offset)
      return {HoldbackVerdict::kFollow,
              "pod 0 continues this replica's history from a snapshot as far or further" + both};
    return {HoldbackVerdict::kOlder,
            "pod 0 was restored from an older snapshot of this replica's history" + both};
  }
  if (primary.restored_offset >= 0 && primary.restored_replid == replica.replid) {
    if (static_cast<uint64_t>(primary.restored_offset) >= replica.offset)
      return {HoldbackVerdict::kFollow,
              "pod 0 was restored from a snapshot of this replica's history as far or further; "
              "its Redis no longer knows that history's ID (AOF on), so this replica syncs in "
              "full from data that holds all of its own" + both};
    return {HoldbackVerdict::kOlder,
            "pod 0 was restored from an older snapshot of this replica's history" + both};
  }
  return {HoldbackVerdict::kOlder,
          "pod 0 does not hold this replica's history: it started empty or from another copy" + both};
}

}  // namespace tidemark::backup
