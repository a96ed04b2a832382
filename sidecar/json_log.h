// Structured logs: one JSON object per line, for `kubectl logs` and log collectors.
//
//   {"ts":"2026-11-28T02:15:00Z","level":"info","msg":"backup published","pod":"cache-0",
//    "backup":"20261128T021500Z-1a2b3c4d","bytes":1234}
//
// Fields keep the order given; values are strings, integers or booleans. Each line is written
// with one write to the stream and flushed, so lines from one process never interleave.
// Not thread-safe (the sidecar's commands are single-threaded).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/clock.h"

namespace tidemark::sidecar {

struct LogField {
  std::string key;
  std::string json;  // the value, already JSON

  static LogField Str(std::string key, std::string_view value);
  static LogField Int(std::string key, int64_t value);
  static LogField Bool(std::string key, bool value);
};

class JsonLog {
 public:
  // `out` and `clock` must outlive the log. `pod` is added to every line when non-empty.
  JsonLog(std::ostream& out, Clock& clock, std::string pod)
      : out_(out), clock_(clock), pod_(std::move(pod)) {}

  void Info(std::string_view msg, const std::vector<LogField>& fields = {});
  void Warn(std::string_view msg, const std::vector<LogField>& fields = {});
  void Error(std::string_view msg, const std::vector<LogField>& fields = {});

 private:
  void Line(std::string_view level, std::string_view msg, const std::vector<LogField>& fields);
  std::ostream& out_;
  Clock& clock_;
  std::string pod_;
};

// `text` as a JSON string literal, quotes included (RFC 8259 escaping; bytes that are not valid
// UTF-8 are replaced so the line stays valid JSON).
std::string JsonQuote(std::string_view text);

}  // namespace tidemark::sidecar
