// errno as a core Error naming the file: the one mapping every file-touching piece of io/ and
// sidecar/ uses, so messages read the same everywhere ("what: strerror" at `path`).
#pragma once

#include <cerrno>
#include <cstring>
#include <expected>
#include <string>

#include "core/base/error.h"

namespace tidemark {

inline std::unexpected<Error> OsError(const std::string& what, const std::string& path, int err) {
  return MakeError(ErrorCode::kIo, what + ": " + std::strerror(err), -1, path);
}

// The same, but a missing file is kNotFound (callers that treat "absent" differently from "broken").
inline std::unexpected<Error> OsErrorOrNotFound(const std::string& what, const std::string& path,
                                                int err) {
  return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                   what + ": " + std::strerror(err), -1, path);
}

}  // namespace tidemark
