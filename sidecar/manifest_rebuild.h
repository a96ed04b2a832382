// Rebuilding a lost Redis 7 AOF manifest from the file names in an appendonlydir.
//
// Redis 7 starts with an EMPTY dataset when appendonly is on and the manifest is missing or empty,
// even if the AOF parts are right there (and then writes a new empty base). The restore step
// refuses to let that happen: it rebuilds the manifest when the names make it unambiguous, and
// fails otherwise. Unambiguous means: exactly one base ("<prefix>.<seq>.base.rdb" or ".aof") and at
// most one incremental file ("<prefix>.<seq>.incr.aof"). Two bases, or several incremental files,
// could be history files Redis had not deleted yet: replaying them twice would apply writes twice,
// so no guess is made. Files that are not AOF parts of `prefix` are ignored, unless they look
// like parts of another prefix (then the directory is not what it seems: refused). Pure.
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark::sidecar {

// The manifest text for the parts named in `names` (all plain names found in the directory);
// kCorrupt naming the directory `where` and the conflicting files when it is ambiguous, kNotFound
// when there is no AOF part at all.
Result<std::string> RebuildAofManifest(const std::vector<std::string>& names,
                                       const std::string& prefix, const std::string& where);

// The manifest of a freshly installed AOF: one base "<prefix>.1.base.rdb" and one empty
// incremental file "<prefix>.1.incr.aof".
std::string NewAofManifest(const std::string& prefix);
std::string AofBaseName(const std::string& prefix);  // "<prefix>.1.base.rdb"
std::string AofIncrName(const std::string& prefix);  // "<prefix>.1.incr.aof"

}  // namespace tidemark::sidecar
