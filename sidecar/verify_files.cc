#include "sidecar/verify_files.h"

#include <sys/stat.h>

#include <vector>

#include "core/rdb/rdb_verifier.h"
#include "io/aof_files.h"
#include "io/dir_list.h"
#include "io/file_source.h"
#include "sidecar/json_log.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

namespace {

bool IsRegular(const std::string& path, int64_t* size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *size = st.st_size;
  return true;
}

std::string FileJson(const std::string& path, const char* kind, bool valid, int64_t bytes,
                     const std::string& count_name, uint64_t count, const std::string& error) {
  return "{\"path\":" + JsonQuote(path) + ",\"kind\":\"" + kind +
         "\",\"valid\":" + (valid ? "true" : "false") + ",\"bytes\":" + std::to_string(bytes) +
         ",\"" + count_name + "\":" + std::to_string(count) +
         ",\"error\":" + (error.empty() ? "null" : JsonQuote(error)) + "}";
}

}  // namespace

VerifyAnswer VerifyDataFiles(const std::string& data_dir, const std::string& pod) {
  VerifyAnswer answer;
  std::vector<std::string> files;
  auto names = ListDirectory(data_dir, "cannot list the data directory");
  std::string listing_error;
  if (!names) {
    answer.valid = false;
    listing_error = names.error().ToString();
  }
  for (const std::string& name : names ? *names : std::vector<std::string>{}) {
    if (name.empty() || name[0] == '.' || name.size() < 5 ||
        name.compare(name.size() - 4, 4, ".rdb") != 0)
      continue;
    const std::string path = data_dir + "/" + name;
    int64_t size = 0;
    if (!IsRegular(path, &size)) continue;
    auto source = FileSource::Open(path);
    if (!source) {
      answer.valid = false;
      files.push_back(FileJson(path, "rdb", false, size, "keys", 0, source.error().ToString()));
      continue;
    }
    RdbReport report = VerifyRdb(*source, {.name = path,
                                           .check_duplicate_keys = false,
                                           .max_tracked_members = kDuplicateCheckMaxMembers});
    answer.valid = answer.valid && report.valid();
    files.push_back(FileJson(path, "rdb", report.valid(), size, "keys", report.total_keys(),
                             report.error ? report.error->ToString() : ""));
  }
  if (names) {
    auto where = LocateAof(data_dir);
    if (where) {
      const std::string path =
          where->multi_part ? where->dir + "/" + where->manifest : where->dir + "/" + where->file;
      auto report =
          VerifyLiveAof(*where, BoundedAofVerifyOptions(aof::AofVerifyOptions{}.max_rdb_version));
      if (!report) {
        answer.valid = false;
        files.push_back(FileJson(path, "aof", false, 0, "commands", 0, report.error().ToString()));
      } else {
        answer.valid = answer.valid && report->valid();
        files.push_back(FileJson(
            path, "aof", report->valid(), static_cast<int64_t>(report->total_bytes()), "commands",
            report->total_commands(), report->error ? report->error->ToString() : ""));
      }
    } else if (where.error().code != ErrorCode::kNotFound) {
      answer.valid = false;
      files.push_back(FileJson(data_dir, "aof", false, 0, "commands", 0, where.error().ToString()));
    }
  }
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ",") + f;
  answer.json = "{\"pod\":" + JsonQuote(pod) + ",\"dataDir\":" + JsonQuote(data_dir) +
                ",\"valid\":" + (answer.valid ? "true" : "false") + ",\"files\":[" + list + "]" +
                (listing_error.empty() ? "" : ",\"error\":" + JsonQuote(listing_error)) + "}\n";
  return answer;
}

}  // namespace tidemark::sidecar
