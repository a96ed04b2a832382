// kill -9 of the tidemark-sidecar process while it copies a snapshot, with a real redis-server:
// during a backup's copy into the store and during a restore's install into the data directory.
// Nothing half-written may be visible afterwards, and the next run cleans up and succeeds.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "sidecar/dir_backup_store.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// Polls `writing` every millisecond; SIGKILLs `pid` as soon as it holds. False when the process
// ended first (or after 60 s).
bool KillWhen(pid_t pid, const std::function<bool()>& writing) {
  for (int i = 0; i < 60000; ++i) {
    if (writing()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return true;
    }
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

// The first entry of `dir` whose name contains `fragment` and that holds more than 1 MiB
// (a directory: one of its files does), or "".
std::string GrowingEntry(const std::string& dir, const std::string& fragment) {
  for (const auto& name : ListDir(dir)) {
    if (name.find(fragment) == std::string::npos) continue;
    const std::string path = dir + "/" + name;
    if (FileSize(path) > (1 << 20)) return name;
    for (const auto& inner : ListDir(path))
      if (FileSize(path + "/" + inner) > (1 << 20)) return name;
  }
  return "";
}

class SidecarKill : public WithDataAndStore<> {
 protected:
  // About 40 MB of snapshot: a copy long enough (tenths of a second) to be caught mid-way.
  static void Fill(const RedisServer& redis) {
    redis.Cli({"DEBUG", "POPULATE", "40000", "key", "1000"});
  }
};

const std::vector<std::string> kUncompressed = {"rdbcompression no"};

TEST_F(SidecarKill, BackupKilledMidCopyLeavesNothingVisibleAndTheNextBackupCleansUp) {
  RedisServer redis(data_, kUncompressed);
  Fill(redis);
  pid_t pid = SpawnSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_},
                    tmp_.File("killed.log"));
  ASSERT_GT(pid, 0);
  std::string temp;
  ASSERT_TRUE(KillWhen(pid, [&] { return !(temp = GrowingEntry(store_, ".rdb.tmp-")).empty(); }))
      << ReadFile(tmp_.File("killed.log"));
  EXPECT_LT(FileSize(store_ + "/" + temp), FileSize(data_ + "/dump.rdb")) << "not mid-copy";

  auto store = sidecar::DirBackupStore::Open(store_);
  ASSERT_TRUE(store) << store.error().ToString();
  auto listing = store->List();
  ASSERT_TRUE(listing) << listing.error().ToString();
  EXPECT_TRUE(listing->backups.empty());
  EXPECT_TRUE(listing->problems.empty());

  auto next = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
  ASSERT_EQ(next.rc, 0) << next.out << next.err;
  EXPECT_TRUE(next.Logged("removed a temporary file left by an interrupted backup")) << next.out;
  EXPECT_TRUE(next.Logged(temp)) << next.out;
  for (const auto& f : ListDir(store_)) EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
  listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 1u);
  EXPECT_EQ(listing->backups[0].total_keys(), 40000u);
}

TEST_F(SidecarKill, RestoreKilledMidInstallLeavesNothingHalfInstalledAndTheNextRunRestores) {
  std::string digest;
  {
    RedisServer redis(data_, kUncompressed);
    Fill(redis);
    digest = redis.Digest();
    auto b = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
  }
  for (const char* appendonly : {"yes", "no"}) {
    SCOPED_TRACE(std::string("appendonly ") + appendonly);
    WipeDir(data_);
    const std::vector<std::string> args = {"restore", "--data-dir", data_, "--store", store_,
                                           "--appendonly", appendonly};
    pid_t pid = SpawnSidecar(args, tmp_.File("killed.log"));
    ASSERT_GT(pid, 0);
    // AOF on: the directory is staged beside its place; off: dump.rdb's temporary file.
    const std::string fragment = appendonly == std::string("yes") ? ".tidemark-restore-"
                                                                  : ".dump.rdb.tmp-";
    std::string partial;
    ASSERT_TRUE(KillWhen(pid, [&] { return !(partial = GrowingEntry(data_, fragment)).empty(); }))
        << ReadFile(tmp_.File("killed.log"));
    // Nothing Redis loads exists yet.
    EXPECT_EQ(FileSize(data_ + "/appendonlydir"), -1);
    EXPECT_EQ(FileSize(data_ + "/dump.rdb"), -1);

    auto next = RunSidecar(args);
    ASSERT_EQ(next.rc, 0) << next.out << next.err;
    EXPECT_TRUE(next.Logged("removed what an interrupted restore left")) << next.out;
    EXPECT_TRUE(next.Logged(partial)) << next.out;
    EXPECT_TRUE(next.Logged("\"action\":\"installed-backup\"")) << next.out;
    for (const auto& f : ListDir(data_)) {
      EXPECT_EQ(f.find(".tidemark-restore-"), std::string::npos) << f;
      EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
    }
    RedisServer again(data_, {std::string("appendonly ") + appendonly});
    EXPECT_EQ(again.Digest(), digest);
  }
}

}  // namespace
}  // namespace tidemark::testing
