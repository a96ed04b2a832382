// Restore as a ranked choice: which data should the Redis of this pod start from?
//
// Candidates are the data already on the volume ("local"), each backup in the store and, for
// pod 0 of a replicated set whose own data is missing or unusable, each replica (its state as
// its sidecar reports it; its bytes are a fresh snapshot fetched on demand). The
// planner ranks them and explains the ranking; the caller tries them in that order (verifying
// each backup's bytes before installing it) and logs the reasons. Ranking:
//   ineligible  local data that does not verify; an RDB version newer than the server loads;
//               a backup other than the one the policy pins; backups when restores are off.
//   1. unless allow_empty, a non-empty candidate before an empty one (the refuse-empty guard:
//      an empty data set never wins over real data, though it is never deleted either);
//   2. fresher first: on the same replication history (equal replication IDs) the higher
//      offset; otherwise the later time (a replica's time is when its link to the primary went
//      down: what it holds is the primary's data as of then);
//   3. local data before a backup (nothing to copy), then by name, newest first.
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::backup {

enum class CandidateKind { kLocal, kBackup, kReplica };

struct RestoreCandidate {
  CandidateKind kind = CandidateKind::kBackup;
  std::string id;            // backup name, a replica's sidecar URL, or the local data's path
  bool usable = true;        // local: the files verify (or a safe repair exists); replica: its
                             // sidecar answered and its Redis is a replica
  std::string unusable_why;  // when !usable
  std::optional<int64_t> time;  // backup: created; local: the snapshot's ctime or file mtime
  uint64_t keys = 0;
  std::optional<std::string> repl_id;
  std::optional<uint64_t> repl_offset;
  uint32_t rdb_version = 0;  // 0 when not an RDB (an AOF without preamble)
};

struct RestoreChoiceOptions {
  uint32_t max_rdb_version = 12;
  bool allow_empty = false;
  bool backups_allowed = true;               // policy restore.when != never
  std::optional<std::string> pinned_backup = std::nullopt;  // policy restore.source.backupName
};

struct RankedCandidate {
  size_t index = 0;  // into the candidates given
  bool eligible = false;
  std::string reason;  // why it is here: "newest non-empty backup", "not the pinned backup", ...
};

// Eligible candidates first, best first; then the ineligible ones with their reasons.
std::vector<RankedCandidate> RankRestoreCandidates(const std::vector<RestoreCandidate>& candidates,
                                                   const RestoreChoiceOptions& options);

}  // namespace tidemark::backup
