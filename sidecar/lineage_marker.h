// The durable note "this instance once held data": `.tidemark-lineage.json`, written by the
// restore step in the data directory and on the backup volume once the instance starts with a
// non-empty dataset (restore.h). A later restore that finds the note but no usable data knows the
// volume was lost, not new, and refuses an empty start (--force-empty overrides). The name is
// fixed (never taken from input) and the file sits directly in the directory it describes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/backup/lineage.h"
#include "core/base/error.h"
#include "io/file_system.h"

namespace tidemark::sidecar {

inline constexpr char kLineageMarkerFile[] = ".tidemark-lineage.json";

// Writes DIR/.tidemark-lineage.json (instance, uid, firstDataAt) durably, unless one is there
// already: the first time is what it records. Returns whether it wrote. Every file operation
// goes through `fs`.
Result<bool> WriteLineageMarkerOnce(const std::string& dir, const backup::Lineage& lineage,
                                    int64_t now_unix, FileSystem& fs = PosixFileSystem());

// The marker in DIR for people ("<path>: {...}"), also when it does not read (its presence is
// the evidence); nullopt when there is none.
std::optional<std::string> DescribeLineageMarker(const std::string& dir);

}  // namespace tidemark::sidecar
