#include "sidecar/install.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/backup/utc_time.h"
#include "core/digest/dataset_digest.h"
#include "core/format/sha256.h"
#include "core/backup/fan_out_sink.h"
#include "io/dir_list.h"
#include "io/durable_file.h"
#include "sidecar/manifest_rebuild.h"
#include "sidecar/snapshot_backup.h"
#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kStagingPrefix = ".tidemark-restore-";

bool Exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Result<RdbReport> CopyVerified(ByteSource& source, const std::string& source_name,
                               const ExpectedSnapshot& expected, ByteSink& out) {
  Sha256 sha;
  backup::FanOutSink stages{&sha, &out};
  TeeSource tee(source, stages);
  std::optional<DatasetDigest> dataset;
  if (expected.digest_at_ms)
    dataset.emplace(DigestOptions{.at_ms = *expected.digest_at_ms, .fail_on_module = false});
  RdbReport report =
      VerifyRdb(tee, RdbVerifyOptions{.name = source_name,
                                      .max_version = expected.max_rdb_version,
                                      .check_duplicate_keys = CheckDuplicateKeys(expected.keys),
                                      .max_tracked_members = kDuplicateCheckMaxMembers,
                                      .visitor = dataset ? &*dataset : nullptr});
  if (!report.valid()) return std::unexpected(*report.error);
  auto digest = sha.FinishHex();
  if (!digest) return std::unexpected(digest.error());
  if (expected.confirm) {
    std::optional<std::string> dataset_hex;
    if (dataset && !dataset->unavailable()) dataset_hex = dataset->Hex();
    if (auto s = expected.confirm(*digest, dataset_hex); !s) return std::unexpected(s.error());
  }
  if (expected.size && sha.bytes() != *expected.size)
    return MakeError(ErrorCode::kCorrupt,
                     "size " + std::to_string(sha.bytes()) + " bytes, the metadata says " +
                         std::to_string(*expected.size),
                     -1, source_name);
  if (expected.sha256 && *digest != *expected.sha256)
    return MakeError(ErrorCode::kCorrupt,
                     "SHA-256 " + *digest + " does not match the metadata's " + *expected.sha256 +
                         " (the bytes changed after the backup was taken)",
                     -1, source_name);
  if (expected.keys && report.total_keys() != *expected.keys)
    return MakeError(ErrorCode::kCorrupt,
                     "holds " + std::to_string(report.total_keys()) + " keys, the metadata says " +
                         std::to_string(*expected.keys),
                     -1, source_name);
  return report;
}

namespace {

Result<std::vector<std::string>> MoveAll(const std::vector<std::string>& paths, int64_t now,
                                         const std::string& label) {
  std::vector<std::string> moved;
  for (const auto& p : paths) {
    if (!Exists(p)) continue;
    auto to = MoveAside(p, now, label);
    if (!to) return std::unexpected(to.error());
    moved.push_back(p + " -> " + *to);
  }
  return moved;
}

}  // namespace

Result<std::string> MoveAside(const std::string& path, int64_t now_unix, const std::string& label) {
  std::string base = path + "." + label + "-" + backup::FormatCompactUtc(now_unix);
  std::string to = base;
  for (int n = 1; Exists(to); ++n) to = base + "-" + std::to_string(n);
  if (::rename(path.c_str(), to.c_str()) != 0)
    return OsError("cannot move aside to " + to, path, errno);
  auto slash = path.rfind('/');
  if (auto s = SyncDirectory(slash == std::string::npos ? "." : path.substr(0, slash)); !s)
    return std::unexpected(s.error());
  return to;
}

std::vector<std::string> ListNames(const std::string& dir) {
  auto names = ListDirectory(dir);
  return names ? std::move(*names) : std::vector<std::string>{};
}

std::vector<std::string> CleanupStaleRestoreFiles(const RedisLayout& layout) {
  std::vector<std::string> removed;
  auto remove = [&](const std::string& path) {
    if (::unlink(path.c_str()) == 0) removed.push_back(path);
  };
  for (const auto& name : ListNames(layout.data_dir)) {
    const std::string path = layout.data_dir + "/" + name;
    if (IsDurableTempFileFor(name, layout.dbfilename)) remove(path);
    if (!name.starts_with(kStagingPrefix)) continue;
    for (const auto& f : ListNames(path)) ::unlink((path + "/" + f).c_str());
    if (::rmdir(path.c_str()) == 0) removed.push_back(path);
  }
  // A temporary file names its destination: ".<final>.tmp-<pid>-<n>".
  for (const auto& name : ListNames(layout.AofDir())) {
    auto tmp = name.rfind(".tmp-");
    if (tmp == std::string::npos || tmp < 1) continue;
    const std::string final_name = name.substr(1, tmp - 1);
    if (final_name.starts_with(layout.appendfilename + ".") &&
        IsDurableTempFileFor(name, final_name))
      remove(layout.AofDir() + "/" + name);
  }
  return removed;
}

Result<InstallOutcome> InstallSnapshot(ByteSource& source, const std::string& source_name,
                                       const ExpectedSnapshot& expected, const RedisLayout& layout,
                                       const std::vector<std::string>& replace, int64_t now_unix,
                                       const std::string& aside_label) {
  InstallOutcome out;
  if (!layout.appendonly) {
    auto file = DurableFile::Create(layout.RdbPath());
    if (!file) return std::unexpected(file.error());
    auto report = CopyVerified(source, source_name, expected, *file);
    if (!report) return std::unexpected(report.error());
    auto moved = MoveAll(replace, now_unix, aside_label);
    if (!moved) return std::unexpected(moved.error());
    out.moved_aside = *moved;
    if (auto s = file->Commit(); !s) return std::unexpected(s.error());
    out.installed = layout.RdbPath();
    out.report = std::move(*report);
    return out;
  }

  // Build the whole appendonlydir beside its final place, then rename it in: Redis (or a
  // restarted restore) sees either no directory or a complete one.
  const std::string staging = layout.data_dir + "/" + kStagingPrefix + std::to_string(::getpid());
  CleanupStaleRestoreFiles(layout);
  if (::mkdir(staging.c_str(), 0755) != 0)
    return OsError("cannot create the staging directory", staging, errno);
  auto fail = [&](Error e) -> std::unexpected<Error> {
    CleanupStaleRestoreFiles(layout);
    return std::unexpected(std::move(e));
  };
  auto base = DurableFile::Create(staging + "/" + AofBaseName(layout.appendfilename));
  if (!base) return fail(base.error());
  auto report = CopyVerified(source, source_name, expected, *base);
  if (!report) return fail(report.error());
  if (auto s = base->Commit(); !s) return fail(s.error());
  if (auto s = WriteFileDurably(staging + "/" + AofIncrName(layout.appendfilename), ""); !s)
    return fail(s.error());
  if (auto s = WriteFileDurably(staging + "/" + layout.appendfilename + ".manifest",
                                NewAofManifest(layout.appendfilename));
      !s)
    return fail(s.error());
  auto moved = MoveAll(replace, now_unix, aside_label);
  if (!moved) return fail(moved.error());
  out.moved_aside = *moved;
  if (Exists(layout.AofDir())) {
    // Not in `replace`: the caller did not expect a directory here. Keep it, refuse.
    return fail(Error{ErrorCode::kIo, layout.AofDir(), -1,
                      "exists; expected it to be moved aside first (nothing was installed)"});
  }
  if (::rename(staging.c_str(), layout.AofDir().c_str()) != 0)
    return fail(OsError("cannot rename the staged AOF into place", layout.AofDir(), errno).error());
  if (auto s = SyncDirectory(layout.data_dir); !s) return std::unexpected(s.error());
  out.installed = layout.AofDir();
  out.report = std::move(*report);
  return out;
}

}  // namespace tidemark::sidecar
