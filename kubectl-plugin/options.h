// The command line of kubectl-tidemark: `kubectl tidemark COMMAND [NAME] [flags]`, with kubectl's
// own connection flags (--kubeconfig, --context, -n/--namespace, -A/--all-namespaces) accepted
// anywhere, as kubectl accepts them. Pure: argv in, Options or a usage message out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::kubectl {

enum class OutputFormat { kText, kJson, kYaml };
enum class ColorMode { kAuto, kAlways, kNever };

struct Options {
  std::string command;                  // status, backup, backups, restore, drill, verify, help
  std::vector<std::string> positional;  // after the command: NAME
  std::string kubeconfig;               // --kubeconfig; "" : KUBECONFIG, then ~/.kube/config
  std::string context;                  // --context; "" : current-context
  std::string namespace_;               // -n; "" : the context's namespace
  bool all_namespaces = false;          // -A (status without NAME)
  OutputFormat output = OutputFormat::kText;
  ColorMode color = ColorMode::kAuto;
  bool wait = false;                  // backup, drill
  std::chrono::seconds timeout{300};  // --timeout for --wait (and the restore follow-up)
  std::string backup_id;              // restore --backup
  std::string to_time;                // restore --to-time (RFC 3339)
  bool yes = false;                   // restore: no confirmation prompt
};

// The usage text (kubectl-tidemark --help).
const char* UsageText();

// Options, or a message saying which argument is wrong (exit code 2).
struct ParsedOptions {
  std::optional<Options> options;
  std::string error;
};
ParsedOptions ParseOptions(const std::vector<std::string>& args);

// "90", "90s", "5m", "1h" -> seconds; nullopt when not one of those.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text);

}  // namespace tidemark::kubectl
