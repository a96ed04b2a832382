#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "sidecar/commands.h"

namespace tidemark::sidecar {

std::string PodName() {
  for (const char* var : {"POD_NAME", "HOSTNAME"})
    if (const char* v = std::getenv(var); v && *v) return v;
  return "";
}

bool ReplicaByPodName() {
  const char* env = std::getenv("POD_NAME");
  const std::string pod = env ? env : "";
  return !pod.empty() && !pod.ends_with("-0");
}

}  // namespace tidemark::sidecar

namespace {

constexpr const char* kUsage = R"(usage: tidemark-sidecar <command> [options]

commands:
  run      --redis unix:PATH|tcp://HOST:PORT --store DIR [--policy F] [--redis-conf F]
           [--listen HOST:PORT]   next to Redis: live policy, scheduled backups, HTTP API
  backup   --redis unix:PATH|tcp://HOST:PORT --store DIR [--password-file F] [--policy F]
           take one verified snapshot backup now (BGSAVE, one-pass copy + SHA-256 + verify)
  restore  --data-dir DIR [--store DIR] [--policy F] [--appendonly yes|no] [--allow-empty]
           before Redis starts: keep, repair or restore its data (see --help of each)
  drill    --store DIR [--backup NAME] [--redis-server PATH] [--memory-budget Q]
           restore a backup into a scratch redis-server and compare it with its metadata
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace tidemark::sidecar;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  // A write to a Redis that went away must come back as EPIPE (an error we handle), not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "backup") return RunBackupCommand(rest);
  if (args[0] == "restore") return RunRestoreCommand(rest);
  if (args[0] == "run") return RunRunCommand(rest);
  if (args[0] == "drill") return RunDrillCommand(rest);
  std::cerr << "tidemark-sidecar: unknown command '" << args[0] << "'\n\n" << kUsage;
  return kExitUsage;
}
