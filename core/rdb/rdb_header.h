// The head of an RDB file: its version and the AUX fields Redis writes before the first
// database, read without walking the data (one read buffer at most, whatever the file's size).
// What the restore step needs of a dump.rdb Redis wrote at shutdown: its `repl-id` /
// `repl-offset` (docs/sidecar.md, "The replicas' hold-back"). Says nothing about the rest of the
// file: verify it with VerifyRdb (rdb_verifier.h) before trusting its content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"

namespace tidemark {

struct RdbHeader {
  uint32_t rdb_version = 0;
  std::vector<std::pair<std::string, std::string>> aux;  // in file order; integers as decimal text

  std::optional<std::string> Aux(std::string_view key) const;
};

// Reads "REDIS" + 4-digit version and the AUX fields that follow, stopping at the first other
// opcode. kCorrupt / kTruncated naming `name` and the offset otherwise; kUnsupported
// for a version newer than `max_version`.
Result<RdbHeader> ReadRdbHeader(ByteSource& source, const std::string& name,
                                uint32_t max_version = 12);

namespace rdb {
class RdbInput;
// The first 9 bytes of an RDB ("REDIS" + 4 digits), already read from `in` (for its errors):
// `version` is set once the digits parse, also when the version is refused as newer than
// `max_version` (or the newest known).
Status ParseRdbMagic(const RdbInput& in, const uint8_t (&magic)[9], uint32_t max_version,
                     uint32_t& version);
}  // namespace rdb

}  // namespace tidemark
