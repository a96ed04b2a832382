// The commands of kubectl-tidemark. Each takes the parsed options and a connection, writes its
// result to stdout (text, or -o json|yaml) and progress or warnings to stderr, and returns the
// Outcome main() turns into the exit code.
#pragma once

#include "kubectl-plugin/connect.h"
#include "kubectl-plugin/options.h"
#include "kubectl-plugin/outcome.h"

namespace tidemark::kubectl {

Outcome RunStatus(const Options& options, Connection& connection);
Outcome RunBackups(const Options& options, Connection& connection);
Outcome RunBackup(const Options& options, Connection& connection);
Outcome RunRestore(const Options& options, Connection& connection);
Outcome RunDrill(const Options& options, Connection& connection);
Outcome RunVerify(const Options& options, Connection& connection);

// The NAME argument of a command that needs exactly one; kExitUsage otherwise.
std::expected<std::string, Outcome> OneName(const Options& options);

}  // namespace tidemark::kubectl
