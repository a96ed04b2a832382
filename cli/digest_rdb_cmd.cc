// tidemark digest rdb FILE [--at UNIX_SECONDS] [--redis-version X.Y] [--json]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/report_output.h"
#include "core/digest/dataset_digest.h"
#include "io/file_source.h"
#include "io/prefetch_source.h"

namespace tidemark::cli {

namespace {

constexpr const char* kDigestUsage =
    "usage: tidemark digest rdb FILE [--at UNIX_SECONDS] [--redis-version X.Y] [--check-duplicates] [--json]\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "tidemark digest rdb: %s\n%s", why.c_str(), kDigestUsage);
  return kExitUsage;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}


}  // namespace

int RunDigestRdb(const Args& args) {
  std::string file;
  bool json = false;
  bool check_duplicates = false;
  DigestOptions options;
  options.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--check-duplicates") {
      check_duplicates = true;
    } else if (a == "--at" || a == "--redis-version") {
      if (i + 1 == args.size()) return Usage(a + " needs a value");
      const std::string& v = args[++i];
      char* end = nullptr;
      if (a == "--at") {
        double seconds = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || seconds < 0) return Usage("--at expects Unix seconds, got '" + v + "'");
        options.at_ms = static_cast<int64_t>(seconds * 1000);
      } else {
        options.score_format = ScoreFormatForRedis(v);
        if (!options.score_format)
          return Usage("--redis-version expects MAJOR.MINOR (e.g. 7.0, 7.4), got '" + v + "'");
      }
    } else if (!a.empty() && a[0] == '-') {
      return Usage("unknown option '" + a + "'");
    } else if (file.empty()) {
      file = a;
    } else {
      return Usage("one FILE expected");
    }
  }
  if (file.empty()) return Usage("FILE expected");
  auto source = FileSource::Open(file);
  if (!source) {
    if (json) std::printf("%s\n", ErrorJson(source.error()).serialize().c_str());
    std::fprintf(stderr, "tidemark digest rdb: %s\n", source.error().ToString().c_str());
    return kExitUsage;
  }
  PrefetchSource prefetch(*source);
  // A legacy single-file AOF holds the RDB preamble and then commands: only the preamble counts.
  const bool preamble = EndsWith(file, ".aof");
  // Without --check-duplicates memory stays constant: the duplicate-key check keeps 8 bytes per key.
  RdbDigestResult r = DigestRdb(prefetch,
                                RdbVerifyOptions{.name = file, .allow_trailing_data = preamble,
                                                 .check_duplicate_keys = check_duplicates},
                                options);
  if (json) {
    auto j = web::json::value::object();
    j["file"] = web::json::value::string(file);
    j["valid"] = web::json::value::boolean(r.report.valid());
    if (r.report.valid()) {
      j["digest"] = web::json::value::string(r.digest);
      j["predicts"] = web::json::value::string(ScoreFormatName(r.score_format));
      j["at_ms"] = web::json::value::number(options.at_ms);
      auto dbs = web::json::value::array();
      size_t i = 0;
      uint64_t total = 0;
      for (const auto& [index, c] : r.dbs) {
        auto d = web::json::value::object();
        d["db"] = web::json::value::number(index);
        d["keys"] = web::json::value::number(c.keys);
        d["expired"] = web::json::value::number(c.expired);
        dbs[i++] = d;
        total += c.keys;
      }
      j["dbs"] = dbs;
      j["keys"] = web::json::value::number(total);
    } else {
      j["error"] = ErrorJson(*r.report.error);
    }
    std::printf("%s\n", j.serialize().c_str());
  } else if (r.report.valid()) {
    std::printf("%s\n", r.digest.c_str());
    std::fprintf(stderr, "%s: DEBUG DIGEST of a %s server that loads this file at %lld ms%s\n", file.c_str(),
                 ScoreFormatName(r.score_format), static_cast<long long>(options.at_ms),
                 preamble ? " (RDB preamble only)" : "");
    for (const auto& [index, c] : r.dbs)
      std::fprintf(stderr, "  db %llu: %llu keys, %llu expired (left out)\n", static_cast<unsigned long long>(index),
                   static_cast<unsigned long long>(c.keys), static_cast<unsigned long long>(c.expired));
  } else {
    // Unsupported (a module value, a newer RDB version): the file may be fine, only not digestible.
    const bool unsupported = r.report.error->code == ErrorCode::kUnsupported;
    std::fprintf(stderr, "%s: %s, no digest\n  error: %s\n", file.c_str(),
                 unsupported ? "CANNOT DIGEST" : "INVALID", r.report.error->ToString().c_str());
  }
  return r.report.valid() ? kExitOk : ExitCodeFor(*r.report.error);
}

}  // namespace tidemark::cli
