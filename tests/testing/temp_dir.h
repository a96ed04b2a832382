// A directory under $TMPDIR removed with its contents when the object goes away.
#pragma once

#include <string>

namespace tidemark::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
// Runs a shell command, returns its exit status and (optionally) its stdout.
int RunCommand(const std::string& command, std::string* out = nullptr);

}  // namespace tidemark::testing
