// The Redis 7 AOF manifest: which files make up an appendonlydir, in which order.
//
// ParseManifest is at least as strict as redis-server's own loader (aofLoadManifestFromFile)
// and stricter where Redis would go on to do something surprising: an empty manifest (Redis
// starts with an empty dataset), names that are not plain file names, duplicate keys or file
// names, sequence numbers that are not positive decimals. Every error names the manifest, the
// byte offset of the offending line and the line number. Pure: takes the text, opens nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace tidemark::aof {

enum class ManifestFileType { kBase, kIncr, kHistory };

struct ManifestEntry {
  std::string name;  // a plain file name inside the AOF directory (no '/', not "." or "..")
  uint64_t seq = 0;
  ManifestFileType type = ManifestFileType::kBase;
  int line = 0;          // 1-based line number in the manifest
  uint64_t offset = 0;   // byte offset of that line
};

struct Manifest {
  std::optional<ManifestEntry> base;
  std::vector<ManifestEntry> incrs;    // in load order (strictly increasing seq)
  std::vector<ManifestEntry> history;  // listed for deletion; never loaded

  // The files Redis loads, in order: base (if any), then the incremental files.
  std::vector<const ManifestEntry*> LoadOrder() const;
};

// Parses manifest text. `where` names the manifest in errors. kCorrupt on any violation.
Result<Manifest> ParseManifest(std::string_view text, const std::string& where);

// True for a name Redis may open inside the AOF directory: non-empty, no '/', '\\' or NUL,
// not "." or "..".
bool IsPlainFileName(std::string_view name);

// One manifest line for `entry`, quoted the way Redis writes it (ends with '\n').
std::string FormatManifestLine(const ManifestEntry& entry);

}  // namespace tidemark::aof
