#include "io/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "io/kill_point.h"
#include "io/os_error.h"

namespace tidemark {

namespace {

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::atomic<unsigned> g_temp_counter{0};

}  // namespace

Result<DurableFile> DurableFile::Create(const std::string& final_path, unsigned mode,
                                        FileSystem& fs) {
  // In a container the pid repeats from one start to the next, and so does the count of files a
  // run creates: a name a killed run left (until its directory's owner cleans it) is taken by the
  // next run's first try. The next number is tried then; the leftover is never reused.
  const std::string prefix = DirName(final_path) + "/." + BaseName(final_path) + ".tmp-" +
                             std::to_string(::getpid()) + "-";
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 1000 && fd < 0; ++attempt) {
    temp = prefix + std::to_string(g_temp_counter++);
    fd = fs.Open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return OsError("cannot create temporary file", temp, errno);
  return DurableFile(fs, fd, std::move(temp), final_path);
}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : fs_(other.fs_),
      fd_(other.fd_),
      synced_(other.synced_),
      written_(other.written_),
      writeback_from_(other.writeback_from_),
      failed_(other.failed_),
      temp_path_(std::move(other.temp_path_)),
      final_path_(std::move(other.final_path_)),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;  // the moved-from object owns nothing to clean up
}

DurableFile::~DurableFile() {
  if (!committed_) Abort();
}

Status DurableFile::Update(std::span<const uint8_t> chunk) {
  if (fd_ < 0 || failed_)
    return MakeError(ErrorCode::kIo, "write after close or after an error", -1, temp_path_);
  while (!chunk.empty()) {
    ssize_t n = fs_->Write(fd_, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(OsError("write failed", temp_path_, errno));
    }
    chunk = chunk.subspan(static_cast<size_t>(n));
    const uint64_t before = written_;
    written_ += static_cast<uint64_t>(n);
    if ((before >> 20) != (written_ >> 20)) KillPoint("write-mib", temp_path_);
  }
  StartWriteback();
  return {};
}

void DurableFile::StartWriteback() {
  if (written_ - writeback_from_ < kWritebackBytes) return;
  // Only starts the disk writes (no wait, no durability: Sync's fsync is the promise); an error
  // here would come back from that fsync, so it is not looked at.
  (void)::sync_file_range(fd_, static_cast<off64_t>(writeback_from_),
                          static_cast<off64_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
  writeback_from_ = written_;
}

Status DurableFile::Sync() {
  if (synced_) return {};
  if (fd_ < 0 || failed_)
    return MakeError(ErrorCode::kIo, "commit after close or after an error", -1, temp_path_);
  // A failed fsync leaves the page cache state unknown: the file is never published after it.
  if (fs_->Fsync(fd_) != 0) return Fail(OsError("fsync failed", temp_path_, errno));
  int rc = fs_->Close(fd_);
  fd_ = -1;
  if (rc != 0) return Fail(OsError("close failed", temp_path_, errno));
  synced_ = true;
  KillPoint("synced", final_path_);
  return {};
}

Status DurableFile::Commit() {
  if (auto s = Sync(); !s) return s;
  if (committed_) return MakeError(ErrorCode::kIo, "commit after abort", -1, temp_path_);
  if (fs_->Rename(temp_path_, final_path_) != 0)
    return Fail(OsError("rename to " + final_path_ + " failed", temp_path_, errno));
  committed_ = true;
  KillPoint("renamed", final_path_);
  return SyncDirectory(DirName(final_path_), *fs_);
}

void DurableFile::Abort() {
  if (fd_ >= 0) fs_->Close(fd_);
  fd_ = -1;
  if (!committed_ && !temp_path_.empty()) fs_->Unlink(temp_path_);
  committed_ = true;
}

Status WriteFileDurably(const std::string& path, std::string_view content, unsigned mode,
                        FileSystem& fs) {
  auto file = DurableFile::Create(path, mode, fs);
  if (!file) return std::unexpected(file.error());
  if (auto s = file->Append(content); !s) return s;
  return file->Commit();
}

bool IsDurableTempFileFor(std::string_view file_name, std::string_view final_name) {
  const std::string prefix = "." + std::string(final_name) + ".tmp-";
  if (final_name.empty() || !file_name.starts_with(prefix)) return false;
  std::string_view rest = file_name.substr(prefix.size());
  auto dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return false;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dash && (rest[i] < '0' || rest[i] > '9')) return false;
  return true;
}

Status SyncDirectory(const std::string& dir, FileSystem& fs) {
  if (fs.SyncDir(dir) != 0) return OsError("directory fsync failed", dir, errno);
  return {};
}

}  // namespace tidemark
