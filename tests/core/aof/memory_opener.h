// An AofFileOpener over files held in memory, for unit tests.
#pragma once

#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "core/aof/aof_verifier.h"
#include "tests/core/aof/resp_cmd.h"

namespace tidemark::aof {

class MemoryOpener final : public AofFileOpener {
 public:
  std::map<std::string, std::string> files;
  Result<Opened> Open(const std::string& name, uint64_t offset) override {
    auto it = files.find(name);
    if (it == files.end()) return MakeError(ErrorCode::kNotFound, "no such file", -1, name);
    const std::string& data = it->second;
    Opened o;
    o.size = data.size();
    o.source = std::make_unique<SpanSource>(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(data.data()) + offset, data.size() - offset));
    return o;
  }
};

}  // namespace tidemark::aof
