#include "sidecar/dir_backup_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "io/kill_point.h"
#include "core/backup/backup_name.h"
#include "io/dir_list.h"
#include "io/durable_file.h"
#include "io/file_lock.h"
#include "io/file_source.h"
#include "sidecar/lineage_marker.h"
#include "sidecar/metadata_json.h"
#include "io/os_error.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kLockName = ".tidemark-store.lock";
constexpr const char* kDataSuffix = ".rdb";
constexpr const char* kMetadataSuffix = ".json";

Result<FileLock> LockStore(const std::string& dir, FileSystem& fs) {
  return FileLock::TryAcquire(dir + "/" + kLockName,
                              "another backup is in progress in this store; try again when it "
                              "finishes",
                              dir, fs);
}

bool Exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

class DirWriter final : public BackupWriter {
 public:
  DirWriter(FileSystem& fs, FileLock lock, DurableFile data, std::string name,
            std::string metadata_path)
      : fs_(&fs),
        lock_(std::move(lock)),
        data_(std::move(data)),
        name_(std::move(name)),
        metadata_path_(std::move(metadata_path)) {}

  Status Update(std::span<const uint8_t> chunk) override {
    if (done_) return MakeError(ErrorCode::kInvalidArgument, "write after publish or abort");
    return data_.Update(chunk);
  }

  Result<std::unique_ptr<ByteSource>> ReadBack() override {
    auto src = FileSource::Open(data_.temp_path());
    if (!src) return std::unexpected(src.error());
    return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(std::move(*src)));
  }

  Status Publish(const backup::BackupMetadata& metadata) override {
    if (done_) return MakeError(ErrorCode::kInvalidArgument, "publish after publish or abort");
    done_ = true;
    if (metadata.name != name_)
      return MakeError(ErrorCode::kInvalidArgument,
                       "metadata names " + metadata.name + ", the put is " + name_);
    // A failed step may have renamed its file into place already (only its directory fsync
    // failed): remove what was renamed, metadata first, so no half-published backup is listed
    // or left behind under a final name. BeginPut made sure neither name existed before.
    if (auto s = data_.Commit(); !s) return Unpublish(s, false);
    // The data is durable under its final name but invisible until the metadata exists.
    if (auto s = WriteFileDurably(metadata_path_, RenderBackupMetadata(metadata), 0644, *fs_); !s)
      return Unpublish(s, true);
    return {};
  }

  void Abort() override {
    done_ = true;
    data_.Abort();
  }
  const std::string& name() const override { return name_; }

 private:
  Status Unpublish(Status failure, bool metadata_too) {
    if (metadata_too) fs_->Unlink(metadata_path_);
    fs_->Unlink(data_.final_path());
    auto slash = metadata_path_.rfind('/');
    fs_->SyncDir(metadata_path_.substr(0, slash));
    return failure;
  }

  FileSystem* fs_;
  FileLock lock_;
  DurableFile data_;
  std::string name_;
  std::string metadata_path_;
  bool done_ = false;
};

}  // namespace

Result<DirBackupStore> DirBackupStore::Open(const std::string& dir, FileSystem& fs) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0)
    return OsErrorOrNotFound("backup store directory", dir, errno);
  if (!S_ISDIR(st.st_mode))
    return MakeError(ErrorCode::kInvalidArgument, "backup store is not a directory", -1, dir);
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return DirBackupStore(std::move(d), fs);
}

std::string DirBackupStore::DataLocation(const std::string& name) const {
  return dir_ + "/" + name + kDataSuffix;
}
std::string DirBackupStore::MetadataLocation(const std::string& name) const {
  return dir_ + "/" + name + kMetadataSuffix;
}

Result<std::unique_ptr<BackupWriter>> DirBackupStore::BeginPut(const std::string& name) {
  if (auto n = backup::ParseBackupName(name); !n) return std::unexpected(n.error());
  auto lock = LockStore(dir_, *fs_);
  if (!lock) return std::unexpected(lock.error());
  if (Exists(DataLocation(name)) || Exists(MetadataLocation(name)))
    return MakeError(ErrorCode::kInvalidArgument, "a backup with this name exists already", -1,
                     DataLocation(name));
  auto data = DurableFile::Create(DataLocation(name), 0640, *fs_);
  if (!data) return std::unexpected(data.error());
  return std::unique_ptr<BackupWriter>(std::make_unique<DirWriter>(
      *fs_, std::move(*lock), std::move(*data), name, MetadataLocation(name)));
}

Result<BackupListing> DirBackupStore::List() {
  auto names = ListDirectory(dir_, "cannot list the backup store");
  if (!names) return std::unexpected(names.error());
  BackupListing out;
  for (const auto& file : *names) {
    if (!file.ends_with(kMetadataSuffix) || file.starts_with(".")) continue;
    std::string stem = file.substr(0, file.size() - std::strlen(kMetadataSuffix));
    if (!backup::ParseBackupName(stem)) continue;  // not ours
    auto text = ReadSmallFile(dir_ + "/" + file);
    if (!text) {
      out.problems.push_back(text.error().ToString());
      continue;
    }
    auto meta = ParseBackupMetadata(*text, dir_ + "/" + file);
    if (!meta) {
      out.problems.push_back(meta.error().ToString());
      continue;
    }
    if (meta->name != stem) {
      out.problems.push_back(dir_ + "/" + file + ": metadata names " + meta->name);
      continue;
    }
    struct stat st{};
    if (::stat(DataLocation(stem).c_str(), &st) != 0) {
      out.problems.push_back(DataLocation(stem) + ": data file missing: " + std::strerror(errno));
      continue;
    }
    out.backups.push_back(std::move(*meta));
  }
  std::sort(out.backups.begin(), out.backups.end(), backup::NewerFirst);
  return out;
}

Result<std::unique_ptr<ByteSource>> DirBackupStore::OpenForRead(const std::string& name) {
  if (auto n = backup::ParseBackupName(name); !n) return std::unexpected(n.error());
  auto src = FileSource::Open(DataLocation(name));
  if (!src) return std::unexpected(src.error());
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(std::move(*src)));
}

Status DirBackupStore::Delete(const std::string& name) {
  if (auto n = backup::ParseBackupName(name); !n) return std::unexpected(n.error());
  auto lock = LockStore(dir_, *fs_);
  if (!lock) return std::unexpected(lock.error());
  if (fs_->Unlink(MetadataLocation(name)) != 0 && errno != ENOENT)
    return OsErrorOrNotFound("cannot delete backup metadata", MetadataLocation(name), errno);
  KillPoint("backup-deleting", name);
  if (fs_->Unlink(DataLocation(name)) != 0 && errno != ENOENT)
    return OsErrorOrNotFound("cannot delete backup data", DataLocation(name), errno);
  return SyncDirectory(dir_, *fs_);
}

Result<FileLock> DirBackupStore::LockForWriting(const std::string& dir, int wait_ms,
                                               FileSystem& fs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto lock = LockStore(dir, fs);
    if (lock || !FileLock::IsBusy(lock.error()) || std::chrono::steady_clock::now() >= deadline)
      return lock;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool DirBackupStore::IsStaleFile(const std::string& file) const {
  // "<name>.rdb" without "<name>.json": a publish cut between its data and its metadata, or a
  // delete cut between its metadata and its data. Never listed; under the lock, no writer's.
  if (file.ends_with(kDataSuffix)) {
    std::string name = file.substr(0, file.size() - std::strlen(kDataSuffix));
    return backup::ParseBackupName(name).has_value() && !Exists(MetadataLocation(name));
  }
  // The lineage marker's: its writers hold the lock too (LockForWriting).
  if (IsDurableTempFileFor(file, kLineageMarkerFile)) return true;
  // ".<name>.rdb.tmp-<pid>-<n>" or ".<name>.json.tmp-<pid>-<n>", and nothing else.
  if (file.size() < 1 + backup::kBackupNameLength || file[0] != '.') return false;
  std::string name = file.substr(1, backup::kBackupNameLength);
  if (!backup::ParseBackupName(name)) return false;
  return IsDurableTempFileFor(file, name + kDataSuffix) ||
         IsDurableTempFileFor(file, name + kMetadataSuffix);
}

Result<CleanupReport> DirBackupStore::CleanupStale() {
  CleanupReport report;
  auto lock = LockStore(dir_, *fs_);
  if (!lock) {
    if (!FileLock::IsBusy(lock.error())) return std::unexpected(lock.error());
    report.skipped_busy = true;
    return report;
  }
  auto names = ListDirectory(dir_, "cannot list the backup store");
  if (!names) return std::unexpected(names.error());
  for (const auto& file : *names) {
    if (!IsStaleFile(file)) continue;
    std::string path = dir_ + "/" + file;
    if (fs_->Unlink(path) != 0 && errno != ENOENT)
      return OsErrorOrNotFound("cannot remove a stale temporary file", path, errno);
    report.removed.push_back(path);
  }
  if (!report.removed.empty())
    if (auto s = SyncDirectory(dir_, *fs_); !s) return std::unexpected(s.error());
  return report;
}

}  // namespace tidemark::sidecar
