// Verification of Redis append-only files: a Redis 7 appendonlydir through its manifest, or a
// legacy single file, each part in RDB-preamble or AOF form.
//
// A file is reported valid only when redis-server would load it intact. Beyond the syntax
// (resp.h) that means: every record is a command Redis accepts in an AOF with a sensible
// argument count (command_table.h), SELECT indexes exist, MULTI/EXEC are balanced, RDB parts
// verify (core/rdb), and only the last file may end early. Findings per file:
//   kValid      loads as is;
//   kTruncated  the last file ends inside a record, inside MULTI...EXEC, or in NUL bytes:
//               cutting it at last_good_offset repairs it (what redis-check-aof --fix does);
//   kCorrupt    anything else: a cut would drop later, intact records, so no cut is offered.
//
// Pure: files are reached through AofFileOpener (io/ implements it on a directory), one pass
// each, constant memory. Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"

namespace tidemark::aof {

enum class AofPartType { kBase, kIncr, kLegacy };
enum class AofPartFormat { kAof, kRdbPreamble };  // kRdbPreamble: RDB, then optional commands
enum class AofVerdict { kValid, kTruncated, kCorrupt };

const char* AofPartTypeName(AofPartType t);      // "base", "incr", "legacy"
const char* AofPartFormatName(AofPartFormat f);  // "aof", "rdb-preamble"
const char* AofVerdictName(AofVerdict v);        // "valid", "truncated", "corrupt"

struct AofVerifyOptions {
  // Look for the --truncate-to-timestamp cut: the first "#TS:" annotation later than this.
  std::optional<int64_t> truncate_after_timestamp;
  // Count records whose command is not in the table instead of calling the file corrupt
  // (for servers with modules).
  bool allow_unknown_commands = false;
  // The target server's `databases`: SELECT outside [0, databases) is corrupt, because Redis
  // ignores such a SELECT and applies the following writes to the previous database.
  uint64_t databases = 16;
  uint32_t max_rdb_version = 12;
  // For an RDB preamble: RdbVerifyOptions' duplicate checks (their memory grows with the data).
  bool check_duplicate_keys = true;
  uint64_t max_tracked_members = uint64_t{1} << 20;
};

struct AofFileReport {
  std::string name;
  AofPartType type = AofPartType::kLegacy;
  AofPartFormat format = AofPartFormat::kAof;
  bool last = false;       // the last file Redis loads: the only one that may be cut
  uint64_t bytes = 0;      // file size
  // RDB part (format kRdbPreamble):
  uint64_t rdb_bytes = 0;  // the AOF commands start here
  uint32_t rdb_version = 0;
  uint64_t rdb_keys = 0;
  std::optional<int64_t> rdb_ctime;  // AUX "ctime": when the snapshot was written
  // Command part:
  uint64_t commands = 0;
  uint64_t transactions = 0;  // complete MULTI...EXEC blocks
  uint64_t annotations = 0;
  uint64_t unknown_commands = 0;  // only counted with allow_unknown_commands
  uint64_t timestamps = 0;        // "#TS:" annotations
  std::optional<int64_t> first_timestamp;
  std::optional<int64_t> last_timestamp;
  uint64_t commands_before_first_timestamp = 0;  // all of them when the file has no "#TS:"
  std::map<std::string, uint64_t> commands_by_name;  // lowercase names from the table
  // Verdict:
  AofVerdict verdict = AofVerdict::kValid;
  uint64_t last_good_offset = 0;  // end of the last whole record outside MULTI...EXEC
  uint64_t bytes_to_cut = 0;      // kTruncated: bytes - last_good_offset
  bool zero_filled_tail = false;  // kTruncated because NUL bytes run from a record to the end
  std::optional<Error> error;     // the first problem (also set for kTruncated)
  // --truncate-to-timestamp: where this file would be cut (first "#TS:" > T, or the MULTI
  // that contains it) and the timestamp found there.
  std::optional<uint64_t> timestamp_cut_offset;
  std::optional<int64_t> timestamp_cut_at;
};

struct AofReport {
  bool multi_part = false;
  std::string manifest;                    // manifest name (multi_part)
  std::vector<AofFileReport> files;        // in load order
  std::vector<std::string> history_files;  // listed as history: ignored, as Redis does
  std::optional<Error> error;              // the first problem: manifest, missing file, or file
  AofVerdict verdict = AofVerdict::kValid;
  size_t command_table_size = 0;

  bool valid() const { return verdict == AofVerdict::kValid; }
  uint64_t total_commands() const;
  uint64_t total_bytes() const;
  std::optional<int64_t> first_timestamp() const;
  std::optional<int64_t> last_timestamp() const;
};

// How the verifier reaches the files of an AOF directory.
class AofFileOpener {
 public:
  struct Opened {
    std::unique_ptr<ByteSource> source;
    uint64_t size = 0;  // whole file size
  };
  virtual ~AofFileOpener() = default;
  // Opens the plain file name `name`, positioned `offset` bytes in. kNotFound if it is missing.
  virtual Result<Opened> Open(const std::string& name, uint64_t offset) = 0;
};

// Verifies the command part of one file, read from `source` whose first byte is at file offset
// `start_offset`; fills the command fields and the verdict of `report` (name, type, last and
// bytes must be set).
void VerifyAofCommands(ByteSource& source, uint64_t start_offset, const AofVerifyOptions& options,
                       AofFileReport& report);

// Verifies one file: its RDB part when it starts with "REDIS" (as redis-server decides), then
// its commands.
AofFileReport VerifyAofFile(AofFileOpener& opener, const std::string& name, AofPartType type,
                            bool last, const AofVerifyOptions& options);

// A Redis 7 appendonlydir: parses the manifest, then verifies base and incremental files in
// load order.
AofReport VerifyAofDirectory(std::string_view manifest_text, const std::string& manifest_name,
                             AofFileOpener& opener, const AofVerifyOptions& options);

// A legacy single-file AOF (optionally with an RDB preamble).
AofReport VerifyLegacyAof(AofFileOpener& opener, const std::string& name,
                          const AofVerifyOptions& options);

// A directory that has no manifest must not hold multi-part AOF files (named by Redis
// "<appendfilename>.<seq>.base.rdb", ".base.aof" or ".incr.aof"): kCorrupt naming them if it
// does. A legacy "appendonly.aof" is not such a part.
Status CheckDirectoryWithoutManifest(const std::vector<std::string>& names,
                                     const std::string& dir);

}  // namespace tidemark::aof
