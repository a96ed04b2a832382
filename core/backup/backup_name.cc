#include "core/backup/backup_name.h"

#include <cstdio>

#include "core/backup/utc_time.h"

namespace tidemark::backup {

std::string GenerateBackupName(int64_t unix_time, uint32_t suffix) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", suffix);
  return FormatCompactUtc(unix_time) + "-" + hex;
}

uint32_t TimeOrderedSuffix(int64_t unix_ms, uint32_t random) {
  constexpr uint32_t kRandomBits = 22;  // 1000 < 2^10 milliseconds above them
  return static_cast<uint32_t>(unix_ms % 1000) << kRandomBits | (random & ((1u << kRandomBits) - 1));
}

Result<BackupName> ParseBackupName(std::string_view text) {
  auto bad = [&](const char* what) {
    // Echo at most a prefix: the text may be anything a client sent.
    std::string shown(text.substr(0, 40));
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a backup name: '" + shown + "': " + what +
                         " (expected YYYYMMDDTHHMMSSZ-xxxxxxxx, e.g. 20261128T021500Z-1a2b3c4d)");
  };
  if (text.size() != kBackupNameLength) return bad("wrong length");
  if (text[16] != '-') return bad("no '-' after the time");
  auto time = ParseCompactUtc(text.substr(0, 16));
  if (!time) return bad("the time part is not a valid UTC time");
  uint32_t suffix = 0;
  for (char c : text.substr(17)) {
    uint32_t v;
    if (c >= '0' && c <= '9') v = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v = static_cast<uint32_t>(c - 'a' + 10);
    else return bad("the suffix must be 8 lowercase hex digits");
    suffix = suffix << 4 | v;
  }
  return BackupName{*time, suffix, std::string(text)};
}

}  // namespace tidemark::backup
