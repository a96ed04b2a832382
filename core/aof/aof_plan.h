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

#include "core/aof/aof_verifier.h"
#include "core/base/error.h"

namespace tidemark::aof {

enum class AofCutMode {
  kFixTruncatedTail,     // --fix: drop the unfinished last record(s) of the last file
  kTruncateToTimestamp,  // --truncate-to-timestamp T: drop everything after the first #TS > T
};

struct AofCutPlan {
  std::string file;            // the file to shorten (a report file name)
  uint64_t original_size = 0;
  uint64_t new_size = 0;       // keep bytes [0, new_size)
  std::string reason;          // one line: why this cut
};

// The cut for `report` (verified with options.truncate_after_timestamp = T for
// kTruncateToTimestamp). nullopt: nothing to cut. An error (kCorrupt or kInvalidArgument)
// explains why no safe cut exists.
Result<std::optional<AofCutPlan>> PlanAofCut(const AofReport& report, AofCutMode mode,
                                             std::optional<int64_t> timestamp = std::nullopt);

}  // namespace tidemark::aof
