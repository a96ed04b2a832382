#include "io/dir_list.h"

#include <dirent.h>

#include <algorithm>

#include "io/os_error.h"

namespace tidemark {

Result<std::vector<std::string>> ListDirectory(const std::string& dir, const std::string& what) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return OsErrorOrNotFound(what, dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tidemark
