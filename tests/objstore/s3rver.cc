#include "tests/objstore/s3rver.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace tidemark::testing {

S3rver::S3rver(const std::string& bucket) {
  std::string script = std::string(TIDEMARK_SOURCE_DIR) + "/tools/node_modules/s3rver/bin/s3rver.js";
  if (access(script.c_str(), R_OK) != 0)
    throw std::runtime_error("s3rver is not installed (" + script + "): run make setup");
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string data = dir_.path();
  // s3rver encrypts continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  std::vector<std::string> args = {"node", "--openssl-legacy-provider", script, "-d", data, "-a", "127.0.0.1", "-p", "0",
                                   "--silent", "--configure-bucket", bucket};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start node for s3rver");
  }
  // The CLI prints "S3rver listening on 127.0.0.1:PORT" once the socket is bound.
  FILE* f = fdopen(out[0], "r");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    std::string s(line);
    size_t at = s.find("listening on ");
    if (at == std::string::npos) continue;
    size_t colon = s.rfind(':');
    port_ = std::stoi(s.substr(colon + 1));
    break;
  }
  fclose(f);
  if (port_ == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("s3rver did not report its port");
  }
}

S3rver::~S3rver() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace tidemark::testing
