// tidemark verify aof PATH [--json] [--fix | --truncate-to-timestamp T]
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include "cli/aof_output.h"
#include "cli/commands.h"
#include "cli/report_output.h"
#include "io/aof_files.h"

namespace tidemark::cli {

namespace {

constexpr const char* kAofUsage =
    "usage: tidemark verify aof PATH [--json] [--fix | --truncate-to-timestamp T]\n"
    "                                [--allow-unknown-commands] [--databases N]\n"
    "  PATH: a legacy AOF file, a manifest, an appendonlydir, or a data dir holding one.\n"
    "  --fix                     cut an unfinished tail off the last file (stop Redis first);\n"
    "                            the original is kept as <file>.orig-<unixtime>\n"
    "  --truncate-to-timestamp T cut the last file at its first #TS annotation after T\n"
    "  exit: 0 valid, 1 invalid or refused, 2 usage or I/O error\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "tidemark verify aof: %s\n%s", why.c_str(), kAofUsage);
  return kExitUsage;
}

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

struct Printer {
  bool json;
  web::json::value doc = web::json::value::object();
  void Report(const char* key, const aof::AofReport& r) {
    if (json) doc[key] = AofReportJson(r);
    else std::fputs(AofReportText(r).c_str(), stdout);
  }
  void Note(const char* key, const std::string& text) {
    if (json) doc[key] = web::json::value::string(text);
    else std::printf("%s\n", text.c_str());
  }
  void Flush() {
    if (json) std::printf("%s\n", doc.serialize().c_str());
  }
};

}  // namespace

int RunVerifyAof(const Args& args) {
  std::string path;
  bool json = false, fix = false;
  std::optional<int64_t> to_timestamp;
  aof::AofVerifyOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--fix") {
      fix = true;
    } else if (a == "--allow-unknown-commands") {
      options.allow_unknown_commands = true;
    } else if (a == "--truncate-to-timestamp" || a == "--databases") {
      int64_t v = 0;
      if (i + 1 >= args.size() || !ParseInt(args[i + 1], &v))
        return Usage(a + " needs an integer");
      ++i;
      if (a == "--databases") {
        if (v < 1) return Usage("--databases must be at least 1");
        options.databases = static_cast<uint64_t>(v);
      } else {
        to_timestamp = v;
      }
    } else if (!a.empty() && a[0] == '-') {
      return Usage("unknown option '" + a + "'");
    } else if (path.empty()) {
      path = a;
    } else {
      return Usage("one PATH expected");
    }
  }
  if (path.empty()) return Usage("PATH missing");
  if (fix && to_timestamp) return Usage("--fix and --truncate-to-timestamp exclude each other");
  options.truncate_after_timestamp = to_timestamp;

  Printer out{json};
  auto located = LocateAof(path);
  if (!located) {
    if (json) out.doc["error"] = ErrorJson(located.error());
    out.Flush();
    std::fprintf(stderr, "tidemark verify aof: %s\n", located.error().ToString().c_str());
    return ExitCodeFor(located.error());
  }
  auto report = VerifyLiveAof(*located, options);
  if (!report) {
    if (json) out.doc["error"] = ErrorJson(report.error());
    out.Flush();
    std::fprintf(stderr, "tidemark verify aof: %s\n", report.error().ToString().c_str());
    return ExitCodeFor(report.error());
  }
  if (!fix && !to_timestamp) {
    if (json) {
      std::printf("%s\n", AofReportJson(*report).serialize().c_str());
    } else {
      std::fputs(AofReportText(*report).c_str(), stdout);
    }
    return report->valid() ? kExitOk : kExitInvalid;
  }

  out.Report("report", *report);
  auto plan = aof::PlanAofCut(*report, fix ? aof::AofCutMode::kFixTruncatedTail
                                           : aof::AofCutMode::kTruncateToTimestamp,
                              to_timestamp);
  if (!plan) {
    out.Note("refused", plan.error().ToString());
    out.Flush();
    if (json) std::fprintf(stderr, "tidemark verify aof: %s\n", plan.error().ToString().c_str());
    return ExitCodeFor(plan.error());
  }
  if (!*plan) {
    out.Note("repair", "nothing to cut");
    out.Flush();
    return report->valid() ? kExitOk : kExitInvalid;
  }
  const aof::AofCutPlan& p = **plan;
  auto backup = ApplyAofCut(located->dir, p, static_cast<int64_t>(std::time(nullptr)));
  if (!backup) {
    out.Note("refused", backup.error().ToString());
    out.Flush();
    std::fprintf(stderr, "tidemark verify aof: %s\n", backup.error().ToString().c_str());
    return kExitUsage;
  }
  if (json) {
    auto jp = AofCutPlanJson(p);
    jp["backup"] = web::json::value::string(*backup);
    out.doc["repair"] = jp;
  } else {
    std::printf("cut %s from %llu to %llu bytes (%s); original kept at %s\n", p.file.c_str(),
                static_cast<unsigned long long>(p.original_size),
                static_cast<unsigned long long>(p.new_size), p.reason.c_str(), backup->c_str());
  }
  aof::AofVerifyOptions again = options;
  again.truncate_after_timestamp.reset();
  auto after = VerifyAofAt(*located, again);
  if (!after) {
    out.Flush();
    std::fprintf(stderr, "tidemark verify aof: %s\n", after.error().ToString().c_str());
    return kExitUsage;
  }
  if (!json) std::printf("after the cut:\n");
  out.Report("after", *after);
  out.Flush();
  return after->valid() ? kExitOk : kExitInvalid;
}

}  // namespace tidemark::cli
