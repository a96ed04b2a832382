// A real, throw-away redis-server (Debian's) for integration tests: its own directory, a unix
// socket, no TCP port, stopped (without saving) when the object goes away.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tidemark::testing {

class RedisServer {
 public:
  // Starts redis-server in `dir` with `extra_config` lines ("appendonly yes", ...), waits until
  // it answers PING. Throws std::runtime_error if it does not come up.
  explicit RedisServer(std::string dir, std::vector<std::string> extra_config = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Runs redis-cli with the given arguments (each one argument); returns trimmed stdout.
  std::string Cli(const std::vector<std::string>& args) const;
  // Runs a batch of commands, one per line, through redis-cli's stdin.
  void Pipe(const std::string& commands) const;
  std::string Digest() const { return Cli({"DEBUG", "DIGEST"}); }
  // SAVE in the foreground (test fixtures only: a real sidecar never blocks Redis this way).
  void Save() const;
  // BGREWRITEAOF and wait until it finished.
  void RewriteAof() const;
  // Stops the server: SHUTDOWN NOSAVE, waits for the process.
  void Stop();
  // Stops it the way Kubernetes does: SIGTERM (Redis shuts down as shutdown-on-sigterm says),
  // waits for the process; false when it did not exit within `ms` (then it was SIGKILLed).
  bool Terminate(int ms = 30000);
  // SIGKILL: a crash, nothing flushed or saved.
  void Kill();

  const std::string& dir() const { return dir_; }
  const std::string& socket() const { return socket_; }

 private:
  std::string dir_;
  std::string socket_;
  // Sends `sig`, waits up to `ms` for the exit; SIGKILL after that. True when it exited in time.
  bool Signal(int sig, int ms);

  pid_t pid_ = -1;
};

}  // namespace tidemark::testing
