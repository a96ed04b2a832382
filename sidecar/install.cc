#include "sidecar/install.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <cstring>

#include "io/kill_point.h"
#include "core/backup/utc_time.h"
#include "core/digest/dataset_digest.h"
#include "core/format/sha256.h"
#include "core/backup/fan_out_sink.h"
#include "io/background_thread.h"
#include "io/dir_list.h"
#include "io/durable_file.h"
#include "io/prefetch_source.h"
#include "sidecar/manifest_rebuild.h"
#include "sidecar/snapshot_backup.h"
#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kStagingPrefix = ".tidemark-restore-";
// A complete new AOF directory about to trade places with the old one, or (after a power cut
// between the two steps) the old one: cleanup moves it aside, never deletes it.
constexpr const char* kSwapPrefix = ".tidemark-swap-";

bool Exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string FreeAsideName(const std::string& path, int64_t now, const std::string& label) {
  std::string base = path + "." + label + "-" + backup::FormatCompactUtc(now);
  std::string to = base;
  for (int n = 1; Exists(to); ++n) to = base + "-" + std::to_string(n);
  return to;
}

}  // namespace

Result<RdbReport> CopyVerified(ByteSource& source, const std::string& source_name,
                               const ExpectedSnapshot& expected, ByteSink& out) {
  Sha256 sha;
  backup::FanOutSink stages{&sha, &out};
  // The backup's pass on the same threads (snapshot_backup.cc): the read-ahead thread reads
  // (the file, the bucket's GET, the peer's stream), hashes and writes each chunk; this thread
  // verifies and walks it for the digest, whose SHA-1s run on a third. The CRC-64 goes to
  // whichever of the two would otherwise wait.
  BackgroundThread digest_hashing;
  std::optional<DatasetDigest> dataset;
  if (expected.digest_at_ms)
    dataset.emplace(DigestOptions{
        .at_ms = *expected.digest_at_ms, .fail_on_module = false, .background = &digest_hashing});
  RdbReport report;
  {
    // Leaving the block joins the read-ahead thread: every byte it read is hashed and written.
    PrefetchSource ahead(source, PrefetchSource::Crc64::kYes, &stages);
    report = VerifyRdb(ahead,
                       RdbVerifyOptions{.name = source_name,
                                        .max_version = expected.max_rdb_version,
                                        .check_duplicate_keys = CheckDuplicateKeys(expected.keys),
                                        .max_tracked_members = kDuplicateCheckMaxMembers,
                                        .visitor = dataset ? &*dataset : nullptr});
  }
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

}  // namespace

Result<std::string> MoveAside(const std::string& path, int64_t now_unix, const std::string& label,
                              FileSystem& fs) {
  const std::string to = FreeAsideName(path, now_unix, label);
  if (fs.Rename(path, to) != 0) return OsError("cannot move aside to " + to, path, errno);
  auto slash = path.rfind('/');
  if (auto s = SyncDirectory(slash == std::string::npos ? "." : path.substr(0, slash), fs); !s)
    return std::unexpected(s.error());
  return to;
}

std::vector<std::string> ListNames(const std::string& dir) {
  auto names = ListDirectory(dir);
  return names ? std::move(*names) : std::vector<std::string>{};
}

Result<FileLock> LockDataDirForRestore(const std::string& data_dir) {
  return FileLock::TryAcquireDirectory(
      data_dir, "another restore is running on this data directory (it holds its lock); nothing "
                "was touched");
}

std::vector<std::string> CleanupStaleRestoreFiles(const RedisLayout& layout, FileSystem& fs,
                                                  const std::vector<std::string>& own_files) {
  std::vector<std::string> removed;
  auto remove = [&](const std::string& path) {
    if (fs.Unlink(path) == 0) removed.push_back(path);
  };
  for (const auto& name : ListNames(layout.data_dir)) {
    const std::string path = layout.data_dir + "/" + name;
    if (IsDurableTempFileFor(name, layout.dbfilename)) remove(path);
    for (const auto& own : own_files)
      if (IsDurableTempFileFor(name, own)) remove(path);
    if (name.starts_with(kSwapPrefix)) {
      // Whole AOF directories, old or new: kept, out of the way.
      const std::string to = FreeAsideName(layout.AofDir(), ::time(nullptr), "replaced");
      if (fs.Rename(path, to) == 0 && fs.SyncDir(layout.data_dir) == 0)
        removed.push_back(path + " -> " + to);
    }
    if (!name.starts_with(kStagingPrefix)) continue;
    for (const auto& f : ListNames(path)) fs.Unlink(path + "/" + f);
    if (fs.Rmdir(path) == 0) removed.push_back(path);
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

namespace {

// What an install changed before publishing, undone in reverse when a later step fails, so a
// failed install leaves the data dir as it was (best effort: the undo itself may fail too).
class Undo {
 public:
  explicit Undo(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}
  void Renamed(const std::string& from, const std::string& to) { steps_.push_back({from, to, 0}); }
  void Linked(const std::string& link) { steps_.push_back({"", link, 1}); }
  void Exchanged(const std::string& a, const std::string& b) { steps_.push_back({a, b, 2}); }
  void Run() {
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      if (it->kind == 0) fs_.Rename(it->b, it->a);
      if (it->kind == 1) fs_.Unlink(it->b);
      if (it->kind == 2) fs_.Exchange(it->a, it->b);
    }
    if (!steps_.empty()) fs_.SyncDir(dir_);
    steps_.clear();
  }

 private:
  struct Step {
    std::string a, b;
    int kind;
  };
  FileSystem& fs_;
  std::string dir_;
  std::vector<Step> steps_;
};


// Moves aside every existing path of `paths` except `keep`, recording each in `undo`.
Status MoveOthers(const std::vector<std::string>& paths, const std::string& keep, int64_t now,
                  const std::string& label, FileSystem& fs, Undo& undo,
                  std::vector<std::string>& moved) {
  for (const auto& p : paths) {
    if (p == keep || !Exists(p)) continue;
    const std::string to = FreeAsideName(p, now, label);
    if (fs.Rename(p, to) != 0) return OsError("cannot move aside to " + to, p, errno);
    undo.Renamed(p, to);
    moved.push_back(p + " -> " + to);
    // Synced here and not by MoveAside: a rename whose directory fsync fails is still undone.
    if (auto s = SyncDirectory(p.substr(0, p.rfind('/')), fs); !s) return s;
  }
  return {};
}

bool IsRegularFile(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Result<InstallOutcome> InstallSnapshot(ByteSource& source, const std::string& source_name,
                                       const ExpectedSnapshot& expected, const RedisLayout& layout,
                                       const std::vector<std::string>& replace, int64_t now_unix,
                                       const std::string& aside_label, FileSystem& fs) {
  InstallOutcome out;
  Undo undo(fs, layout.data_dir);
  auto undone = [&](Error e) -> std::unexpected<Error> {
    undo.Run();
    return std::unexpected(std::move(e));
  };
  if (!layout.appendonly) {
    auto file = DurableFile::Create(layout.RdbPath(), 0644, fs);
    if (!file) return std::unexpected(file.error());
    auto report = CopyVerified(source, source_name, expected, *file);
    if (!report) return std::unexpected(report.error());
    // The new bytes are on disk before anything old is moved: a failed fsync (ENOSPC, EIO)
    // leaves the data dir as it was.
    if (auto s = file->Sync(); !s) return std::unexpected(s.error());
    const std::string live = layout.RdbPath();
    std::string kept;
    if (Contains(replace, live) && IsRegularFile(live)) {
      // The old dump.rdb gets a second name first; the new file is then renamed over it, so at
      // every instant (a power cut included) dump.rdb is entirely old or entirely new. A file
      // system without hard links gets the two-step move below instead.
      kept = FreeAsideName(live, now_unix, aside_label);
      if (fs.Link(live, kept) != 0) {
        if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK)
          return OsError("cannot keep the old file as " + kept, live, errno);
        kept.clear();
      }
    }
    if (!kept.empty()) {
      undo.Linked(kept);
      if (auto s = SyncDirectory(layout.data_dir, fs); !s) return undone(s.error());
      out.moved_aside.push_back(live + " -> " + kept);
    }
    if (auto s = MoveOthers(replace, kept.empty() ? "" : live, now_unix, aside_label, fs, undo,
                            out.moved_aside);
        !s)
      return undone(s.error());
    if (auto s = file->Commit(); !s) {
      // Renamed over the old file but its directory fsync failed: put the old file back.
      if (!kept.empty() && !Exists(file->temp_path())) {
        fs.Rename(kept, live);
        fs.SyncDir(layout.data_dir);
        return std::unexpected(s.error());
      }
      return undone(s.error());
    }
    out.installed = layout.RdbPath();
    out.report = std::move(*report);
    return out;
  }

  // Build the whole appendonlydir beside its final place, then swap it in: Redis (or a
  // restarted restore) sees the old directory or a complete new one, never a mix or none.
  const std::string staging = layout.data_dir + "/" + kStagingPrefix + std::to_string(::getpid());
  CleanupStaleRestoreFiles(layout, fs);
  if (fs.Mkdir(staging, 0755) != 0)
    return OsError("cannot create the staging directory", staging, errno);
  auto fail = [&](Error e) -> std::unexpected<Error> {
    undo.Run();
    CleanupStaleRestoreFiles(layout, fs);
    return std::unexpected(std::move(e));
  };
  auto base = DurableFile::Create(staging + "/" + AofBaseName(layout.appendfilename), 0644, fs);
  if (!base) return fail(base.error());
  auto report = CopyVerified(source, source_name, expected, *base);
  if (!report) return fail(report.error());
  if (auto s = base->Commit(); !s) return fail(s.error());
  if (auto s = WriteFileDurably(staging + "/" + AofIncrName(layout.appendfilename), "", 0644, fs);
      !s)
    return fail(s.error());
  if (auto s = WriteFileDurably(staging + "/" + layout.appendfilename + ".manifest",
                                NewAofManifest(layout.appendfilename), 0644, fs);
      !s)
    return fail(s.error());
  const std::string live = layout.AofDir();
  if (Exists(live) && !Contains(replace, live)) {
    // Not in `replace`: the caller did not expect a directory here. Keep it, refuse.
    return fail(Error{ErrorCode::kIo, live, -1,
                      "exists; expected it to be moved aside first (nothing was installed)"});
  }
  bool swapped = false;
  if (IsDirectory(live)) {
    // The complete new directory takes a name that cleanup never deletes (it moves it aside),
    // then trades places with the old one in one atomic step; the old one then moves aside.
    const std::string swap = layout.data_dir + "/" + kSwapPrefix + std::to_string(::getpid());
    if (fs.Rename(staging, swap) != 0)
      return fail(OsError("cannot rename the staged AOF", staging, errno).error());
    undo.Renamed(staging, swap);
    if (fs.Exchange(swap, live) == 0) {
      swapped = true;
      undo.Exchanged(swap, live);
      KillPoint("install-swapped", live);
      if (auto s = SyncDirectory(layout.data_dir, fs); !s) return fail(s.error());
      const std::string to = FreeAsideName(live, now_unix, aside_label);
      if (fs.Rename(swap, to) != 0)
        return fail(OsError("cannot move the old AOF directory aside to " + to, swap, errno).error());
      undo.Renamed(swap, to);
      if (auto s = SyncDirectory(layout.data_dir, fs); !s) return fail(s.error());
      out.moved_aside.push_back(live + " -> " + to);
    } else if (errno != EINVAL && errno != ENOSYS) {
      return fail(OsError("cannot swap the staged AOF into place", live, errno).error());
    } else if (fs.Rename(swap, staging) != 0) {
      // No RENAME_EXCHANGE on this file system: the two-step way below, with a window where a
      // power cut leaves no appendonlydir (the restore then runs again at the next start).
      return fail(OsError("cannot rename the staged AOF", swap, errno).error());
    }
  }
  // What Redis loads is in place (or about to be); the rest only needs to be out of the way.
  if (auto s = MoveOthers(replace, swapped ? live : "", now_unix, aside_label, fs, undo,
                          out.moved_aside);
      !s)
    return fail(s.error());
  if (!swapped) {
    if (fs.Rename(staging, live) != 0)
      return fail(OsError("cannot rename the staged AOF into place", live, errno).error());
    undo.Renamed(staging, live);
    KillPoint("install-swapped", live);
    if (auto s = SyncDirectory(layout.data_dir, fs); !s) return fail(s.error());
  }
  out.installed = live;
  out.report = std::move(*report);
  return out;
}

}  // namespace tidemark::sidecar
