// LZF as Redis uses it for compressed strings in RDB files.
//
// Stream format (the facts liblzf implements): a sequence of runs, each starting with a control
// byte c. c < 32: a literal of c+1 bytes follows. Otherwise a back reference: length
// L = (c >> 5), if L == 7 one more byte is added to it; then one byte low offset; it copies
// L + 2 bytes starting ((c & 0x1f) << 8 | low) + 1 bytes back in the output.
// Redis refuses a compressed string whose decompressed size differs from the stored length, or
// is zero.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark {

// Checks an LZF stream without producing its output, chunk by chunk, so a value of any size is
// validated in constant memory. Equivalent to liblzf's own checks (input overrun, output overrun,
// reference before the start) plus Redis's length check.
class LzfChecker {
 public:
  explicit LzfChecker(uint64_t expected_output) : expected_(expected_output) {}
  // Feeds the next chunk of compressed bytes. On error, *bad_at is the index in this chunk.
  Status Update(std::span<const uint8_t> chunk, size_t* bad_at);
  // All input fed: the output length must be exactly the expected one.
  Status Finish() const;

 private:
  uint64_t expected_;
  uint64_t produced_ = 0;
  // Parser state across chunk boundaries.
  enum class State { kControl, kLiteral, kRefExtraLen, kRefLow } state_ = State::kControl;
  uint32_t literal_left_ = 0;
  uint32_t ref_len_ = 0;
  uint32_t ref_high_ = 0;
};

// Decompresses a whole compressed string with liblzf into `out` (resized to `expected_len`),
// after LzfChecker has passed the stream (liblzf itself is not safe on malformed input). On a
// malformed stream, *bad_at (when given) is the index of the offending compressed byte, or 0
// when the stream as a whole has the wrong length, as LzfChecker reports them.
Status LzfDecompress(std::span<const uint8_t> compressed, size_t expected_len,
                     std::vector<uint8_t>& out, size_t* bad_at = nullptr);

}  // namespace tidemark
