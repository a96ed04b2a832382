#include "tests/core/policy/test_files.h"

#include <algorithm>
#include <filesystem>

namespace tidemark::policy::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(TIDEMARK_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> YamlFiles(const std::string& relative_dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath(relative_dir))) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string Header(const std::string& text, const std::string& name) {
  const std::string prefix = "# " + name + ": ";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    pos = end + 1;
  }
  return "";
}

}  // namespace tidemark::policy::testing
