#include "core/backup/rdb_versions.h"

#include <charconv>

namespace tidemark::backup {

std::optional<int> MaxRdbVersionForRedis(std::string_view version) {
  const char* end = version.data() + version.size();
  int major = 0, minor = -1;
  auto [p, ec] = std::from_chars(version.data(), end, major);
  if (ec != std::errc()) return std::nullopt;
  if (p != end && *p == '.') {
    if (auto [q, ec2] = std::from_chars(p + 1, end, minor); ec2 != std::errc()) minor = -1;
  }
  if (major == 6) return 9;
  if (major == 7 && minor == 0) return 10;
  if (major == 7 && minor == 2) return 11;
  if (major == 7 && minor == 4) return 12;
  if (major == 8 && minor == 0) return 12;
  return std::nullopt;
}

}  // namespace tidemark::backup
