#include "sidecar/point_in_time.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <cpprest/json.h>

#include "core/aof/aof_plan.h"
#include "core/aof/manifest.h"
#include "core/backup/utc_time.h"
#include "io/aof_files.h"
#include "io/durable_file.h"
#include "io/file_source.h"
#include "sidecar/install.h"
#include "sidecar/json_log.h"
#include "sidecar/verify_budget.h"
#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kMarkerApiVersion = "tidemark.dev/point-in-time/v1";

std::string Parent(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

// A sibling of `dir` holding a hard link to each of its files: the original, whole and
// loadable, at no cost in space. Files replaced later by rename keep their bytes here.
Result<std::string> LinkCopy(const std::string& dir, int64_t now) {
  const std::string base = dir + ".before-pitr-" + backup::FormatCompactUtc(now);
  std::string to = base;
  struct stat st{};
  for (int n = 1; ::lstat(to.c_str(), &st) == 0; ++n) to = base + "-" + std::to_string(n);
  if (::mkdir(to.c_str(), 0755) != 0) return OsError("cannot create", to, errno);
  for (const auto& name : ListNames(dir)) {
    const std::string from = dir + "/" + name;
    if (::lstat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::link(from.c_str(), (to + "/" + name).c_str()) != 0)
      return OsError("cannot keep the original (hard link into " + to + ")", from, errno);
  }
  if (auto s = SyncDirectory(to); !s) return std::unexpected(s.error());
  if (auto s = SyncDirectory(Parent(dir)); !s) return std::unexpected(s.error());
  return to;
}

std::string RenderManifest(const aof::Manifest& m) {
  // Redis's own order: base, history, incremental files.
  std::string text;
  if (m.base) text += aof::FormatManifestLine(*m.base);
  for (const auto& e : m.history) text += aof::FormatManifestLine(e);
  for (const auto& e : m.incrs) text += aof::FormatManifestLine(e);
  return text;
}

}  // namespace

Result<PointInTime> ParsePointInTime(const std::string& text, const std::string& where) {
  auto t = backup::ParseRfc3339(text);
  if (!t)
    return MakeError(ErrorCode::kInvalidArgument,
                     "point in time '" + text +
                         "': expected an RFC 3339 time such as 2026-11-28T02:15:00Z",
                     -1, where);
  PointInTime p;
  p.unix = *t;
  p.text = text;
  return p;
}

Result<AofRewind> RewindAofToTime(const std::string& aof_dir, const std::string& prefix, int64_t t,
                                  uint32_t max_rdb_version, int64_t now) {
  AofLocation where;
  where.multi_part = true;
  where.dir = aof_dir;
  where.manifest = prefix + ".manifest";
  aof::AofVerifyOptions vopt = BoundedAofVerifyOptions(max_rdb_version);
  vopt.truncate_after_timestamp = t;
  auto report = VerifyAofAt(where, vopt);
  if (!report) return std::unexpected(report.error());
  AofRewind out;
  auto plan = aof::PlanAofCut(*report, aof::AofCutMode::kRewindToTimestamp, t);
  if (!plan) {
    out.why_not = plan.error().message;
    return out;
  }
  out.reachable = true;
  if (!*plan) return out;
  const aof::AofCutPlan& cut = **plan;

  const std::string manifest_path = aof_dir + "/" + where.manifest;
  auto text = ReadSmallFile(manifest_path);
  if (!text) return std::unexpected(text.error());
  auto manifest = aof::ParseManifest(*text, manifest_path);
  if (!manifest) return std::unexpected(manifest.error());
  auto at = std::find_if(manifest->incrs.begin(), manifest->incrs.end(),
                         [&](const aof::ManifestEntry& e) { return e.name == cut.file; });
  if (at == manifest->incrs.end()) {
    // Redis writes a single #TS at the head of a rewritten base: a later one means a base this
    // restore does not understand, so it is not cut.
    out.reachable = false;
    out.why_not = "the first #TS annotation after " + std::to_string(t) + " is inside " +
                  cut.file + ", which is not an incremental file";
    return out;
  }
  uint64_t seq = 0;
  if (manifest->base) seq = manifest->base->seq;
  for (const auto& e : manifest->incrs) seq = std::max(seq, e.seq);
  for (const auto& e : manifest->history) seq = std::max(seq, e.seq);

  // 1. The original, whole.
  auto kept = LinkCopy(aof_dir, now);
  if (!kept) return std::unexpected(kept.error());
  out.original_kept_at = *kept;

  // 2. The part of the cut file before T, under a new name.
  aof::ManifestEntry fresh;
  fresh.seq = seq + 1;
  fresh.name = prefix + "." + std::to_string(fresh.seq) + ".incr.aof";
  fresh.type = aof::ManifestFileType::kIncr;
  {
    auto file = DurableFile::Create(aof_dir + "/" + fresh.name);
    if (!file) return std::unexpected(file.error());
    if (auto s = CopyFilePrefix(aof_dir + "/" + cut.file, cut.new_size, *file); !s)
      return std::unexpected(s.error());
    if (auto s = file->Commit(); !s) return std::unexpected(s.error());
  }

  // 3. The commit: a manifest that loads the base, the files before the cut and the new file.
  for (auto e = at; e != manifest->incrs.end(); ++e) out.unlisted.push_back(e->name);
  manifest->incrs.erase(at, manifest->incrs.end());
  manifest->incrs.push_back(fresh);
  if (auto s = WriteFileDurably(manifest_path, RenderManifest(*manifest)); !s)
    return std::unexpected(s.error());

  // 4. Out of the live directory; their bytes stay in the copy.
  out.bytes_dropped = cut.original_size - cut.new_size;
  for (const auto& f : report->files)
    if (std::find(cut.later_files.begin(), cut.later_files.end(), f.name) != cut.later_files.end())
      out.bytes_dropped += f.bytes;
  for (const auto& name : out.unlisted)
    if (::unlink((aof_dir + "/" + name).c_str()) != 0 && errno != ENOENT)
      return OsError("cannot unlink the part no longer listed (its bytes are in " + *kept + ")",
                     aof_dir + "/" + name, errno);
  if (auto s = SyncDirectory(aof_dir); !s) return std::unexpected(s.error());
  out.cut = true;
  out.reason = cut.reason;
  return out;
}

std::optional<int64_t> ReadPointInTimeMarker(const std::string& data_dir) {
  auto text = ReadSmallFile(data_dir + "/" + kPointInTimeMarkerName);
  if (!text) return std::nullopt;
  try {
    auto v = web::json::value::parse(*text);
    if (v.at("apiVersion").as_string() != kMarkerApiVersion) return std::nullopt;
    return v.at("unix").as_number().to_int64();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Status WritePointInTimeMarker(const std::string& data_dir, const PointInTime& pit,
                              const std::string& how, int64_t now, FileSystem& fs) {
  const std::string text = std::string("{\"apiVersion\":") + JsonQuote(kMarkerApiVersion) +
                           ",\"pointInTime\":" + JsonQuote(pit.text) +
                           ",\"unix\":" + std::to_string(pit.unix) +
                           ",\"restoredAt\":" + JsonQuote(backup::FormatIsoUtc(now)) +
                           ",\"installed\":" + JsonQuote(how) + "}\n";
  return WriteFileDurably(data_dir + "/" + kPointInTimeMarkerName, text, 0644, fs);
}

}  // namespace tidemark::sidecar
