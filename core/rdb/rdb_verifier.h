// Streaming verification of RDB files (Redis persistence snapshots), RDB versions 1 to 12.
//
// One pass, front to back, memory independent of the file size: values are checked as they
// stream past (LZF streams, listpacks, ziplists, intsets, zipmaps, streams, module values), and
// only an 8-byte hash per key is kept for the duplicate-key check of each database. A file is
// reported valid only when redis-server would load it intact: besides the format, that means no
// duplicate keys, no empty collections (Redis silently drops them), and a matching CRC-64.
//
// Thread-compatible: one verification per call, no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "core/base/parallel.h"
#include "core/rdb/value_visitor.h"

namespace tidemark {

enum class RdbChecksum {
  kVerified,  // stored CRC-64 matches the bytes
  kDisabled,  // stored value is zero: written with `rdbchecksum no`
  kAbsent,    // RDB version < 5 has no checksum
};

struct RdbDbStats {
  uint64_t index = 0;
  uint64_t keys = 0;
  uint64_t keys_with_expiry = 0;
};

struct RdbReport {
  std::string name;           // file name used in messages
  uint32_t rdb_version = 0;
  uint64_t bytes = 0;         // bytes consumed up to and including the checksum
  std::vector<std::pair<std::string, std::string>> aux;  // AUX fields in file order
  std::vector<RdbDbStats> dbs;                            // in file order
  std::map<std::string, uint64_t> keys_by_type;          // "string", "list", "hash", ...
  std::map<std::string, uint64_t> keys_by_encoding;      // "listpack", "quicklist2", ...
  uint64_t functions = 0;     // function libraries (FUNCTION2 opcodes)
  std::vector<std::string> modules;  // module names whose data the file holds (needed to load it)
  RdbChecksum checksum = RdbChecksum::kAbsent;
  uint64_t stored_checksum = 0;
  std::optional<Error> error;  // the first problem; empty means valid

  bool valid() const { return !error.has_value(); }
  uint64_t total_keys() const;
  std::optional<std::string> Aux(std::string_view key) const;
};

struct RdbVerifyOptions {
  std::string name;  // used as Error::where
  // The RDB is a preamble followed by other data (AOF with `aof-use-rdb-preamble`): stop after
  // the checksum instead of requiring end of input. report.bytes tells where the rest begins.
  bool allow_trailing_data = false;
  // Highest RDB version accepted (the target server's); newer files are kUnsupported.
  uint32_t max_version = 12;
  // Duplicate keys (Redis refuses to load a file with one) are found from an 8-byte hash per
  // key, the one cost that grows with the file; false skips that check.
  bool check_duplicate_keys = true;
  // Duplicate members of a set, sorted set or hash stored as a hashtable are found the same way,
  // 8 bytes per member, for collections of at most this many members (memory: 8 x this at most).
  uint64_t max_tracked_members = uint64_t{1} << 20;
  // Told the content of each key as it is verified (value_visitor.h); null: verification only.
  ValueVisitor* visitor = nullptr;
  // Runs the final duplicate-key check on several cores (not owned; null: on this thread).
  Parallel* parallel = nullptr;
};

// Reads `source` to the end (or to the checksum with allow_trailing_data) and reports.
RdbReport VerifyRdb(ByteSource& source, const RdbVerifyOptions& options);

}  // namespace tidemark
