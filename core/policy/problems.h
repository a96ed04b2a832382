// A list of problems found in a RedisPersistence, each an Error whose `where` is the field path
// ("spec.aof.fsync") and whose message says what the field must be. Parsing and validation report
// every problem they find, not only the first, so a user fixes a manifest in one round.
#pragma once

#include <expected>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace tidemark::policy {

using Problems = std::vector<Error>;

template <class T>
using Checked = std::expected<T, Problems>;

// Concatenation without `"literal" + std::string&&`, which trips GCC 12's -Wrestrict at -O3.
inline std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

inline Error FieldError(std::string path, std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(path), -1, std::move(message)};
}

// One problem a line: "spec.aof.fsync: must be one of always, everysec, no\n".
inline std::string FormatProblems(const Problems& problems) {
  std::string out;
  for (const Error& e : problems) out += e.ToString() + "\n";
  return out;
}

}  // namespace tidemark::policy
