#include "core/backup/shutdown_position.h"

#include <charconv>

namespace tidemark::backup {

std::optional<FileTime> WrittenAfter(const std::vector<FileTime>& files, int64_t mtime_ns) {
  for (const auto& f : files)
    if (f.mtime_ns > mtime_ns) return f;
  return std::nullopt;
}

ShutdownPositionDecision ShutdownPositionOfAof(const KeptAofEvidence& e) {
  if (!e.rdb) return {std::nullopt, "no verified dump.rdb beside the AOF: its position is not known"};
  const std::string& rdb = e.rdb->path;
  if (!e.rdb_repl_id || !e.rdb_repl_offset || e.rdb_repl_id->empty())
    return {std::nullopt, rdb + " carries no repl-id/repl-offset (not saved by a Redis in a "
                                "replication chain): the AOF's position is not known"};
  uint64_t offset = 0;
  const std::string& text = *e.rdb_repl_offset;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (ec != std::errc() || end != text.data() + text.size())
    return {std::nullopt, rdb + " has repl-offset \"" + text + "\", not a number"};
  if (auto newer = WrittenAfter(e.aof_files, e.rdb->mtime_ns))
    return {std::nullopt, newer->path + " was written after " + rdb +
                              " (a crash, or a dump from an earlier save): the AOF holds writes "
                              "past that dump's position"};
  return {DataPosition{*e.rdb_repl_id, offset},
          rdb + " was saved after the last write to the AOF (a clean shutdown): the AOF holds "
                "the dataset at replid " + *e.rdb_repl_id + " offset " + text};
}

}  // namespace tidemark::backup
