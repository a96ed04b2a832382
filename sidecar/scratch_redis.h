// A throw-away redis-server for restore drills: private directory, unix socket only, nothing
// saved, and never outliving the process that started it.
//
// Layout: `<work_dir>/tidemark-drill-XXXXXX/` (mkdtemp, mode 0700) holds the snapshot the server
// loads (`dump.rdb`), its socket (`redis.sock`), its log (`redis.log`) and `owner.lock`, which
// the owning process holds an flock(2) on for the directory's life. The server runs with
// `--port 0 --save "" --appendonly no --enable-debug-command local`, so it writes nothing and
// accepts DEBUG only over the socket.
//
// Cleanup, in every way the owner can end:
//   - Stop() or the destructor: SHUTDOWN NOSAVE, then SIGKILL if it lingers, waitpid, and the
//     directory removed;
//   - the owner killed (SIGKILL included): the child was started with PR_SET_PDEATHSIG=SIGKILL,
//     so the kernel kills the server when the thread that forked it dies (start it from a thread
//     that lives as long as the drill: the run loop's thread or main);
//   - the directory a killed owner left: CleanStaleScratchDirs() (called at the next drill)
//     removes every `tidemark-drill-*` directory whose lock no process holds.
// Not thread-safe; one drill per object.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "sidecar/clock.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

inline constexpr const char* kScratchDirPrefix = "tidemark-drill-";

// "7.0.15" from `redis-server --version` of `binary` (searched on PATH when it has no slash).
// kNotFound when the binary is missing, kIo when it does not run or prints something else.
Result<std::string> RedisServerVersion(const std::string& binary);

// Removes `<work_dir>/tidemark-drill-*` directories no live process owns. Returns what it removed.
std::vector<std::string> CleanStaleScratchDirs(const std::string& work_dir);

class ScratchDir {
 public:
  // Creates a fresh private directory under `work_dir` and takes its lock.
  static Result<ScratchDir> Create(const std::string& work_dir);
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();  // removes the directory and its files

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  ScratchDir(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  std::string path_;
  int lock_fd_ = -1;
};

struct ScratchLoad {
  int64_t load_ms = 0;  // from the spawn to loading:0
};

class ScratchRedis {
 public:
  // Starts `binary` on `dir` (which must already hold dump.rdb) and connects once its socket
  // answers. kIo naming the binary when it cannot start; when it exits early, the error carries
  // the last lines of its log (why Redis refused the file).
  static Result<ScratchRedis> Start(const std::string& binary, const ScratchDir& dir,
                                    Clock& clock, int64_t timeout_ms);
  ScratchRedis(ScratchRedis&& other) noexcept;
  ScratchRedis& operator=(ScratchRedis&&) = delete;
  ~ScratchRedis();  // Stop()

  // Polls INFO persistence until loading:0 (or the server exits / the timeout passes).
  Result<ScratchLoad> WaitLoaded(Clock& clock, int64_t timeout_ms);
  RedisClient& client() { return *client_; }
  pid_t pid() const { return pid_; }
  // SHUTDOWN NOSAVE, SIGKILL after a grace period, waitpid. Idempotent.
  void Stop();

 private:
  ScratchRedis(pid_t pid, std::string log, int64_t started_ms)
      : pid_(pid), log_(std::move(log)), started_ms_(started_ms) {}
  // The server's exit (when it has exited) with its log's tail, as an error.
  std::optional<Error> Exited();
  pid_t pid_ = -1;
  std::string log_;
  int64_t started_ms_ = 0;
  std::optional<RedisClient> client_;
};

}  // namespace tidemark::sidecar
