// Running the tidemark-sidecar binary from integration tests, and the data-directory chores
// around it (wiping a volume, corrupting a byte).
#pragma once

#include <string>
#include <vector>

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

// Removes everything inside `dir`, hidden files included; keeps `dir`.
void WipeDir(const std::string& dir);
// Plain names in `dir`, sorted, hidden files included.
std::vector<std::string> ListDir(const std::string& dir);
// XORs the byte at `offset` (negative: from the end) with `mask`.
void FlipByte(const std::string& path, long offset, unsigned char mask = 0x20);

}  // namespace tidemark::testing
