#include "sidecar/live_config.h"

#include <set>

namespace tidemark::sidecar {

namespace {

// Redis 7 refuses CONFIG SET for these (rdbchecksum too, found by tests/operator/reconcile
// CONFIG SETting every rendered directive on a real server); they apply on the next restart.
const std::set<std::string> kImmutable = {"appenddirname", "appendfilename", "dir", "daemonize",
                                          "rdbchecksum"};
// Startup settings the sidecar does not hold Redis to: enable-debug-command cannot change at
// runtime, and a Redis started without it is reported where it matters (the restore check says
// "unverifiable: DEBUG command disabled") rather than as drift that would keep the pod unready.
const std::set<std::string> kStartupOnly = {"enable-debug-command"};

}  // namespace

Result<ConfigDirectives> ParseConfFragment(std::string_view text, const std::string& where) {
  ConfigDirectives out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto space = line.find(' ');
    if (space == std::string_view::npos || space == 0)
      return MakeError(ErrorCode::kInvalidArgument,
                       "line " + std::to_string(line_no) + ": expected 'directive value'", -1, where);
    std::string value(line.substr(space + 1));
    // The renderer quotes only the empty value; a quoted value of any kind is unquoted whole.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.emplace_back(std::string(line.substr(0, space)), value);
  }
  return out;
}

Result<ApplyReport> ApplyConfig(RedisClient& redis, const ConfigDirectives& directives) {
  ApplyReport report;
  for (const auto& [key, want] : directives) {
    if (kStartupOnly.count(key)) continue;
    auto got = redis.Command({"CONFIG", "GET", key});
    if (!got) return std::unexpected(got.error());
    if (got->type != RedisReply::Type::kArray || got->elements.size() != 2) {
      report.refused.push_back(key + ": CONFIG GET returned nothing (unknown directive?)");
      continue;
    }
    const std::string& have = got->elements[1].str;
    if (have == want) continue;
    report.drift.push_back(key + ": redis has '" + have + "', policy wants '" + want + "'");
    if (kImmutable.count(key)) {
      report.refused.push_back(key + ": cannot change at runtime; restart Redis to apply");
      continue;
    }
    auto set = redis.Command({"CONFIG", "SET", key, want});
    if (!set) return std::unexpected(set.error());
    if (set->type == RedisReply::Type::kError) {
      report.refused.push_back(key + ": " + set->str);
      continue;
    }
    ++report.changed;
  }
  return report;
}

}  // namespace tidemark::sidecar
