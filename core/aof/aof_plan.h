// Where to cut an AOF, decided from a verification report: the pure half of
// `tidemark verify aof --fix` and `--truncate-to-timestamp`. The caller does the I/O (keep the
// original bytes, write the shortened file atomically).
//
// The safety rules, for both modes: only the last file Redis loads is ever cut (cutting an
// earlier one would leave later files applying writes on a state they were not written
// against), and nothing is cut when a file has corruption that is not at its tail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/aof/aof_verifier.h"
#include "core/base/error.h"

namespace tidemark::aof {

enum class AofCutMode {
  kFixTruncatedTail,     // --fix: drop the unfinished last record(s) of the last file
  kTruncateToTimestamp,  // --truncate-to-timestamp T: drop everything after the first #TS > T
  // The restore step's point-in-time restore: like kTruncateToTimestamp, but the cut may fall
  // in an earlier file (the later files, entirely after it, leave the manifest: the caller
  // rewrites it), and only when the files prove they hold the state at T: the base was written
  // at or before T (RDB preamble ctime, or the #TS an AOF-format base starts with) and every
  // command after it can be placed in time. Commands before the first #TS after the base
  // happened between the base's time and that #TS; they are accepted only when T is not
  // earlier than that #TS (they may be timestamps that were switched on late).
  kRewindToTimestamp,
};

struct AofCutPlan {
  std::string file;            // the file to shorten (a report file name)
  uint64_t original_size = 0;
  uint64_t new_size = 0;       // keep bytes [0, new_size)
  std::string reason;          // one line: why this cut
  std::vector<std::string> later_files;  // kRewindToTimestamp: files after `file`, all dropped
};

// The cut for `report` (verified with options.truncate_after_timestamp = T for the timestamp
// modes). nullopt: nothing to cut. An error (kCorrupt or kInvalidArgument)
// explains why no safe cut exists.
Result<std::optional<AofCutPlan>> PlanAofCut(const AofReport& report, AofCutMode mode,
                                             std::optional<int64_t> timestamp = std::nullopt);

}  // namespace tidemark::aof
