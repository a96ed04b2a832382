#include "sidecar/scratch_redis.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "io/dir_list.h"
#include "io/file_source.h"
#include "io/os_error.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kLockName = "owner.lock";
constexpr int64_t kPollMs = 10;
constexpr int64_t kShutdownGraceMs = 2000;
// A directory without its lock file yet may belong to a drill that is creating it right now.
constexpr time_t kUnlockedGraceSeconds = 60;

// The file `name` names on $PATH (or `name` itself when it has a slash); empty when not found.
// Resolved before fork: after fork in a threaded process only async-signal-safe calls are allowed,
// and execvp's PATH search is not one of them.
std::string ResolveBinary(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// Forks and execs `argv` with stdout and stderr on `out_fd` and stdin on /dev/null. The child
// gets SIGKILL when the forking thread dies, so it never outlives its owner.
Result<pid_t> Spawn(const std::string& path, const std::vector<std::string>& args, int out_fd) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return OsError("cannot open", "/dev/null", errno);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(null_fd);
    return OsError("cannot fork", path, err);
  }
  if (pid == 0) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ::_exit(126);
    // The parent may have died between fork and prctl: then nobody would kill us later.
    if (::getppid() != parent) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(null_fd);
  return pid;
}

// Removes the plain files in `dir`, then `dir`. True when the directory is gone.
bool RemoveFlatDir(const std::string& dir) {
  auto names = ListDirectory(dir);
  if (names)
    for (const auto& n : *names) ::unlink((dir + "/" + n).c_str());
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

// The last `lines` lines of a small log, joined with " | ".
std::string LogTail(const std::string& path, size_t lines) {
  auto text = ReadSmallFile(path, 1 << 20);
  if (!text) return "(no log: " + text.error().message + ")";
  std::vector<std::string> all;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    if (end > start) all.push_back(text->substr(start, end - start));
    start = end + 1;
  }
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += (out.empty() ? "" : " | ") + all[i];
  return out;
}

}  // namespace

Result<std::string> RedisServerVersion(const std::string& binary) {
  const std::string path = ResolveBinary(binary);
  if (path.empty())
    return MakeError(ErrorCode::kNotFound,
                     "not found or not executable (set --redis-server to the pod's redis-server)",
                     -1, binary);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return OsError("cannot create a pipe", path, errno);
  auto pid = Spawn(path, {"--version"}, fds[1]);
  ::close(fds[1]);
  if (!pid) {
    ::close(fds[0]);
    return std::unexpected(pid.error());
  }
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(*pid, &status, 0);
  // "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=..."
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = "does not run here: `--version` " +
                      (WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                         : "was killed by signal " + std::to_string(WTERMSIG(status))) +
                      (out.empty() ? " and printed nothing" : ", printing: " + out);
    // 127: exec or the dynamic loader failed (musl vs glibc, another architecture, a missing
    // shared library): the usual cause when the binary comes from another image.
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      why += " (a binary from another image needs the same C library family and shared "
             "libraries as the sidecar's Debian image: docs/images.md)";
    return MakeError(ErrorCode::kIo, why, -1, path);
  }
  auto v = out.find(" v=");
  if (v == std::string::npos)
    return MakeError(ErrorCode::kIo, "--version did not print \"v=X.Y.Z\" (got: " + out + ")", -1,
                     path);
  auto end = out.find_first_of(" \n", v + 3);
  return out.substr(v + 3, end == std::string::npos ? std::string::npos : end - (v + 3));
}

std::vector<std::string> CleanStaleScratchDirs(const std::string& work_dir) {
  std::vector<std::string> removed;
  auto names = ListDirectory(work_dir);
  if (!names) return removed;
  for (const auto& name : *names) {
    if (!name.starts_with(kScratchDirPrefix)) continue;
    const std::string dir = work_dir + "/" + name;
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    int fd = ::open((dir + "/" + kLockName).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT || ::time(nullptr) - st.st_mtime < kUnlockedGraceSeconds) continue;
    } else {
      const bool owned = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
      ::close(fd);
      if (owned) continue;  // a live drill
    }
    if (RemoveFlatDir(dir)) removed.push_back(dir);
  }
  return removed;
}

Result<ScratchDir> ScratchDir::Create(const std::string& work_dir) {
  // Absolute: the server changes into its --dir before it binds the socket path it was given.
  char* real = ::realpath(work_dir.c_str(), nullptr);
  if (!real) return OsError("cannot resolve the drill work directory", work_dir, errno);
  std::string tmpl = std::string(real) + "/" + kScratchDirPrefix + "XXXXXX";
  std::free(real);
  if (!::mkdtemp(tmpl.data())) return OsError("cannot create a scratch directory", work_dir, errno);
  const std::string lock = tmpl + "/" + kLockName;
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    RemoveFlatDir(tmpl);
    return OsError("cannot lock", lock, err);
  }
  return ScratchDir(tmpl, fd);
}

ScratchDir::ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)), lock_fd_(o.lock_fd_) {
  o.path_.clear();
  o.lock_fd_ = -1;
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) RemoveFlatDir(path_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<ScratchRedis> ScratchRedis::Start(const std::string& binary, const ScratchDir& dir,
                                         Clock& clock, int64_t timeout_ms) {
  const std::string path = ResolveBinary(binary);
  if (path.empty())
    return MakeError(ErrorCode::kNotFound,
                     "not found or not executable (set --redis-server to the pod's redis-server)",
                     -1, binary);
  const std::string log = dir.File("redis.log");
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) return OsError("cannot create", log, errno);
  const std::string socket = dir.File("redis.sock");
  const int64_t started = clock.NowMillis();
  auto pid = Spawn(path,
                   {"--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--dir",
                    dir.path(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
                    "--enable-debug-command", "local", "--daemonize", "no", "--logfile", "",
                    "--maxmemory", "0"},
                   log_fd);
  ::close(log_fd);
  if (!pid) return std::unexpected(pid.error());
  ScratchRedis server(*pid, log, started);
  RedisEndpoint endpoint;
  endpoint.unix_socket = true;
  endpoint.path = socket;
  for (;;) {
    if (auto e = server.Exited()) return std::unexpected(*e);
    struct stat st{};
    if (::stat(socket.c_str(), &st) == 0) {
      auto c = RedisClient::Connect(endpoint, std::nullopt, 5000);
      if (c) {
        server.client_.emplace(std::move(*c));
        return server;
      }
    }
    if (clock.NowMillis() - started > timeout_ms)
      return MakeError(ErrorCode::kIo,
                       "the scratch redis-server did not open its socket within " +
                           std::to_string(timeout_ms / 1000) + " s; log: " + LogTail(log, 5),
                       -1, socket);
    clock.SleepMillis(kPollMs);
  }
}

ScratchRedis::ScratchRedis(ScratchRedis&& o) noexcept
    : pid_(o.pid_), log_(std::move(o.log_)), started_ms_(o.started_ms_),
      client_(std::move(o.client_)) {
  o.pid_ = -1;
  o.client_.reset();
}

ScratchRedis::~ScratchRedis() { Stop(); }

std::optional<Error> ScratchRedis::Exited() {
  if (pid_ < 0) return Error{ErrorCode::kIo, log_, -1, "the scratch redis-server is not running"};
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  pid_ = -1;
  client_.reset();
  const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                            : "was killed by signal " + std::to_string(WTERMSIG(status));
  return Error{ErrorCode::kIo, log_, -1,
               "the scratch redis-server " + how + " before it finished loading; its log ends: " +
                   LogTail(log_, 4)};
}

Result<ScratchLoad> ScratchRedis::WaitLoaded(Clock& clock, int64_t timeout_ms) {
  for (;;) {
    if (auto e = Exited()) return std::unexpected(*e);
    auto info = Info(*client_, "persistence");
    if (!info) {
      // The connection broke: most likely the server died refusing the file; give it a moment
      // to be reaped so the error says why.
      for (int i = 0; i < 100; ++i) {
        if (auto e = Exited()) return std::unexpected(*e);
        clock.SleepMillis(kPollMs);
      }
      return std::unexpected(info.error());
    }
    auto it = info->find("loading");
    if (it != info->end() && it->second == "0")
      return ScratchLoad{.load_ms = clock.NowMillis() - started_ms_};
    if (clock.NowMillis() - started_ms_ > timeout_ms)
      return MakeError(ErrorCode::kIo,
                       "still loading after " + std::to_string(timeout_ms / 1000) + " s", -1, log_);
    clock.SleepMillis(kPollMs);
  }
}

void ScratchRedis::Stop() {
  if (pid_ < 0) return;
  if (client_) (void)client_->Command({"SHUTDOWN", "NOSAVE"});
  client_.reset();
  int status = 0;
  for (int64_t waited = 0; waited < kShutdownGraceMs; waited += kPollMs) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    ::usleep(kPollMs * 1000);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace tidemark::sidecar
