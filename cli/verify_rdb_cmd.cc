#include <cstdio>

#include "cli/commands.h"
#include "cli/report_output.h"
#include "core/rdb/rdb_verifier.h"
#include "io/file_source.h"
#include "io/prefetch_source.h"
#include "io/thread_parallel.h"

namespace tidemark::cli {

int RunVerifyRdb(const Args& args) {
  std::string file;
  bool json = false;
  for (const auto& a : args) {
    if (a == "--json") json = true;
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "tidemark verify rdb: unknown option '%s'\nusage: tidemark verify rdb FILE [--json]\n", a.c_str());
      return kExitUsage;
    } else if (file.empty()) file = a;
    else {
      std::fputs("tidemark verify rdb: one FILE expected\n", stderr);
      return kExitUsage;
    }
  }
  if (file.empty()) {
    std::fputs("usage: tidemark verify rdb FILE [--json]\n", stderr);
    return kExitUsage;
  }
  auto source = FileSource::Open(file);
  if (!source) {
    if (json) std::printf("%s\n", ErrorJson(source.error()).serialize().c_str());
    std::fprintf(stderr, "tidemark verify rdb: %s\n", source.error().ToString().c_str());
    return kExitUsage;
  }
  // The command has the machine to itself: its parser waits for the reader thread awake.
  PrefetchSource prefetch(*source, PrefetchSource::Crc64::kYes, nullptr, PrefetchSource::Wait::kSpinFirst);
  ThreadParallel two_cores(2);  // the read-ahead thread's core is idle by the final check
  RdbReport report = VerifyRdb(prefetch, RdbVerifyOptions{.name = file, .parallel = &two_cores});
  if (json) std::printf("%s\n", RdbReportJson(report).serialize().c_str());
  else std::fputs(RdbReportText(report).c_str(), stdout);
  return report.valid() ? kExitOk : ExitCodeFor(*report.error);
}

}  // namespace tidemark::cli
