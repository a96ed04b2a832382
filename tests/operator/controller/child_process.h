// A program run as a child process by a test (the operator binary, the sidecar binary), its
// stdout and stderr in a log file that a failing test prints. Killed when the object goes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace tidemark::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (for a child that needs a fixed port).
int FreeLoopbackPort();

// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last answer.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout);

class ChildProcess {
 public:
  // Runs `binary` with `args`; `env` ("NAME=value") replaces the same names of this process's
  // environment, and KUBECONFIG is never inherited.
  ChildProcess(const std::string& binary, std::vector<std::string> args,
               const std::vector<std::string>& env, const std::string& log_path);
  ~ChildProcess();  // SIGKILL when still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Running();
  // SIGTERM, then the exit status (128+signal when killed by one; -1 when it did not exit
  // within `timeout`).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace tidemark::testing
