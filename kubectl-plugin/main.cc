// kubectl-tidemark: the kubectl plugin (`kubectl tidemark ...`). See docs/kubectl-plugin.md.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/connect.h"
#include "kubectl-plugin/options.h"

int main(int argc, char** argv) {
  using namespace tidemark::kubectl;
  const std::vector<std::string> args(argv + 1, argv + argc);
  ParsedOptions parsed = ParseOptions(args);
  if (!parsed.options) {
    std::fprintf(stderr, "error: %s\n\n%s", parsed.error.c_str(), UsageText());
    return kExitUsage;
  }
  const Options& options = *parsed.options;
  if (options.command == "help") {
    std::fputs(UsageText(), stdout);
    return kExitOk;
  }
  using Command = Outcome (*)(const Options&, Connection&);
  Command run = nullptr;
  if (options.command == "status")
    run = RunStatus;
  else if (options.command == "backups")
    run = RunBackups;
  else if (options.command == "backup")
    run = RunBackup;
  else if (options.command == "restore")
    run = RunRestore;
  else if (options.command == "drill")
    run = RunDrill;
  else if (options.command == "verify")
    run = RunVerify;
  if (run == nullptr) {
    std::fprintf(stderr, "error: unknown command \"%s\"\n\n%s", options.command.c_str(),
                 UsageText());
    return kExitUsage;
  }
  auto connection = Connect(options, [](const char* name) { return std::getenv(name); });
  if (!connection) {
    std::fprintf(stderr, "error: %s\n", connection.error().message.c_str());
    return connection.error().code;
  }
  Outcome outcome = run(options, *connection);
  if (!outcome.message.empty()) std::fprintf(stderr, "error: %s\n", outcome.message.c_str());
  return outcome.code;
}
