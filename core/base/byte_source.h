// A pull-based stream of bytes: the one input abstraction of the core's parsers.
//
// Parsers read through a ByteSource so they never need a whole file in memory and never know
// whether the bytes come from a file, a socket or a test buffer. A pipeline that must do several
// things with the same bytes in one pass (hash, copy, verify) wraps a source so that each chunk
// is handed to its other stages as the parser pulls it (see TeeSource).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "core/base/error.h"

namespace tidemark {

// Bytes a source lends instead of copying them out (ByteSource::Lend).
struct LentBytes {
  std::span<const uint8_t> bytes;  // empty only at end of input
  // CRC-64 (core/format/crc64.h) of every byte of the stream before `bytes`, for sources that
  // checksum what they read anyway (on another thread: see io/prefetch_source.h). A source sets
  // it on every lend or on none.
  std::optional<uint64_t> crc64_before;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills a prefix of `out`; returns how many bytes were written, 0 only at end of input.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;

  // Zero-copy reading, for sources that hold the bytes in memory anyway (a read-ahead ring, a
  // buffer): true when Lend() may be called.
  virtual bool CanLend() const { return false; }
  // Lends the next bytes of the stream (at least one, none only at end of input) and counts
  // them as consumed. They stay valid until the next Lend() or Read() on this source, which
  // may reuse their memory. Only called when CanLend().
  virtual Result<LentBytes> Lend() {
    return MakeError(ErrorCode::kUnsupported, "this source cannot lend its bytes");
  }
};

// Reads from memory the caller owns; it must outlive the source.
class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(std::span<const uint8_t> data) : data_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = out.size() < data_.size() - pos_ ? out.size() : data_.size() - pos_;
    if (n) std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  bool CanLend() const override { return true; }
  Result<LentBytes> Lend() override {
    LentBytes lent{data_.subspan(pos_), std::nullopt};
    pos_ = data_.size();
    return lent;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Receives every chunk that passes through a TeeSource, in order.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Update(std::span<const uint8_t> chunk) = 0;
};

// Passes reads through from `inner` and hands each chunk to `sink` before returning it, so a
// consumer that pulls (a verifier) drives a consumer that is pushed to (a hash, a copy).
class TeeSource final : public ByteSource {
 public:
  TeeSource(ByteSource& inner, ByteSink& sink) : inner_(inner), sink_(sink) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    auto n = inner_.Read(out);
    if (!n || *n == 0) return n;
    if (auto s = sink_.Update(out.first(*n)); !s) return std::unexpected(s.error());
    return n;
  }
  bool CanLend() const override { return inner_.CanLend(); }
  Result<LentBytes> Lend() override {
    auto lent = inner_.Lend();
    if (!lent || lent->bytes.empty()) return lent;
    if (auto s = sink_.Update(lent->bytes); !s) return std::unexpected(s.error());
    return lent;
  }

 private:
  ByteSource& inner_;
  ByteSink& sink_;
};

}  // namespace tidemark
