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
#include <functional>
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

// Decompresses an LZF stream chunk by chunk in constant memory, for values too large to hold:
// a back reference reaches at most 8 KiB back, so the output is kept in a window of that much
// history plus a span handed to `out` whenever it fills (and the rest at Finish). Each chunk is
// first checked by an LzfChecker, with its messages and offsets, before a byte of it is decoded,
// so malformed input never drives the decoder; output already handed over stays valid data.
class LzfStreamDecoder {
 public:
  using Output = std::function<void(std::span<const uint8_t>)>;
  static constexpr size_t kHistory = 8192;       // the farthest a back reference reaches
  static constexpr size_t kSpan = size_t{64} << 10;  // output handed over at a time

  LzfStreamDecoder(uint64_t expected_output, Output out);
  // The next chunk of compressed bytes; on error, *bad_at is the index in this chunk.
  Status Update(std::span<const uint8_t> chunk, size_t* bad_at);
  // All input fed: checks the length (LzfChecker::Finish) and hands over the rest of the output.
  Status Finish();

 private:
  void Drain();  // hands over what is not handed over yet, keeps kHistory bytes

  LzfChecker checker_;
  Output out_;
  std::vector<uint8_t> window_;  // [0, fill_): output, of which [0, shown_) was handed over
  size_t fill_ = 0, shown_ = 0;
  enum class State { kControl, kLiteral, kRefExtraLen, kRefLow } state_ = State::kControl;
  uint32_t literal_left_ = 0, ref_len_ = 0, ref_high_ = 0;
};

// Decompresses a whole compressed string with liblzf into `out` (resized to `expected_len`),
// after LzfChecker has passed the stream (liblzf itself is not safe on malformed input). On a
// malformed stream, *bad_at (when given) is the index of the offending compressed byte, or 0
// when the stream as a whole has the wrong length, as LzfChecker reports them.
Status LzfDecompress(std::span<const uint8_t> compressed, size_t expected_len,
                     std::vector<uint8_t>& out, size_t* bad_at = nullptr);

}  // namespace tidemark
