#include "sidecar/json_log.h"

#include <cstdio>
#include <ostream>

#include "core/backup/utc_time.h"

namespace tidemark::sidecar {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], 0 if none.
size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : buf;
      ++i;
    } else if (size_t n = Utf8Length(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  return out + "\"";
}

LogField LogField::Str(std::string key, std::string_view value) {
  return {std::move(key), JsonQuote(value)};
}
LogField LogField::Int(std::string key, int64_t value) {
  return {std::move(key), std::to_string(value)};
}
LogField LogField::Bool(std::string key, bool value) {
  return {std::move(key), value ? "true" : "false"};
}

void JsonLog::Info(std::string_view msg, const std::vector<LogField>& f) { Line("info", msg, f); }
void JsonLog::Warn(std::string_view msg, const std::vector<LogField>& f) { Line("warn", msg, f); }
void JsonLog::Error(std::string_view msg, const std::vector<LogField>& f) { Line("error", msg, f); }

void JsonLog::Line(std::string_view level, std::string_view msg,
                   const std::vector<LogField>& fields) {
  std::string line = "{\"ts\":" + JsonQuote(backup::FormatIsoUtc(clock_.NowUnix())) +
                     ",\"level\":" + JsonQuote(level) + ",\"msg\":" + JsonQuote(msg);
  if (!pod_.empty()) line += ",\"pod\":" + JsonQuote(pod_);
  for (const auto& f : fields) line += "," + JsonQuote(f.key) + ":" + f.json;
  line += "}\n";
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace tidemark::sidecar
