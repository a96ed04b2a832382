#include "core/aof/aof_verifier.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/aof/aof_format.h"
#include "core/aof/command_table.h"
#include "core/aof/manifest.h"
#include "core/aof/resp.h"
#include "core/rdb/rdb_verifier.h"

namespace tidemark::aof {

namespace {

// Replays the first bytes read to sniff the format, then passes reads through.
class PrefixSource final : public ByteSource {
 public:
  PrefixSource(ByteSource& inner, std::span<const uint8_t> prefix)
      : inner_(inner), prefix_(prefix.begin(), prefix.end()) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (pos_ < prefix_.size()) {
      size_t n = std::min(out.size(), prefix_.size() - pos_);
      std::memcpy(out.data(), prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return inner_.Read(out);
  }

 private:
  ByteSource& inner_;
  std::vector<uint8_t> prefix_;
  size_t pos_ = 0;
};

// Reads up to `want` bytes (fewer only at the end of input).
Result<size_t> ReadUpTo(ByteSource& src, std::span<uint8_t> out) {
  size_t got = 0;
  while (got < out.size()) {
    auto n = src.Read(out.subspan(got));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    got += *n;
  }
  return got;
}

bool ParseSelectIndex(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  uint64_t v = 0;
  for (char c : text) v = v * 10 + static_cast<uint64_t>(c - '0');
  *out = v;
  return true;
}

void SetCorrupt(AofFileReport& r, Error e) {
  r.verdict = AofVerdict::kCorrupt;
  r.bytes_to_cut = 0;
  r.error = std::move(e);
}

}  // namespace

const char* AofPartTypeName(AofPartType t) {
  switch (t) {
    case AofPartType::kBase: return "base";
    case AofPartType::kIncr: return "incr";
    case AofPartType::kLegacy: return "legacy";
  }
  return "?";
}
const char* AofPartFormatName(AofPartFormat f) {
  return f == AofPartFormat::kAof ? "aof" : "rdb-preamble";
}
const char* AofVerdictName(AofVerdict v) {
  switch (v) {
    case AofVerdict::kValid: return "valid";
    case AofVerdict::kTruncated: return "truncated";
    case AofVerdict::kCorrupt: return "corrupt";
  }
  return "?";
}

uint64_t AofReport::total_commands() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.commands;
  return n;
}
uint64_t AofReport::total_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.bytes;
  return n;
}
std::optional<int64_t> AofReport::first_timestamp() const {
  for (const auto& f : files)
    if (f.first_timestamp) return f.first_timestamp;
  return std::nullopt;
}
std::optional<int64_t> AofReport::last_timestamp() const {
  for (auto it = files.rbegin(); it != files.rend(); ++it)
    if (it->last_timestamp) return it->last_timestamp;
  return std::nullopt;
}

void VerifyAofCommands(ByteSource& source, uint64_t start_offset, const AofVerifyOptions& options,
                       AofFileReport& report) {
  RespReader reader(source, start_offset, report.name);
  report.last_good_offset = start_offset;
  // Counted by table index while streaming; turned into names once at the end.
  std::vector<uint64_t> counts(AofCommandTableSize());
  struct CountsToNames {
    std::vector<uint64_t>& counts;
    AofFileReport& report;
    ~CountsToNames() {
      for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i]) report.commands_by_name[std::string(AofCommandAt(i).name)] += counts[i];
    }
  } counts_to_names{counts, report};
  // The commands the loop treats specially, compared by table index for every record.
  const int kMultiIndex = FindAofCommand(kMulti);
  const int kExecIndex = FindAofCommand(kExec);
  const int kSelectIndex = FindAofCommand(kSelect);
  bool in_multi = false;
  uint64_t multi_start = 0;
  uint64_t multi_line_commands = 0;
  auto corrupt = [&](uint64_t at, std::string message) {
    SetCorrupt(report, Error{ErrorCode::kCorrupt, report.name, static_cast<int64_t>(at),
                             std::move(message)});
  };
  for (;;) {
    auto next = reader.Next();
    if (!next) {
      Error e = next.error();
      if (e.code == ErrorCode::kTruncated) {
        report.verdict = AofVerdict::kTruncated;
        report.error = std::move(e);
      } else if (e.code == ErrorCode::kCorrupt) {
        auto zero = reader.RestIsZero();
        if (!zero) {
          SetCorrupt(report, zero.error());
          return;
        }
        if (*zero) {
          report.verdict = AofVerdict::kTruncated;
          report.zero_filled_tail = true;
          e.code = ErrorCode::kTruncated;
          e.message = "NUL bytes from here to the end of the file (space allocated but never "
                      "written before a crash); redis-server refuses this even with "
                      "aof-load-truncated yes";
          report.error = std::move(e);
        } else {
          SetCorrupt(report, std::move(e));
          return;
        }
      } else {
        SetCorrupt(report, std::move(e));  // I/O error: reported as is
        return;
      }
      break;
    }
    if (!*next) {
      if (in_multi) {
        report.verdict = AofVerdict::kTruncated;
        report.error = Error{ErrorCode::kTruncated, report.name, static_cast<int64_t>(multi_start),
                             "the file ends inside MULTI...EXEC (" +
                                 std::to_string(multi_line_commands) +
                                 " queued commands, no EXEC): redis-server reverts the "
                                 "transaction and cuts it off"};
      }
      break;
    }
    const AofRecord& rec = **next;
    if (rec.kind == RecordKind::kAnnotation) {
      ++report.annotations;
      if (rec.timestamp) {
        ++report.timestamps;
        if (!report.first_timestamp) report.first_timestamp = rec.timestamp;
        report.last_timestamp = rec.timestamp;
        if (options.truncate_after_timestamp && !report.timestamp_cut_offset &&
            *rec.timestamp > *options.truncate_after_timestamp) {
          report.timestamp_cut_offset = in_multi ? multi_start : rec.offset;
          report.timestamp_cut_at = rec.timestamp;
        }
      }
      if (!in_multi) report.last_good_offset = rec.end;
      continue;
    }
    const AofCommandCheck check = CheckAofCommand(rec.name, rec.arg1, rec.argc);
    if (check.problem) {
      if (!(check.unknown && options.allow_unknown_commands)) {
        corrupt(rec.offset, *check.problem);
        return;
      }
      ++report.unknown_commands;
    } else {
      ++counts[static_cast<size_t>(check.index)];
    }
    const int index = check.problem ? -1 : check.index;
    ++report.commands;
    if (!report.first_timestamp) ++report.commands_before_first_timestamp;
    if (index == kMultiIndex) {
      if (in_multi) {
        corrupt(rec.offset, "MULTI inside MULTI (the transaction opened at offset " +
                                std::to_string(multi_start) + " has no EXEC)");
        return;
      }
      in_multi = true;
      multi_start = rec.offset;
      multi_line_commands = 0;
      continue;
    }
    if (index == kExecIndex) {
      if (!in_multi) {
        corrupt(rec.offset, "EXEC without MULTI");
        return;
      }
      in_multi = false;
      ++report.transactions;
      report.last_good_offset = rec.end;
      continue;
    }
    if (index == kSelectIndex) {
      uint64_t db = 0;
      if (!ParseSelectIndex(rec.arg1, &db) || db >= options.databases) {
        corrupt(rec.offset, "SELECT '" + std::string(rec.arg1) + "': expected a database index below " +
                                std::to_string(options.databases) +
                                " (redis-server ignores a failing SELECT and applies the "
                                "following writes to the previous database)");
        return;
      }
    }
    if (in_multi) {
      ++multi_line_commands;
    } else {
      report.last_good_offset = rec.end;
    }
  }
  if (report.verdict == AofVerdict::kTruncated)
    report.bytes_to_cut = report.bytes > report.last_good_offset ? report.bytes - report.last_good_offset : 0;
  else
    report.last_good_offset = std::max(report.last_good_offset, reader.offset());
}

AofFileReport VerifyAofFile(AofFileOpener& opener, const std::string& name, AofPartType type,
                            bool last, const AofVerifyOptions& options) {
  AofFileReport r;
  r.name = name;
  r.type = type;
  r.last = last;
  auto opened = opener.Open(name, 0);
  if (!opened) {
    SetCorrupt(r, opened.error());
    if (r.error->code == ErrorCode::kNotFound)
      r.error->message = "listed in the manifest but missing: " + r.error->message;
    return r;
  }
  r.bytes = opened->size;
  uint8_t head[5];
  auto got = ReadUpTo(*opened->source, head);
  if (!got) {
    SetCorrupt(r, got.error());
    return r;
  }
  PrefixSource sniffed(*opened->source, std::span<const uint8_t>(head, *got));
  const bool is_rdb = *got == kRdbMagic.size() && std::memcmp(head, kRdbMagic.data(), 5) == 0;
  if (!is_rdb) {
    VerifyAofCommands(sniffed, 0, options, r);
  } else {
    r.format = AofPartFormat::kRdbPreamble;
    RdbVerifyOptions ro;
    ro.name = name;
    ro.allow_trailing_data = true;
    ro.max_version = options.max_rdb_version;
    ro.check_duplicate_keys = options.check_duplicate_keys;
    ro.max_tracked_members = options.max_tracked_members;
    RdbReport rdb = VerifyRdb(sniffed, ro);
    r.rdb_version = rdb.rdb_version;
    r.rdb_keys = rdb.total_keys();
    if (auto ctime = rdb.Aux("ctime")) {
      int64_t v = 0;
      bool ok = !ctime->empty();
      for (char c : *ctime) {
        if (c < '0' || c > '9') ok = false;
        else v = v * 10 + (c - '0');
      }
      if (ok) r.rdb_ctime = v;
    }
    if (!rdb.valid()) {
      Error e = *rdb.error;
      e.message = "RDB part: " + e.message + " (an RDB part cannot be repaired by cutting)";
      SetCorrupt(r, std::move(e));
      return r;
    }
    r.rdb_bytes = rdb.bytes;
    opened->source.reset();
    auto tail = opener.Open(name, rdb.bytes);
    if (!tail) {
      SetCorrupt(r, tail.error());
      return r;
    }
    VerifyAofCommands(*tail->source, rdb.bytes, options, r);
  }
  if (r.verdict == AofVerdict::kTruncated && !last) {
    Error e = *r.error;
    e.code = ErrorCode::kCorrupt;
    e.message += "; this is not the last file, so redis-server refuses it and no cut can help";
    SetCorrupt(r, std::move(e));
  }
  return r;
}

namespace {
void Finish(AofReport& report) {
  report.command_table_size = AofCommandTableSize();
  for (const auto& f : report.files) {
    if (f.verdict == AofVerdict::kValid) continue;
    if (!report.error) report.error = f.error;
    if (f.verdict == AofVerdict::kCorrupt || report.verdict == AofVerdict::kValid)
      report.verdict = f.verdict;
  }
  if (report.error && report.verdict == AofVerdict::kValid) report.verdict = AofVerdict::kCorrupt;
}
}  // namespace

AofReport VerifyAofDirectory(std::string_view manifest_text, const std::string& manifest_name,
                             AofFileOpener& opener, const AofVerifyOptions& options) {
  AofReport report;
  report.multi_part = true;
  report.manifest = manifest_name;
  auto manifest = ParseManifest(manifest_text, manifest_name);
  if (!manifest) {
    report.error = manifest.error();
    Finish(report);
    return report;
  }
  for (const auto& h : manifest->history) report.history_files.push_back(h.name);
  auto order = manifest->LoadOrder();
  for (size_t i = 0; i < order.size(); ++i) {
    const ManifestEntry& e = *order[i];
    report.files.push_back(VerifyAofFile(
        opener, e.name, e.type == ManifestFileType::kBase ? AofPartType::kBase : AofPartType::kIncr,
        i + 1 == order.size(), options));
    // Redis stops at the first file it cannot load; later files are still checked for
    // existence and syntax so the report shows everything that needs attention.
  }
  Finish(report);
  return report;
}

AofReport VerifyLegacyAof(AofFileOpener& opener, const std::string& name,
                          const AofVerifyOptions& options) {
  AofReport report;
  report.files.push_back(VerifyAofFile(opener, name, AofPartType::kLegacy, true, options));
  Finish(report);
  return report;
}

Status CheckDirectoryWithoutManifest(const std::vector<std::string>& names,
                                     const std::string& dir) {
  std::vector<std::string> parts;
  for (const auto& n : names) {
    if (n.ends_with(".base.rdb") || n.ends_with(".base.aof") || n.ends_with(".incr.aof"))
      parts.push_back(n);
  }
  if (parts.empty()) return {};
  std::sort(parts.begin(), parts.end());
  std::string list;
  for (size_t i = 0; i < parts.size() && i < 5; ++i) list += (i ? ", " : "") + parts[i];
  if (parts.size() > 5) list += ", ...";
  return MakeError(ErrorCode::kCorrupt,
                   "no manifest (*.manifest) but " + std::to_string(parts.size()) +
                       " AOF files (" + list +
                       "): redis-server would ignore them and start without that data",
                   -1, dir);
}

}  // namespace tidemark::aof
