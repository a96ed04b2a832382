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
// returns its pid (-1 if it could not start). The caller waits for it.
pid_t SpawnSidecar(const std::vector<std::string>& args, const std::string& log);
// A loopback TCP port free at the time of the call (for --listen 127.0.0.1:PORT).
int FreePort();
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

// Removes everything inside `dir`, hidden files included; keeps `dir`.
void WipeDir(const std::string& dir);
// Plain names in `dir`, sorted, hidden files included.
std::vector<std::string> ListDir(const std::string& dir);
// XORs the byte at `offset` (negative: from the end) with `mask`.
void FlipByte(const std::string& path, long offset, unsigned char mask = 0x20);

}  // namespace tidemark::testing
