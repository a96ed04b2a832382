// The subcommands of `tidemark-sidecar`. Each takes the arguments after its name, logs JSON
// lines to stdout (usage errors go to stderr as text) and returns the exit code:
// 0 done, 1 failed (the log says why and what to do), 2 usage error, 3 skipped (drill only).
#pragma once

#include <string>
#include <vector>

namespace tidemark::sidecar {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSkipped = 3;

int RunBackupCommand(const std::vector<std::string>& args);
int RunRestoreCommand(const std::vector<std::string>& args);
int RunRunCommand(const std::vector<std::string>& args);
int RunDrillCommand(const std::vector<std::string>& args);

// Where scratch directories go by default: $TMPDIR, else /tmp.
std::string DefaultWorkDir();

// The pod name for log lines and metadata: $POD_NAME, else $HOSTNAME, else "".
std::string PodName();

}  // namespace tidemark::sidecar
