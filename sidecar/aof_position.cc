#include "sidecar/aof_position.h"

#include <sys/stat.h>

#include "core/rdb/rdb_header.h"
#include "io/file_source.h"
#include "sidecar/restore_record.h"

namespace tidemark::sidecar {

std::optional<int64_t> MTimeNanos(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::vector<backup::FileTime> AofFileTimes(const RedisLayout& layout,
                                           const std::vector<std::string>& aof_files) {
  std::vector<std::string> paths = {layout.AofDir() + "/" + layout.appendfilename + ".manifest"};
  for (const auto& name : aof_files) paths.push_back(layout.AofDir() + "/" + name);
  std::vector<backup::FileTime> out;
  for (const auto& p : paths)
    if (auto t = MTimeNanos(p)) out.push_back({p, *t});
  return out;
}

std::optional<backup::DataPosition> CurrentRecordedPosition(const std::string& data_dir,
                                                            const std::string& aof_dir,
                                                            std::string& why_not) {
  auto record = ReadRestoreRecord(data_dir);
  if (!record) {
    why_not = record.error().ToString();
    return std::nullopt;
  }
  if (!*record || !(*record)->repl_offset || (*record)->repl_id.empty()) {
    why_not = "the restore record holds no replication position";
    return std::nullopt;
  }
  const std::string path = data_dir + "/" + kRestoreRecordName;
  auto at = MTimeNanos(path);
  if (!at) {
    why_not = "cannot stat " + path;
    return std::nullopt;
  }
  std::vector<backup::FileTime> files;
  for (const auto& name : ListNames(aof_dir))
    if (auto t = MTimeNanos(aof_dir + "/" + name)) files.push_back({aof_dir + "/" + name, *t});
  if (auto newer = backup::WrittenAfter(files, *at)) {
    why_not = newer->path + " was written after the restore record: its position no longer "
                            "describes the data";
    return std::nullopt;
  }
  return backup::DataPosition{(*record)->repl_id, *(*record)->repl_offset};
}

backup::ShutdownPositionDecision KeptAofPosition(const RedisLayout& layout,
                                                 const std::vector<std::string>& aof_files,
                                                 bool rdb_verified) {
  backup::KeptAofEvidence e;
  e.aof_files = AofFileTimes(layout, aof_files);
  const std::string rdb = layout.RdbPath();
  auto rdb_time = MTimeNanos(rdb);
  if (rdb_verified && rdb_time) {
    auto src = FileSource::Open(rdb);
    auto header = src ? ReadRdbHeader(*src, rdb) : Result<RdbHeader>(std::unexpected(src.error()));
    if (!header) return {std::nullopt, "cannot read the head of " + rdb + ": " + header.error().ToString()};
    e.rdb = backup::FileTime{rdb, *rdb_time};
    e.rdb_repl_id = header->Aux("repl-id");
    e.rdb_repl_offset = header->Aux("repl-offset");
  }
  return backup::ShutdownPositionOfAof(e);
}

}  // namespace tidemark::sidecar
