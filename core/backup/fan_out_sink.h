// Hands every chunk to several sinks in order, stopping at the first error: one pass over a
// snapshot feeds the hash, the copy and any later stage (see DESIGN.md, "One pass").
#pragma once

#include <initializer_list>
#include <vector>

#include "core/base/byte_source.h"

namespace tidemark::backup {

class FanOutSink final : public ByteSink {
 public:
  // The sinks must outlive this object.
  FanOutSink(std::initializer_list<ByteSink*> sinks) : sinks_(sinks) {}
  Status Update(std::span<const uint8_t> chunk) override {
    for (ByteSink* s : sinks_)
      if (auto st = s->Update(chunk); !st) return st;
    return {};
  }

 private:
  std::vector<ByteSink*> sinks_;
};

}  // namespace tidemark::backup
