// The subcommands of `tidemark-sidecar`. Each takes the arguments after its name, logs JSON
// lines to stdout (usage errors go to stderr as text) and returns the exit code:
// 0 done, 1 failed (the log says why and what to do), 2 usage error, 3 skipped (drill only),
// 4 partial (backup only: published to some destinations of the policy, not all; the log names
// each one that missed it, why, and what to do).
#pragma once

#include <string>
#include <vector>

namespace tidemark::sidecar {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSkipped = 3;
inline constexpr int kExitPartial = 4;

int RunBackupCommand(const std::vector<std::string>& args);
int RunRestoreCommand(const std::vector<std::string>& args);
int RunRunCommand(const std::vector<std::string>& args);
int RunDrillCommand(const std::vector<std::string>& args);

// Where scratch directories go by default: $TMPDIR, else /tmp.
std::string DefaultWorkDir();

// The pod name for log lines and metadata: $POD_NAME, else $HOSTNAME, else "".
std::string PodName();

// --replica-unless-pod-0 (restore, run): the operator renders one container spec for every
// ordinal, and the Redis container's rule decides which pods start as replicas: a $POD_NAME
// (not $HOSTNAME) that does not end in -0. An unset name is taken as pod 0, the stricter case.
bool ReplicaByPodName();

}  // namespace tidemark::sidecar
