#include "operator/controller/log.h"

#include <cstdio>

#include "operator/controller/utc_now.h"

namespace tidemark::controller {

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "debug") return *level = LogLevel::kDebug, true;
  if (text == "info") return *level = LogLevel::kInfo, true;
  if (text == "warn" || text == "warning") return *level = LogLevel::kWarn, true;
  if (text == "error") return *level = LogLevel::kError, true;
  return false;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Logger::Log(LogLevel level, std::string_view msg, std::string_view resource,
                 const Fields& fields) {
  if (level < min_level_) return;
  std::string line =
      "{\"ts\":\"" + UtcNow(3) + "\",\"level\":\"" + LevelName(level) + "\",\"msg\":" + JsonString(msg);
  if (!resource.empty()) line += ",\"resource\":" + JsonString(resource);
  for (const auto& [key, value] : fields) line += "," + JsonString(key) + ":" + JsonString(value);
  line += "}\n";
  std::lock_guard lock(mu_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace tidemark::controller
