// Starting the test servers of tests/objstore (s3rver, the fault proxy): a child process that
// prints the port it bound on its standard output.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tidemark::testing {

struct SpawnedServer {
  pid_t pid = -1;
  int port = 0;
};

// Runs `argv` (argv[0] looked up in PATH) and reads its standard output until a line containing
// `marker`; the port is the number at the end of that line. Throws std::runtime_error (and
// kills the child) when none comes.
SpawnedServer SpawnServer(const std::vector<std::string>& argv, const std::string& marker);
// SIGTERM and wait.
void StopServer(SpawnedServer& server);

}  // namespace tidemark::testing
