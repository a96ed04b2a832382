// Builds RDB files and packed payloads byte by byte, for tests of formats and versions that
// Debian's redis-server (7.0) cannot write: ziplists, zipmaps, quicklist v1, old versions, and
// deliberately broken structures.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace tidemark::testing {

using Bytes = std::vector<uint8_t>;
using Element = std::variant<std::string, int64_t>;

Bytes Listpack(const std::vector<Element>& elements);
Bytes Ziplist(const std::vector<Element>& elements);
Bytes Intset(const std::vector<int64_t>& sorted, int width);
Bytes Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs);
// A module type's 64-bit id: its 9-character name in Redis's 6-bit alphabet, then the 10-bit
// encoding version. Written after the opcode as `.Op(0x81).Le(__builtin_bswap64(id), 8)`.
uint64_t ModuleTypeId(const std::string& name, int encoding_version);

class RdbBuilder {
 public:
  explicit RdbBuilder(int version);
  RdbBuilder& Op(uint8_t op) { out_.push_back(op); return *this; }
  RdbBuilder& Len(uint64_t n);
  RdbBuilder& Str(const std::string& s);
  RdbBuilder& Blob(const Bytes& b) { return Str(std::string(b.begin(), b.end())); }
  RdbBuilder& Raw(const Bytes& b) { out_.insert(out_.end(), b.begin(), b.end()); return *this; }
  RdbBuilder& Le(uint64_t v, int bytes);
  // EOF opcode and (version >= 5) the CRC-64, or zero when `checksum` is false.
  Bytes Finish(bool checksum = true);

 private:
  Bytes out_;
  int version_;
};

}  // namespace tidemark::testing
