// Verifying a live AOF as Redis appends to it, reading only the bytes added since the last
// check: the sidecar's early warning that the AOF it would restore from went bad.
//
// Each Check reads the manifest of the appendonlydir; a base file not seen before is verified
// once, whole (it only changes with a rewrite); the last incremental file is verified from the
// end of the last whole record seen before (a record boundary outside MULTI...EXEC, so the
// verifier restarts in a clean state). A tail that ends inside a record is Redis mid-write: not a
// problem, the next check starts at the same boundary. A corrupt record is reported once, with
// the file and offset, until a rewrite starts new files. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/error.h"

namespace tidemark::sidecar {

struct AofWatchResult {
  uint64_t bytes_verified = 0;       // new bytes verified by this check
  std::optional<Error> new_problem;  // reported the first time it is seen
};

class AofWatcher {
 public:
  // `aof_dir` holds the manifest `manifest_name`. kIo/kNotFound when the manifest cannot be read
  // (AOF off, or being rewritten: try again later); a manifest that does not parse is a problem.
  Result<AofWatchResult> Check(const std::string& aof_dir, const std::string& manifest_name);

  uint64_t verified_offset() const { return offset_; }
  const std::optional<Error>& problem() const { return problem_; }

 private:
  std::string base_;    // base file verified last
  std::string incr_;    // incremental file being followed
  uint64_t offset_ = 0; // end of the last whole record verified in incr_
  std::optional<Error> problem_;
  std::string problem_file_;
};

}  // namespace tidemark::sidecar
