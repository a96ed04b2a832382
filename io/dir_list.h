// The names in a directory, sorted, without "." and "..".
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark {

// `what` starts the error message ("cannot list the backup store: <strerror>" at `dir`); a
// missing directory is kNotFound.
Result<std::vector<std::string>> ListDirectory(const std::string& dir,
                                               const std::string& what = "cannot list directory");

}  // namespace tidemark
