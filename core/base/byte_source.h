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
#include <span>

#include "core/base/error.h"

namespace tidemark {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills a prefix of `out`; returns how many bytes were written, 0 only at end of input.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
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

 private:
  ByteSource& inner_;
  ByteSink& sink_;
};

}  // namespace tidemark
