#include "operator/controller/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

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

std::string Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace

void Logger::Log(LogLevel level, std::string_view msg, std::string_view resource,
                 const Fields& fields) {
  if (level < min_level_) return;
  std::string line =
      "{\"ts\":\"" + Now() + "\",\"level\":\"" + LevelName(level) + "\",\"msg\":" + JsonString(msg);
  if (!resource.empty()) line += ",\"resource\":" + JsonString(resource);
  for (const auto& [key, value] : fields) line += "," + JsonString(key) + ":" + JsonString(value);
  line += "}\n";
  std::lock_guard lock(mu_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace tidemark::controller
