#include <cstdio>

#include "cli/commands.h"

namespace tidemark::cli {
int RunVerifyAof(const Args&) {
  std::fputs("tidemark: verify aof is not built yet\n", stderr);
  return kExitUsage;
}
}  // namespace tidemark::cli
