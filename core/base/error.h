// The one error vocabulary of Tidemark.
//
// Every fallible function returns Result<T> (std::expected<T, Error>) or Status. An Error says
// where it happened (a file and byte offset, or a field path, or a resource) and what was
// expected there, so that a message reads like
//   dump.rdb: offset 1234: bad listpack entry: expected a backlen of 3, found 5
// Errors are values: nothing in core/ throws.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace tidemark {

enum class ErrorCode {
  kCorrupt,          // the bytes break the format: not repairable by truncation
  kTruncated,        // the input ends early; everything before `offset` was good
  kUnsupported,      // well-formed, but a version/feature this build or Redis cannot load
  kIo,               // the operating system refused (open, read, write, fsync, rename)
  kInvalidArgument,  // the caller's input (a flag, a spec field) is wrong
  kNotFound,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kCorrupt;
  std::string where;     // file path, field path or resource; may be empty
  int64_t offset = -1;   // byte offset into `where`, -1 when not about a byte position
  std::string message;   // what was found and what was expected, or what to do next

  // "where: offset N: message" with the parts that are set.
  std::string ToString() const;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message, int64_t offset = -1,
                                        std::string where = {}) {
  return std::unexpected<Error>(Error{code, std::move(where), offset, std::move(message)});
}

}  // namespace tidemark
