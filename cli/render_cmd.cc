#include <cstdio>

#include "cli/commands.h"

namespace tidemark::cli {
int RunRender(const Args&) {
  std::fputs("tidemark: render is not built yet\n", stderr);
  return kExitUsage;
}
}  // namespace tidemark::cli
