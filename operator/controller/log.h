// The operator's structured log: one JSON object per line on stderr (or a given stream),
//
//   {"ts":"2026-11-28T03:15:00.123Z","level":"info","msg":"applied","resource":"shop/catalog"}
//
// `resource` is the "namespace/name" the line is about (left out when empty); extra fields keep
// the order given. Thread-safe: each line is formatted first and written with one call under a
// mutex, so lines from the informers, the worker and the elector never interleave.
#pragma once

#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::controller {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn"/"warning", "error"; false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// A string as a JSON string literal, quotes included.
std::string JsonString(std::string_view text);

class Logger {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;  // values are strings

  Logger(std::ostream& out, LogLevel min_level) : out_(out), min_level_(min_level) {}

  void Log(LogLevel level, std::string_view msg, std::string_view resource = {},
           const Fields& fields = {});
  void Debug(std::string_view msg, std::string_view resource = {}, const Fields& fields = {}) {
    Log(LogLevel::kDebug, msg, resource, fields);
  }
  void Info(std::string_view msg, std::string_view resource = {}, const Fields& fields = {}) {
    Log(LogLevel::kInfo, msg, resource, fields);
  }
  void Warn(std::string_view msg, std::string_view resource = {}, const Fields& fields = {}) {
    Log(LogLevel::kWarn, msg, resource, fields);
  }
  void Error(std::string_view msg, std::string_view resource = {}, const Fields& fields = {}) {
    Log(LogLevel::kError, msg, resource, fields);
  }

 private:
  std::mutex mu_;
  std::ostream& out_;
  LogLevel min_level_;
};

}  // namespace tidemark::controller
