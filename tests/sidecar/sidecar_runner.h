// Running the tidemark-sidecar binary from integration tests, and the data-directory chores
// around it (wiping a volume, corrupting a byte).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

struct SidecarRun {
  int rc = -1;
  std::string out;  // stdout: JSON log lines
  std::string err;  // stderr
  // Every stdout line is one JSON object with ts, level and msg.
  bool AllLinesAreJson() const;
  bool Logged(const std::string& fragment) const { return out.find(fragment) != std::string::npos; }
};

// Runs tidemark-sidecar with `args` (each one argument).
SidecarRun RunSidecar(const std::vector<std::string>& args);
// Starts tidemark-sidecar with `args` in the background, stdout and stderr to the file `log`;
// returns its pid (-1 if it could not start). The caller waits for it. `extra_env` ("NAME=value")
// is added to the test's environment.
pid_t SpawnSidecar(const std::vector<std::string>& args, const std::string& log,
                   const std::vector<std::string>& extra_env = {});
// A loopback TCP port that was free a moment ago.
int FreePort();

// `tidemark-sidecar run` as a child process, its stdout in a file; SIGTERM on destruction.
class RunningSidecar {
 public:
  // `env`: "NAME=value" entries added to this process's environment (e.g. POD_NAME).
  RunningSidecar(std::vector<std::string> args, const std::string& log,
                 const std::vector<std::string>& env = {});
  ~RunningSidecar() { Stop(); }
  RunningSidecar(const RunningSidecar&) = delete;
  RunningSidecar& operator=(const RunningSidecar&) = delete;
  // SIGTERM; returns the exit status (or -1 if it had to be killed).
  int Stop();
  std::string Log() const;

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = -1;
};

struct Reply {
  int status = 0;
  std::string body;
};

// A minimal HTTP/1.1 client on a plain socket (one request per connection): tests need status
// and body only, and stay independent of the HTTP library the sidecar uses. `headers` are extra
// "Name: value" lines.
Reply Http(int port, const std::string& method, const std::string& path,
           const std::vector<std::string>& headers = {});

// Polls `done` every `step_ms` until it holds or `ms` passed; returns its last value.
bool WaitFor(const std::function<bool()>& done, int ms, int step_ms = 20);

// A fixture base: a fresh temporary directory holding an empty data directory and backup store.
template <class Base = ::testing::Test>
class WithDataAndStore : public Base {
 protected:
  WithDataAndStore() : data_(tmp_.File("data")), store_(tmp_.File("store")) {
    ::mkdir(data_.c_str(), 0755);
    ::mkdir(store_.c_str(), 0755);
  }
  TempDir tmp_;
  std::string data_, store_;
};

// `policy` (the golden hybrid policy's text) with retention keeping only the newest `n` backups.
std::string KeepingOnlyTheLast(std::string policy, int n);

// Removes everything inside `dir`, hidden files included; keeps `dir`.
void WipeDir(const std::string& dir);
// Plain names in `dir`, sorted, hidden files included.
std::vector<std::string> ListDir(const std::string& dir);
// XORs the byte at `offset` (negative: from the end) with `mask`.
void FlipByte(const std::string& path, long offset, unsigned char mask = 0x20);

}  // namespace tidemark::testing
