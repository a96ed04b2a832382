#include "io/aof_files.h"

#include "io/prefetch_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "core/aof/aof_format.h"
#include "io/dir_list.h"
#include "io/durable_file.h"
#include "io/file_source.h"
#include "io/os_error.h"

namespace tidemark {

namespace {

// A read-only file descriptor positioned at an offset.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdSource() override { ::close(fd_); }
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;
  Result<size_t> Read(std::span<uint8_t> out) override {
    for (;;) {
      ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return OsErrorOrNotFound("read failed", path_, errno);
    }
  }

 private:
  int fd_;
  std::string path_;
};

// Reads ahead on a second thread (io/prefetch_source.h), so the kernel's copy of the next chunk
// overlaps the parsing of this one: about half of a verification's CPU time is that copy.
class ReadAheadFdSource final : public ByteSource {
 public:
  ReadAheadFdSource(int fd, std::string path) : fd_(fd, std::move(path)), ahead_(fd_) {}
  Result<size_t> Read(std::span<uint8_t> out) override { return ahead_.Read(out); }

 private:
  FdSource fd_;            // declared first: the read-ahead thread reads it until ahead_ is gone
  PrefetchSource ahead_;
};

bool IsDir(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace

Result<aof::AofFileOpener::Opened> DirectoryAofOpener::Open(const std::string& name,
                                                           uint64_t offset) {
  const std::string path = Join(dir_, name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsErrorOrNotFound("cannot open", path, errno);
  auto fail = [&](std::unexpected<Error> e) {
    ::close(fd);
    return e;
  };
  struct stat st{};
  if (::fstat(fd, &st) != 0) return fail(OsErrorOrNotFound("cannot stat", path, errno));
  if (!S_ISREG(st.st_mode)) return fail(MakeError(ErrorCode::kIo, "not a regular file", -1, path));
  if (offset && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0)
    return fail(OsErrorOrNotFound("cannot seek", path, errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Opened out;
  // Created only now: its thread starts reading at once, from the position set above.
  out.source = std::make_unique<ReadAheadFdSource>(fd, path);
  out.size = static_cast<uint64_t>(st.st_size);
  return out;
}

Result<AofLocation> LocateAof(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return OsErrorOrNotFound("cannot stat", path, errno);
  AofLocation loc;
  if (!S_ISDIR(st.st_mode)) {
    auto slash = path.rfind('/');
    loc.dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.ends_with(aof::kManifestSuffix)) {
      loc.multi_part = true;
      loc.manifest = name;
    } else {
      loc.file = name;
    }
    return loc;
  }
  auto names = ListDirectory(path);
  if (!names) return std::unexpected(names.error());
  std::vector<std::string> manifests;
  for (const auto& n : *names)
    if (n.ends_with(aof::kManifestSuffix)) manifests.push_back(n);
  if (manifests.size() > 1)
    return MakeError(ErrorCode::kCorrupt,
                     "several manifests (" + manifests[0] + ", " + manifests[1] +
                         "): expected one; name the one to check",
                     -1, path);
  if (manifests.size() == 1) {
    loc.multi_part = true;
    loc.dir = path;
    loc.manifest = manifests[0];
    return loc;
  }
  if (auto s = aof::CheckDirectoryWithoutManifest(*names, path); !s)
    return std::unexpected(s.error());
  const std::string sub = Join(path, "appendonlydir");
  if (IsDir(sub)) return LocateAof(sub);
  if (std::find(names->begin(), names->end(), "appendonly.aof") != names->end()) {
    loc.dir = path;
    loc.file = "appendonly.aof";
    return loc;
  }
  return MakeError(ErrorCode::kNotFound,
                   "no AOF here: expected a manifest, an appendonlydir/ or appendonly.aof", -1,
                   path);
}

Result<aof::AofReport> VerifyAofAt(const AofLocation& where, const aof::AofVerifyOptions& options) {
  DirectoryAofOpener opener(where.dir);
  if (!where.multi_part) return aof::VerifyLegacyAof(opener, where.file, options);
  auto text = ReadSmallFile(Join(where.dir, where.manifest));
  if (!text) return std::unexpected(text.error());
  return aof::VerifyAofDirectory(*text, where.manifest, opener, options);
}

Result<aof::AofReport> VerifyLiveAof(const AofLocation& where, const aof::AofVerifyOptions& options,
                                     aof::AofFileOpener& opener, int attempts) {
  if (!where.multi_part) return aof::VerifyLegacyAof(opener, where.file, options);
  const std::string manifest_path = Join(where.dir, where.manifest);
  auto before = ReadSmallFile(manifest_path);
  if (!before) return std::unexpected(before.error());
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    aof::AofReport report = aof::VerifyAofDirectory(*before, where.manifest, opener, options);
    auto after = ReadSmallFile(manifest_path);
    if (!after) return std::unexpected(after.error());
    if (*after == *before) return report;
    before = std::move(after);
  }
  return MakeError(ErrorCode::kIo,
                   "the AOF was rewritten during each of " + std::to_string(attempts) +
                       " verification passes; verify again when rewrites are less frequent",
                   -1, manifest_path);
}

Result<aof::AofReport> VerifyLiveAof(const AofLocation& where, const aof::AofVerifyOptions& options) {
  DirectoryAofOpener opener(where.dir);
  return VerifyLiveAof(where, options, opener);
}

Status CopyFilePrefix(const std::string& path, uint64_t bytes, DurableFile& out) {
  auto src = FileSource::Open(path);
  if (!src) return std::unexpected(src.error());
  std::vector<uint8_t> buf(1 << 16);
  uint64_t left = bytes;
  while (left > 0) {
    auto n = src->Read(std::span<uint8_t>(buf.data(), std::min<uint64_t>(buf.size(), left)));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return MakeError(ErrorCode::kIo, "file shrank while copying", -1, path);
    if (auto s = out.Update(std::span<const uint8_t>(buf.data(), *n)); !s) return s;
    left -= *n;
  }
  return {};
}

Result<std::string> ApplyAofCut(const std::string& dir, const aof::AofCutPlan& plan,
                                int64_t unix_time) {
  const std::string path = Join(dir, plan.file);
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return OsErrorOrNotFound("cannot stat", path, errno);
  if (static_cast<uint64_t>(st.st_size) != plan.original_size)
    return MakeError(ErrorCode::kInvalidArgument,
                     "file is " + std::to_string(st.st_size) + " bytes, the plan was made for " +
                         std::to_string(plan.original_size) + ": it changed; verify again",
                     -1, path);
  if (plan.new_size > plan.original_size)
    return MakeError(ErrorCode::kInvalidArgument, "cut beyond the end of the file", -1, path);
  const unsigned mode = st.st_mode & 07777;

  std::string backup = path + ".orig-" + std::to_string(unix_time);
  for (int i = 1; ::access(backup.c_str(), F_OK) == 0; ++i)
    backup = path + ".orig-" + std::to_string(unix_time) + "-" + std::to_string(i);

  auto keep = DurableFile::Create(backup, mode);
  if (!keep) return std::unexpected(keep.error());
  if (auto s = CopyFilePrefix(path, plan.original_size, *keep); !s)
    return std::unexpected(s.error());
  if (auto s = keep->Commit(); !s) return std::unexpected(s.error());

  auto cut = DurableFile::Create(path, mode);
  if (!cut) return std::unexpected(cut.error());
  if (auto s = CopyFilePrefix(path, plan.new_size, *cut); !s) return std::unexpected(s.error());
  if (auto s = cut->Commit(); !s) return std::unexpected(s.error());
  return backup;
}

}  // namespace tidemark
