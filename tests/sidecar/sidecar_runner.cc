#include "tests/sidecar/sidecar_runner.h"

#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool SidecarRun::AllLinesAreJson() const {
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) return false;  // every line ends with a newline
    std::string line = out.substr(pos, nl - pos);
    if (!line.starts_with("{\"ts\":\"") || !line.ends_with("}") ||
        line.find("\"level\":") == std::string::npos || line.find("\"msg\":") == std::string::npos)
      return false;
    pos = nl + 1;
  }
  return !out.empty();
}

SidecarRun RunSidecar(const std::vector<std::string>& args) {
  TempDir tmp;
  std::string cmd = TIDEMARK_SIDECAR;
  for (const auto& a : args) cmd += " " + Quote(a);
  SidecarRun run;
  run.rc = RunCommand(cmd + " 2>" + tmp.File("err"), &run.out);
  run.err = ReadFile(tmp.File("err"));
  return run;
}

void WipeDir(const std::string& dir) {
  for (const auto& name : ListDir(dir))
    if (RunCommand("rm -rf " + Quote(dir + "/" + name)) != 0)
      throw std::runtime_error("cannot remove " + dir + "/" + name);
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        names.emplace_back(e->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void FlipByte(const std::string& path, long offset, unsigned char mask) {
  std::string bytes = ReadFile(path);
  long at = offset < 0 ? static_cast<long>(bytes.size()) + offset : offset;
  if (at < 0 || at >= static_cast<long>(bytes.size()))
    throw std::runtime_error("offset outside " + path);
  bytes[static_cast<size_t>(at)] = static_cast<char>(bytes[static_cast<size_t>(at)] ^ mask);
  WriteFile(path, bytes);
}

}  // namespace tidemark::testing
