#include "sidecar/lineage_marker.h"

#include <sys/stat.h>

#include "core/backup/utc_time.h"
#include "io/durable_file.h"
#include "io/file_source.h"
#include "sidecar/json_log.h"

namespace tidemark::sidecar {

namespace {

std::string MarkerPath(const std::string& dir) { return dir + "/" + kLineageMarkerFile; }

bool Present(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Result<bool> WriteLineageMarkerOnce(const std::string& dir, const backup::Lineage& lineage,
                                    int64_t now, FileSystem& fs) {
  const std::string path = MarkerPath(dir);
  if (Present(path)) return false;
  const std::string text = "{\"instance\":" + JsonQuote(lineage.instance) +
                           ",\"uid\":" + JsonQuote(lineage.uid) +
                           ",\"firstDataAt\":" + JsonQuote(backup::FormatIsoUtc(now)) + "}\n";
  if (auto s = WriteFileDurably(path, text, 0644, fs); !s) return std::unexpected(s.error());
  return true;
}

std::optional<std::string> DescribeLineageMarker(const std::string& dir) {
  const std::string path = MarkerPath(dir);
  if (!Present(path)) return std::nullopt;
  auto text = ReadSmallFile(path, 4096);
  if (!text) return path + " (unreadable: " + text.error().ToString() + ")";
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return path + ": " + *text;
}

}  // namespace tidemark::sidecar
