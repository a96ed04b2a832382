// SIGKILL of a real tidemark-sidecar process at every named step of a backup and of a restore
// (io/kill_point.h: TIDEMARK_KILL_AT makes the process kill itself there), with a real
// redis-server. After each kill the store lists only whole, verified backups (the older ones
// byte-identical), the data directory loads entirely old or entirely new data (DEBUG DIGEST),
// and the next run cleans up and succeeds. A last test proves the cleanup spares the files of a
// restore that is still alive.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "core/format/sha256.h"
#include "io/file_lock.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/install.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

const std::string kEmptyDigest(40, '0');

std::string Sha256Of(const std::string& bytes) {
  Sha256 sha;
  (void)sha.Update({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return sha.FinishHex().value_or("");
}

// Plain name -> SHA-256 of every regular file in `dir` (hidden ones too, the lock file aside).
std::map<std::string, std::string> HashFiles(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& name : ListDir(dir)) {
    struct stat st{};
    const std::string path = dir + "/" + name;
    if (name.ends_with(".lock") || ::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    out[name] = Sha256Of(ReadFile(path));
  }
  return out;
}

void CopyDir(const std::string& from, const std::string& to) {
  ASSERT_EQ(RunCommand("rm -rf '" + to + "' && cp -a '" + from + "' '" + to + "'"), 0);
}

// Runs the sidecar armed with TIDEMARK_KILL_AT=`spec`. True when it died of SIGKILL at that
// point (its own line on stderr says which): a run that ends any other way fails the test.
bool RunKilledAt(const std::vector<std::string>& args, const std::string& spec,
                 const std::string& log, std::string* text) {
  pid_t pid = SpawnSidecar(args, log, {"TIDEMARK_KILL_AT=" + spec});
  if (pid <= 0) return false;
  int st = 0;
  ::waitpid(pid, &st, 0);
  *text = ReadFile(log);
  const std::string point = spec.substr(0, spec.find_first_of(":@"));
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
         text->find("kill point " + point + " reached") != std::string::npos;
}

// Waits up to `ms` for `pid`; true when it died of SIGKILL. Kills it (false) when it did not end.
bool DiedOfSigkill(pid_t pid, int ms) {
  int st = 0;
  bool ended = WaitFor([&] { return ::waitpid(pid, &st, WNOHANG) == pid; }, ms, 10);
  if (!ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return false;
  }
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

// The digest Redis loads from a copy of `dir` (the copy: starting Redis writes files).
std::string DigestOfCopy(const std::string& dir, const std::string& scratch, bool appendonly) {
  CopyDir(dir, scratch);
  RedisServer redis(scratch, {std::string("appendonly ") + (appendonly ? "yes" : "no")});
  return redis.Digest();
}

class SidecarKillPoints : public WithDataAndStore<> {
 protected:
  // A few MiB of snapshot: several write-mib points, seconds for the whole sweep.
  static void Fill(const RedisServer& redis) {
    redis.Cli({"DEBUG", "POPULATE", "5000", "key", "1000"});
  }
  std::string WriteRetentionPolicy() {
    WriteFile(tmp_.File("policy.json"),
              KeepingOnlyTheLast(ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                          "/tests/core/policy/golden/hybrid.policy.json"),
                                 2));
    return tmp_.File("policy.json");
  }
  // Every listed backup's bytes hash to its metadata's SHA-256; returns the names listed.
  std::set<std::string> ListedWholeBackups() {
    std::set<std::string> names;
    auto store = sidecar::DirBackupStore::Open(store_);
    EXPECT_TRUE(store);
    if (!store) return names;
    auto listing = store->List();
    EXPECT_TRUE(listing);
    if (!listing) return names;
    EXPECT_TRUE(listing->problems.empty()) << listing->problems.front();
    for (const auto& m : listing->backups) {
      EXPECT_EQ(Sha256Of(ReadFile(store->DataLocation(m.name))), m.sha256) << m.name;
      names.insert(m.name);
    }
    return names;
  }
  // Nothing in the store but the lock and pairs of <name>.rdb + <name>.json.
  void ExpectOnlyWholeBackupFiles() {
    for (const auto& f : ListDir(store_)) {
      if (f == ".tidemark-store.lock") continue;
      EXPECT_NE(f[0], '.') << "left behind: " << f;
      const std::string stem = f.substr(0, f.rfind('.'));
      EXPECT_TRUE(FileSize(store_ + "/" + stem + ".rdb") > 0 &&
                  FileSize(store_ + "/" + stem + ".json") > 0)
          << "half a backup: " << f;
    }
  }
  static int64_t FileSize(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
  }
  // Restores the newest backup into an empty directory and returns what Redis loads.
  std::string RestoredDigest() {
    const std::string dir = tmp_.File("check");
    EXPECT_EQ(RunCommand("rm -rf '" + dir + "' && mkdir '" + dir + "'"), 0);
    auto r = RunSidecar({"restore", "--data-dir", dir, "--store", store_, "--appendonly", "no"});
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    RedisServer redis(dir, {});
    return redis.Digest();
  }
};

const std::vector<std::string> kUncompressed = {"rdbcompression no"};

TEST_F(SidecarKillPoints, BackupKilledAtEveryStepListsOnlyWholeBackupsAndTheNextOneSucceeds) {
  RedisServer redis(data_, kUncompressed);
  Fill(redis);
  const std::string live = redis.Digest();
  const std::vector<std::string> args = {"backup", "--redis", "unix:" + redis.socket(),
                                         "--store", store_, "--policy", WriteRetentionPolicy()};
  for (int i = 0; i < 2; ++i) {
    auto b = RunSidecar(args);
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
  }
  const auto before = HashFiles(store_);
  const std::set<std::string> older = ListedWholeBackups();
  ASSERT_EQ(older.size(), 2u);
  const std::string base = tmp_.File("store-before");
  CopyDir(store_, base);

  struct Point {
    std::string spec;
    bool may_publish;  // killed after the new backup was whole under its final names
    bool may_delete;   // killed inside retention: the oldest backup may be gone
  };
  const std::vector<Point> points = {
      {"bgsave-requested", false, false},        // Redis's BGSAVE still running
      {"write-mib:.rdb.tmp-@3", false, false},   // 3 MiB into the copy
      {"backup-copied", false, false},           // copied and verified, nothing published
      {"synced:.rdb", false, false},             // data fsynced under its temporary name
      {"renamed:.rdb", false, false},            // data renamed, directory not fsynced
      {"synced:.json", false, false},            // metadata fsynced under its temporary name
      {"renamed:.json", true, false},            // metadata renamed, directory not fsynced
      {"backup-published", true, false},         // before retention
      {"backup-deleting", true, true},           // retention: metadata unlinked, data not yet
  };
  for (const auto& p : points) {
    SCOPED_TRACE(p.spec);
    CopyDir(base, store_);
    std::string log;
    ASSERT_TRUE(RunKilledAt(args, p.spec, tmp_.File("killed.log"), &log)) << log;

    const auto listed = ListedWholeBackups();
    const auto now = HashFiles(store_);
    size_t fresh = 0;
    for (const auto& name : listed) {
      if (!older.count(name)) {
        ++fresh;
        continue;
      }
      for (const char* suffix : {".rdb", ".json"})
        EXPECT_EQ(now.at(name + suffix), before.at(name + suffix)) << name << suffix;
    }
    EXPECT_LE(fresh, p.may_publish ? 1u : 0u) << "a backup listed before it was whole";
    if (p.may_publish) {
      EXPECT_EQ(fresh, 1u);
    }
    EXPECT_GE(listed.size() - fresh, p.may_delete ? 1u : 2u) << "an older backup was lost";

    auto next = RunSidecar(args);
    ASSERT_EQ(next.rc, 0) << next.out << next.err;
    ExpectOnlyWholeBackupFiles();
    EXPECT_EQ(ListedWholeBackups().size(), 2u);  // keepLast 2
    EXPECT_EQ(RestoredDigest(), live);
  }
}

// The data directory Redis would load from, before the restore and after a complete one.
struct DataDirCase {
  bool appendonly;
  std::vector<std::string> points;
};

TEST_F(SidecarKillPoints, RestoreKilledAtEveryStepLeavesTheDataEntirelyOldOrNew) {
  std::string backed_up;
  std::string damaged;  // an unusable dump.rdb the rdb restore replaces (and must keep)
  {
    RedisServer redis(data_, kUncompressed);
    Fill(redis);
    backed_up = redis.Digest();
    auto b = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
    redis.Save();
  }
  FlipByte(data_ + "/dump.rdb", 1 << 20);
  damaged = ReadFile(data_ + "/dump.rdb");
  ASSERT_NE(backed_up, kEmptyDigest);

  const std::vector<DataDirCase> cases = {
      {false,
       {"write-mib:dump.rdb@2", "synced:dump.rdb", "renamed:dump.rdb", "restore-installed",
        "synced:.tidemark-restore.json", "renamed:.tidemark-restore.json"}},
      {true,
       {"write-mib:base.rdb@2", "synced:base.rdb", "synced:.manifest", "install-swapped",
        "restore-installed", "renamed:.tidemark-restore.json"}},
  };
  for (const auto& c : cases) {
    const std::string mode = c.appendonly ? "yes" : "no";
    const std::vector<std::string> args = {"restore", "--data-dir", data_, "--store", store_,
                                           "--appendonly", mode};
    for (const auto& spec : c.points) {
      SCOPED_TRACE("appendonly " + mode + ", " + spec);
      WipeDir(data_);
      // AOF on: an empty volume (the old state loads nothing); off: the damaged dump.rdb.
      if (!c.appendonly) WriteFile(data_ + "/dump.rdb", damaged);
      std::string log;
      ASSERT_TRUE(RunKilledAt(args, spec, tmp_.File("killed.log"), &log)) << log;

      // Entirely old or entirely new, and the old bytes are still on the volume.
      if (c.appendonly) {
        const std::string got = DigestOfCopy(data_, tmp_.File("copy"), true);
        if (FileSize(data_ + "/appendonlydir") >= 0) {
          EXPECT_EQ(got, backed_up) << "an appendonlydir that does not hold the backup";
        } else {
          EXPECT_EQ(got, kEmptyDigest);
        }
      } else {
        const std::string now = ReadFile(data_ + "/dump.rdb");
        if (now != damaged) {
          EXPECT_EQ(DigestOfCopy(data_, tmp_.File("copy"), false), backed_up);
        }
        bool old_kept = false;
        for (const auto& f : ListDir(data_))
          if (f.starts_with("dump.rdb") && ReadFile(data_ + "/" + f) == damaged) old_kept = true;
        EXPECT_TRUE(old_kept) << "the replaced dump.rdb is gone";
      }

      auto next = RunSidecar(args);
      ASSERT_EQ(next.rc, 0) << next.out << next.err;
      for (const auto& f : ListDir(data_)) {
        EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
        EXPECT_EQ(f.find(".tidemark-restore-"), std::string::npos) << f;
        EXPECT_EQ(f.find(".tidemark-swap-"), std::string::npos) << f;
      }
      if (c.appendonly) {
        for (const auto& f : ListDir(data_ + "/appendonlydir"))
          EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
      }
      EXPECT_GT(FileSize(data_ + "/.tidemark-restore.json"), 0);
      RedisServer again(data_, {"appendonly " + mode});
      EXPECT_EQ(again.Digest(), backed_up);
    }
  }
}

TEST_F(SidecarKillPoints, ManifestRebuildKilledAtEveryStepEndsWithTheAofLoaded) {
  std::string digest;
  {
    RedisServer redis(data_, {"appendonly yes"});
    Fill(redis);  // DEBUG POPULATE is not logged to the AOF: the rewrite puts it in the base
    redis.RewriteAof();
    digest = redis.Digest();
  }
  ASSERT_EQ(::unlink((data_ + "/appendonlydir/appendonly.aof.manifest").c_str()), 0);
  const std::string lost = tmp_.File("lost-manifest");
  CopyDir(data_, lost);
  const std::vector<std::string> args = {"restore", "--data-dir", data_, "--store", store_,
                                         "--appendonly", "yes"};
  for (const char* spec : {"synced:.manifest", "renamed:.manifest"}) {
    SCOPED_TRACE(spec);
    CopyDir(lost, data_);
    std::string log;
    ASSERT_TRUE(RunKilledAt(args, spec, tmp_.File("killed.log"), &log)) << log;
    // A manifest is either absent or the whole rebuilt one: Redis loads everything.
    if (FileSize(data_ + "/appendonlydir/appendonly.aof.manifest") >= 0) {
      EXPECT_EQ(DigestOfCopy(data_, tmp_.File("copy"), true), digest);
    }
    auto next = RunSidecar(args);
    ASSERT_EQ(next.rc, 0) << next.out << next.err;
    for (const auto& f : ListDir(data_ + "/appendonlydir"))
      EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
    RedisServer again(data_, {"appendonly yes"});
    EXPECT_EQ(again.Digest(), digest);
  }
}

// The same job behind `run`'s POST /v1/backups: killed between the data rename and the metadata,
// the restarted sidecar's next backup removes the data file without metadata and succeeds.
TEST_F(SidecarKillPoints, RunKilledDuringABackupAskedOverHttpRecoversOnRestart) {
  RedisServer redis(data_, kUncompressed);
  Fill(redis);
  const std::string live = redis.Digest();
  WriteFile(tmp_.File("policy.json"), ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                               "/tests/core/policy/golden/hybrid.policy.json"));
  WriteFile(tmp_.File("redis.conf"), "appendfsync everysec\n");
  const int port = FreePort();
  const std::vector<std::string> args = {
      "run", "--redis", "unix:" + redis.socket(), "--store", store_, "--policy",
      tmp_.File("policy.json"), "--redis-conf", tmp_.File("redis.conf"), "--listen",
      "127.0.0.1:" + std::to_string(port)};
  pid_t pid = SpawnSidecar(args, tmp_.File("killed.log"), {"TIDEMARK_KILL_AT=renamed:.rdb"});
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitFor([&] { return Http(port, "GET", "/readyz").status == 200; }, 20000))
      << ReadFile(tmp_.File("killed.log"));
  EXPECT_EQ(Http(port, "POST", "/v1/backups").status, 202);
  ASSERT_TRUE(DiedOfSigkill(pid, 60000)) << ReadFile(tmp_.File("killed.log"));
  ASSERT_NE(ReadFile(tmp_.File("killed.log")).find("kill point renamed reached"),
            std::string::npos);
  EXPECT_TRUE(ListedWholeBackups().empty());

  RunningSidecar again({args.begin() + 1, args.end()}, tmp_.File("run.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port, "GET", "/readyz").status == 200; }, 20000))
      << again.Log();
  EXPECT_EQ(Http(port, "POST", "/v1/backups").status, 202);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Http(port, "GET", "/v1/status").body.find("\"lastResult\":\"success\"") !=
               std::string::npos;
      },
      60000))
      << again.Log();
  EXPECT_EQ(again.Stop(), 0);
  EXPECT_NE(again.Log().find("removed a temporary file left by an interrupted backup"),
            std::string::npos)
      << again.Log();
  ExpectOnlyWholeBackupFiles();
  EXPECT_EQ(ListedWholeBackups().size(), 1u);
  EXPECT_EQ(RestoredDigest(), live);
}

// Kills timed from outside at increasing delays (wherever the loaded machine happens to be: a
// spread, not a list of steps) over a 12 MB snapshot, for a backup and for a restore. Each run
// is checked like the named kills; the figures go to the test's output.
TEST_F(SidecarKillPoints, KillsAtIncreasingDelaysNeverLeaveAPartialBackupOrHalfRestoredData) {
  RedisServer redis(data_, kUncompressed);
  redis.Cli({"DEBUG", "POPULATE", "12000", "key", "1000"});
  const std::string live = redis.Digest();
  const std::vector<std::string> backup = {"backup", "--redis", "unix:" + redis.socket(),
                                           "--store", store_};
  auto first = RunSidecar(backup);
  ASSERT_EQ(first.rc, 0) << first.out << first.err;
  const auto before = HashFiles(store_);
  const std::set<std::string> older = ListedWholeBackups();
  const std::vector<int> delays_ms = {0, 60, 150, 300, 500, 800};
  int killed = 0, mid_copy = 0;
  auto partial_in = [](const std::string& dir) {
    for (const auto& f : ListDir(dir))
      if (f.find(".tmp-") != std::string::npos || f.find(".tidemark-restore-") != std::string::npos)
        return true;
    return false;
  };
  for (int delay : delays_ms) {
    SCOPED_TRACE("backup killed after " + std::to_string(delay) + " ms");
    pid_t pid = SpawnSidecar(backup, tmp_.File("killed.log"));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    killed += DiedOfSigkill(pid, 60000);
    mid_copy += partial_in(store_);
    const auto now = HashFiles(store_);
    for (const auto& name : ListedWholeBackups()) {
      if (!older.count(name)) continue;  // a backup that finished before the kill: whole
      EXPECT_EQ(now.at(name + ".rdb"), before.at(name + ".rdb")) << name;
    }
  }
  auto next = RunSidecar(backup);
  ASSERT_EQ(next.rc, 0) << next.out << next.err;
  ExpectOnlyWholeBackupFiles();
  EXPECT_EQ(RestoredDigest(), live);
  std::cout << "backup: " << killed << " of " << delays_ms.size()
            << " runs killed before they ended, " << mid_copy << " with a partial copy\n";

  // Restores into an empty volume, AOF off and on in turn.
  killed = mid_copy = 0;
  const std::string volume = tmp_.File("volume");
  for (size_t i = 0; i < delays_ms.size(); ++i) {
    const bool aof = i % 2 == 1;
    SCOPED_TRACE(std::string("restore, appendonly ") + (aof ? "yes" : "no") + ", killed after " +
                 std::to_string(delays_ms[i]) + " ms");
    ASSERT_EQ(RunCommand("rm -rf '" + volume + "' && mkdir '" + volume + "'"), 0);
    const std::vector<std::string> args = {"restore", "--data-dir", volume, "--store", store_,
                                           "--appendonly", aof ? "yes" : "no"};
    pid_t pid = SpawnSidecar(args, tmp_.File("killed.log"));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[i]));
    ::kill(pid, SIGKILL);
    killed += DiedOfSigkill(pid, 60000);
    mid_copy += partial_in(volume);
    const bool installed =
        FileSize(volume + (aof ? "/appendonlydir" : "/dump.rdb")) >= 0;
    EXPECT_EQ(DigestOfCopy(volume, tmp_.File("copy"), aof), installed ? live : kEmptyDigest);
    auto again = RunSidecar(args);
    ASSERT_EQ(again.rc, 0) << again.out << again.err;
    RedisServer loaded(volume, {std::string("appendonly ") + (aof ? "yes" : "no")});
    EXPECT_EQ(loaded.Digest(), live);
  }
  std::cout << "restore: " << killed << " of " << delays_ms.size()
            << " runs killed before they ended, " << mid_copy << " with a partial copy\n";
}

TEST_F(SidecarKillPoints, ARestoreNeverRemovesTheFilesOfAnotherLiveRestore) {
  {
    RedisServer redis(data_, kUncompressed);
    redis.Cli({"SET", "k", "v"});
    auto b = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
  }
  WipeDir(data_);
  // Another restore of this volume, alive: it holds the lock and is writing its dump.rdb.
  auto other = sidecar::LockDataDirForRestore(data_);
  ASSERT_TRUE(other) << other.error().ToString();
  const std::string writing = data_ + "/.dump.rdb.tmp-4242-0";
  WriteFile(writing, "being written");
  auto second = RunSidecar({"restore", "--data-dir", data_, "--store", store_});
  EXPECT_NE(second.rc, 0);
  EXPECT_TRUE(second.Logged("another restore is running on this data directory")) << second.out;
  EXPECT_EQ(ReadFile(writing), "being written");
  EXPECT_EQ(FileSize(data_ + "/dump.rdb"), -1);
}

// The lineage marker in the backup store (written by the restore, under the store's lock): a
// restore killed with its temporary file fsynced leaves it there, where no data-dir cleanup looks.
// It stays while a writer holds the store's lock (it could be that writer's) and goes at the
// next restore that gets the lock, which then writes the marker.
TEST_F(SidecarKillPoints, ALineageMarkerKilledInTheStoreIsCleanedOnlyWhenNoWriterIsAlive) {
  std::string backed_up;
  {
    RedisServer redis(data_, kUncompressed);
    redis.Cli({"SET", "k", "v"});
    backed_up = redis.Digest();
    auto b = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
  }
  WipeDir(data_);
  const std::string marker = store_ + "/.tidemark-lineage.json";
  const std::vector<std::string> args = {"restore", "--data-dir", data_, "--store", store_,
                                         "--instance", "shop/cache"};
  auto marker_temps = [&] {
    std::vector<std::string> temps;
    for (const auto& f : ListDir(store_))
      if (f.starts_with("..tidemark-lineage.json.tmp-")) temps.push_back(f);
    return temps;
  };
  std::string log;
  ASSERT_TRUE(RunKilledAt(args, "synced:" + marker, tmp_.File("killed.log"), &log)) << log;
  ASSERT_EQ(marker_temps().size(), 1u) << "the killed write left no temporary file";
  EXPECT_EQ(FileSize(marker), -1);

  {
    // A live writer of the store (a backup, another restore writing the marker) holds its lock.
    auto live = sidecar::DirBackupStore::LockForWriting(store_, 0);
    ASSERT_TRUE(live) << live.error().ToString();
    auto busy = RunSidecar(args);
    ASSERT_EQ(busy.rc, 0) << busy.out << busy.err;
    EXPECT_TRUE(busy.Logged("cannot write the lineage marker in the backup store")) << busy.out;
    EXPECT_EQ(marker_temps().size(), 1u) << "removed while a writer held the store's lock";
    EXPECT_EQ(FileSize(marker), -1);
  }

  auto next = RunSidecar(args);
  ASSERT_EQ(next.rc, 0) << next.out << next.err;
  EXPECT_TRUE(next.Logged("removed what an interrupted writer left in the backup store")) << next.out;
  EXPECT_TRUE(marker_temps().empty());
  EXPECT_NE(ReadFile(marker).find("\"instance\":\"shop/cache\""), std::string::npos);
  EXPECT_EQ(ListedWholeBackups().size(), 1u);
  RedisServer again(data_, {});
  EXPECT_EQ(again.Digest(), backed_up);
}

}  // namespace
}  // namespace tidemark::testing
