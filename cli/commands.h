// The subcommands of `tidemark`. Each takes the arguments after its name and returns the exit
// code: 0 valid / success, 1 invalid (corrupt or truncated input), 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

namespace tidemark::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

using Args = std::vector<std::string>;

int RunVerifyRdb(const Args& args);
int RunVerifyAof(const Args& args);
int RunRender(const Args& args);
int RunDigestRdb(const Args& args);
int RunInspect(const Args& args);

}  // namespace tidemark::cli
