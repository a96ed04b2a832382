#include "core/format/lzf.h"

#include <liblzf/lzf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tidemark {

Status LzfChecker::Update(std::span<const uint8_t> chunk, size_t* bad_at) {
  size_t i = 0;
  const size_t n = chunk.size();
  while (i < n) {
    switch (state_) {
      case State::kControl: {
        uint8_t c = chunk[i++];
        if (c < 32) {
          literal_left_ = c + 1u;
          // Checked here, at the control byte, so the reported position does not depend on
          // where the input happens to be split into chunks.
          if (produced_ + literal_left_ > expected_) {
            *bad_at = i - 1;
            return MakeError(ErrorCode::kCorrupt, "LZF literal runs past the stored length of " +
                                                      std::to_string(expected_) + " bytes");
          }
          produced_ += literal_left_;
          state_ = State::kLiteral;
        } else {
          ref_len_ = c >> 5;
          ref_high_ = c & 0x1f;
          state_ = ref_len_ == 7 ? State::kRefExtraLen : State::kRefLow;
        }
        break;
      }
      case State::kLiteral: {
        size_t take = std::min<size_t>(literal_left_, n - i);
        literal_left_ -= static_cast<uint32_t>(take);
        i += take;
        if (literal_left_ == 0) state_ = State::kControl;
        break;
      }
      case State::kRefExtraLen:
        ref_len_ += chunk[i++];
        state_ = State::kRefLow;
        break;
      case State::kRefLow: {
        uint64_t back = ((uint64_t{ref_high_} << 8) | chunk[i]) + 1;
        uint64_t len = ref_len_ + 2u;
        if (back > produced_) {
          *bad_at = i;
          return MakeError(ErrorCode::kCorrupt, "LZF back reference " + std::to_string(back) +
                                                    " bytes before the start of the output (" +
                                                    std::to_string(produced_) + " bytes so far)");
        }
        if (produced_ + len > expected_) {
          *bad_at = i;
          return MakeError(ErrorCode::kCorrupt, "LZF back reference runs past the stored length of " +
                                                    std::to_string(expected_) + " bytes");
        }
        produced_ += len;
        ++i;
        state_ = State::kControl;
        break;
      }
    }
  }
  return {};
}

Status LzfChecker::Finish() const {
  if (state_ != State::kControl)
    return MakeError(ErrorCode::kCorrupt, "LZF stream ends inside a run");
  if (produced_ != expected_ || expected_ == 0)
    return MakeError(ErrorCode::kCorrupt, "LZF data decompresses to " + std::to_string(produced_) +
                                              " bytes, expected " + std::to_string(expected_));
  return {};
}

LzfStreamDecoder::LzfStreamDecoder(uint64_t expected_output, Output out)
    : checker_(expected_output), out_(std::move(out)), window_(kHistory + kSpan) {}

void LzfStreamDecoder::Drain() {
  out_({window_.data() + shown_, fill_ - shown_});
  if (fill_ > kHistory) {
    std::memmove(window_.data(), window_.data() + fill_ - kHistory, kHistory);
    fill_ = kHistory;
  }
  shown_ = fill_;
}

Status LzfStreamDecoder::Update(std::span<const uint8_t> chunk, size_t* bad_at) {
  if (auto s = checker_.Update(chunk, bad_at); !s) return s;
  // The checker passed every run begun in this chunk: lengths and references are in range.
  size_t i = 0;
  const size_t n = chunk.size();
  while (i < n) {
    switch (state_) {
      case State::kControl: {
        const uint8_t c = chunk[i++];
        if (c < 32) {
          literal_left_ = c + 1u;
          state_ = State::kLiteral;
        } else {
          ref_len_ = c >> 5;
          ref_high_ = c & 0x1f;
          state_ = ref_len_ == 7 ? State::kRefExtraLen : State::kRefLow;
        }
        break;
      }
      case State::kLiteral: {
        if (fill_ == window_.size()) Drain();
        const size_t take = std::min({size_t{literal_left_}, n - i, window_.size() - fill_});
        std::memcpy(window_.data() + fill_, chunk.data() + i, take);
        fill_ += take;
        i += take;
        literal_left_ -= static_cast<uint32_t>(take);
        if (literal_left_ == 0) state_ = State::kControl;
        break;
      }
      case State::kRefExtraLen:
        ref_len_ += chunk[i++];
        state_ = State::kRefLow;
        break;
      case State::kRefLow: {
        const size_t back = ((size_t{ref_high_} << 8) | chunk[i++]) + 1;
        const size_t len = ref_len_ + 2u;
        if (window_.size() - fill_ < len) Drain();  // after a drain kHistory bytes remain, enough
        uint8_t* dst = window_.data() + fill_;
        if (back >= len) {
          std::memcpy(dst, dst - back, len);
        } else {
          for (size_t k = 0; k < len; ++k) dst[k] = dst[k - back];  // overlapping: a repeat
        }
        fill_ += len;
        state_ = State::kControl;
        break;
      }
    }
  }
  return {};
}

Status LzfStreamDecoder::Finish() {
  if (auto s = checker_.Finish(); !s) return s;
  if (fill_ > shown_) out_({window_.data() + shown_, fill_ - shown_});
  shown_ = fill_;
  return {};
}

Status LzfDecompress(std::span<const uint8_t> compressed, size_t expected_len,
                     std::vector<uint8_t>& out, size_t* bad_at) {
  // Debian's liblzf reads past the end of its input on some malformed streams (seen as a
  // segfault in tests/core/format/lzf_test.cc): it only ever sees a stream the checker passed.
  LzfChecker checker(expected_len);
  size_t bad = 0;
  if (bad_at) *bad_at = 0;
  if (auto s = checker.Update(compressed, &bad); !s) {
    if (bad_at) *bad_at = bad;
    return s;
  }
  if (auto s = checker.Finish(); !s) return s;
  out.resize(expected_len);
  unsigned got = lzf_decompress(compressed.data(), static_cast<unsigned>(compressed.size()),
                                out.data(), static_cast<unsigned>(expected_len));
  if (got != expected_len)
    return MakeError(ErrorCode::kCorrupt,
                     got == 0 ? std::string("LZF data does not decompress (") +
                                    (errno == E2BIG ? "output overrun" : "bad reference or input overrun") + ")"
                              : "LZF data decompresses to " + std::to_string(got) +
                                    " bytes, expected " + std::to_string(expected_len));
  return {};
}

}  // namespace tidemark
