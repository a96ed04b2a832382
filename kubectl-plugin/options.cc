#include "kubectl-plugin/options.h"

#include <cstdlib>

namespace tidemark::kubectl {

const char* UsageText() {
  return R"(kubectl tidemark: day-2 operations on RedisPersistence resources

usage: kubectl tidemark COMMAND [NAME] [flags]

commands:
  status [NAME]                     policy in force, pods, backups, conditions (all resources
                                    of the namespace without NAME; -A: of every namespace)
  backups NAME                      the backups in the store, from pod 0's sidecar
  backup NAME [--wait] [--timeout D]
                                    take a backup now (the tidemark.dev/backup-now annotation);
                                    --wait follows it to completion
  restore NAME (--backup ID | --to-time T) [--yes] [--wait] [--timeout D]
                                    show what a restore replaces and keeps aside, ask, then
                                    request it (tidemark.dev/restore-request)
  drill NAME [--wait] [--timeout D] ask pod 0's sidecar for a restore drill; --wait follows it
                                    and prints its result
  verify NAME                       verify the data files in each pod, print the report

flags:
  --kubeconfig FILE   -n, --namespace NS   --context NAME   -A, --all-namespaces
  -o, --output json|yaml   --color auto|always|never   -y, --yes   --wait   --timeout 5m

exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 forbidden, 5 sidecar unreachable,
  6 timed out, 7 kubeconfig or API server unusable, 8 not confirmed, 9 not supported,
  10 drill skipped
  (docs/kubectl-plugin.md)
)";
}

std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0) return std::nullopt;
  const std::string unit = digits == std::string::npos ? "" : text.substr(digits);
  const long long n = std::strtoll(text.substr(0, digits).c_str(), nullptr, 10);
  if (n > 1000000) return std::nullopt;
  if (unit.empty() || unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::seconds(n * 60);
  if (unit == "h") return std::chrono::seconds(n * 3600);
  return std::nullopt;
}

ParsedOptions ParseOptions(const std::vector<std::string>& args) {
  ParsedOptions out;
  Options o;
  auto fail = [&out](std::string message) {
    out.error = std::move(message);
    return out;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
      value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
      has_inline = true;
    }
    // Flags that take a value: inline (--flag=v) or the next argument.
    auto take = [&](std::string* into) -> bool {
      if (has_inline) {
        *into = value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *into = args[++i];
      return true;
    };
    std::string v;
    if (arg == "--kubeconfig") {
      if (!take(&o.kubeconfig)) return fail("--kubeconfig needs a file");
    } else if (arg == "--context") {
      if (!take(&o.context)) return fail("--context needs a name");
    } else if (arg == "-n" || arg == "--namespace") {
      if (!take(&o.namespace_)) return fail(arg + " needs a namespace");
    } else if (arg == "-A" || arg == "--all-namespaces") {
      o.all_namespaces = true;
    } else if (arg == "-o" || arg == "--output") {
      if (!take(&v)) return fail(arg + " needs json or yaml");
      if (v == "json")
        o.output = OutputFormat::kJson;
      else if (v == "yaml")
        o.output = OutputFormat::kYaml;
      else
        return fail("--output: \"" + v + "\" is not json or yaml");
    } else if (arg == "--color") {
      if (!take(&v)) return fail("--color needs auto, always or never");
      if (v == "auto")
        o.color = ColorMode::kAuto;
      else if (v == "always")
        o.color = ColorMode::kAlways;
      else if (v == "never")
        o.color = ColorMode::kNever;
      else
        return fail("--color: \"" + v + "\" is not auto, always or never");
    } else if (arg == "--wait") {
      o.wait = true;
    } else if (arg == "--timeout") {
      if (!take(&v)) return fail("--timeout needs a duration (90s, 5m, 1h)");
      auto d = ParseDuration(v);
      if (!d) return fail("--timeout: \"" + v + "\" is not a duration such as 90s, 5m or 1h");
      o.timeout = *d;
    } else if (arg == "--backup") {
      if (!take(&o.backup_id) || o.backup_id.empty()) return fail("--backup needs a backup name");
    } else if (arg == "--to-time") {
      if (!take(&o.to_time) || o.to_time.empty()) return fail("--to-time needs an RFC 3339 time");
    } else if (arg == "-y" || arg == "--yes") {
      o.yes = true;
    } else if (arg == "-h" || arg == "--help") {
      o.command = "help";
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      return fail("unknown flag " + arg);
    } else if (o.command.empty()) {
      o.command = arg;
    } else {
      o.positional.push_back(arg);
    }
  }
  if (o.command.empty()) return fail("no command given");
  out.options = o;
  return out;
}

}  // namespace tidemark::kubectl
