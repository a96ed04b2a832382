#include "sidecar/bgsave_follow.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "io/file_source.h"

namespace tidemark::sidecar {

namespace {

// How often the search for the child's file looks at the directory, and asks INFO whether the
// save already ended (then there is nothing to follow).
constexpr int64_t kSearchPollMs = 2;
constexpr int kSearchPollsPerInfo = 10;

using TempFiles = std::map<std::string, ino_t>;

Result<TempFiles> ListTempFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d)
    return MakeError(ErrorCode::kIo, "cannot list " + dir + ": " + std::strerror(errno));
  TempFiles out;
  while (const dirent* e = ::readdir(d))
    if (IsBgsaveTempName(e->d_name)) out[e->d_name] = e->d_ino;
  ::closedir(d);
  return out;
}

// The end check of a followed file: see the header.
GrowingFileSource::WriterCheck EndCheck(std::shared_ptr<RedisClient> redis, std::string final_path,
                                        int64_t saves_before) {
  return [redis = std::move(redis), final_path = std::move(final_path),
          saves_before](int fd) -> Result<WriterState> {
    auto info = Info(*redis, "persistence");
    if (!info) return std::unexpected(info.error());
    auto ended = BgsaveEnded(*info, saves_before);
    if (!ended)
      return MakeError(ErrorCode::kIo, "the BGSAVE being streamed failed; its partial file is not a "
                                       "snapshot: " + ended.error().message);
    if (!*ended) return WriterState::kWriting;
    struct stat ours{}, final_file{};
    if (::fstat(fd, &ours) != 0 || ::stat(final_path.c_str(), &final_file) != 0)
      return MakeError(ErrorCode::kIo, "the BGSAVE ended but " + final_path +
                                           " cannot be compared with the file streamed: " +
                                           std::strerror(errno));
    if (ours.st_dev != final_file.st_dev || ours.st_ino != final_file.st_ino)
      return MakeError(ErrorCode::kIo,
                       "the BGSAVE ended but " + final_path + " is inode " +
                           std::to_string(final_file.st_ino) + ", not the streamed file's " +
                           std::to_string(ours.st_ino) +
                           ": it was not this save's, or a later save replaced it");
    return WriterState::kDone;
  };
}

}  // namespace

bool IsBgsaveTempName(const std::string& name) {
  constexpr std::string_view kPrefix = "temp-", kSuffix = ".rdb";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix))
    return false;
  for (size_t i = kPrefix.size(); i < name.size() - kSuffix.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
}

Result<FollowedBgsave> FollowBgsave(RedisClient redis_in, Clock& clock, const std::string& dir,
                                    const std::string& dbfilename, const BgsaveOptions& options,
                                    const std::function<void(const std::string&)>& note) {
  auto say = [&](const std::string& s) {
    if (note) note(s);
  };
  auto redis = std::make_shared<RedisClient>(std::move(redis_in));
  const std::string final_path = dir + "/" + dbfilename;
  // Unreadable directory: nothing can be followed, but the dump file may still open.
  auto before = ListTempFiles(dir);
  auto started = StartBgsave(*redis, clock, options, note);
  if (!started) return std::unexpected(started.error());

  if (before && !started->scheduled) {
    const int64_t deadline = started->start_ms + options.timeout_ms;
    for (int poll = 1; clock.NowMillis() <= deadline; ++poll) {
      auto now = ListTempFiles(dir);
      if (!now) break;
      std::vector<std::string> fresh;
      for (const auto& [name, ino] : *now) {
        auto old = before->find(name);
        if (old == before->end() || old->second != ino) fresh.push_back(name);
      }
      if (fresh.size() > 1) {
        say("more than one new temp-*.rdb in " + dir + ": waiting for the BGSAVE instead");
        break;
      }
      if (fresh.size() == 1) {
        GrowingFileOptions go;
        go.check_interval_ms = options.poll_ms;
        go.timeout_ms = options.timeout_ms;
        auto file = GrowingFileSource::Open(dir + "/" + fresh[0],
                                            EndCheck(redis, final_path, started->saves_before), go);
        if (file) {
          FollowedBgsave out;
          out.file = (*file)->path();
          out.growing = file->get();
          out.bytes = std::move(*file);
          return out;
        }
        // Renamed already (the save is done): the loop sees it end.
        if (file.error().code != ErrorCode::kNotFound) return std::unexpected(file.error());
      }
      if (poll % kSearchPollsPerInfo == 0) {
        auto info = Info(*redis, "persistence");
        if (!info) return std::unexpected(info.error());
        auto ended = BgsaveEnded(*info, started->saves_before);
        if (!ended || *ended) break;
      }
      clock.SleepMillis(kSearchPollMs);
    }
  }
  auto saved = WaitBgsave(*redis, clock, options, *started);
  if (!saved) return std::unexpected(saved.error());
  // The open descriptor keeps these bytes even if a later save replaces the file.
  auto file = FileSource::Open(final_path);
  if (!file) return std::unexpected(file.error());
  FollowedBgsave out;
  out.file = final_path;
  out.bytes = std::make_unique<FileSource>(std::move(*file));
  return out;
}

}  // namespace tidemark::sidecar
