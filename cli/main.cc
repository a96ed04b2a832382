#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: tidemark <command> [options]

commands:
  verify rdb FILE [--json]             verify an RDB file (exit 0 valid, 1 invalid, 2 error)
  verify aof PATH [--json] [--fix] [--truncate-to-timestamp T]
                                       verify an AOF file or a Redis 7 appendonlydir
  digest rdb FILE [--at UNIX_SECONDS] [--redis-version X.Y] [--json]
                                       Redis's DEBUG DIGEST of the dataset in an RDB file
                                       (exit 0 ok, 1 invalid or module values, 2 error)
  inspect --redis ADDRESS [--password-file FILE] [--policy RESOURCE.yaml] [--json]
                                       a live Redis's persistence, with warnings and
                                       differences from a policy (exit 0 healthy, 1 findings)
  render -f RESOURCE.yaml [--policy]   print the redis.conf fragment (or sidecar policy)
                                       a RedisPersistence resource renders to
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace tidemark::cli;
  Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string cmd = args[0];
  if (cmd == "verify" && args.size() >= 2 && (args[1] == "rdb" || args[1] == "aof")) {
    Args rest(args.begin() + 2, args.end());
    return args[1] == "rdb" ? RunVerifyRdb(rest) : RunVerifyAof(rest);
  }
  if (cmd == "digest" && args.size() >= 2 && args[1] == "rdb") return RunDigestRdb(Args(args.begin() + 2, args.end()));
  if (cmd == "inspect") return RunInspect(Args(args.begin() + 1, args.end()));
  if (cmd == "render") return RunRender(Args(args.begin() + 1, args.end()));
  std::fprintf(stderr, "tidemark: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return kExitUsage;
}
