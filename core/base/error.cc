#include "core/base/error.h"

namespace tidemark {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out;
  if (!where.empty()) out += where + ": ";
  if (offset >= 0) out += "offset " + std::to_string(offset) + ": ";
  out += message;
  return out;
}

}  // namespace tidemark
