#include "tests/objstore/spawn_server.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

extern char** environ;

namespace tidemark::testing {

SpawnedServer SpawnServer(const std::vector<std::string>& args, const std::string& marker) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  SpawnedServer server;
  int rc = posix_spawnp(&server.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + args[0]);
  }
  FILE* f = fdopen(out[0], "r");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    std::string s(line);
    if (s.find(marker) == std::string::npos) continue;
    size_t colon = s.find_last_of(": ");
    server.port = std::stoi(s.substr(colon + 1));
    break;
  }
  // The servers print nothing after their port line, so closing the pipe cannot stop them.
  fclose(f);
  if (server.port == 0) {
    StopServer(server);
    throw std::runtime_error(args[0] + " " + (args.size() > 1 ? args[1] : "") +
                             " did not report its port");
  }
  return server;
}

void StopServer(SpawnedServer& server) {
  if (server.pid <= 0) return;
  kill(server.pid, SIGTERM);
  waitpid(server.pid, nullptr, 0);
  server.pid = -1;
}

}  // namespace tidemark::testing
