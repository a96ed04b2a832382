// Faults around backups and restores, with a real redis-server and the tidemark-sidecar binary:
// a full disk during a backup copy, a killed backup's leftovers, AOF damage at the tail and in
// the middle, a lost AOF manifest; a lost volume whose backups all fail verification, and a store
// shared with another instance.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

class SidecarFaults : public WithDataAndStore<> {
 protected:
  SidecarRun Backup(const RedisServer& redis) {
    return RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
  }
  std::string IncrFile() const { return data_ + "/appendonlydir/appendonly.aof.1.incr.aof"; }
  SidecarRun BackupAs(const RedisServer& redis, const std::string& instance) {
    return RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_,
                       "--instance", instance, "--instance-uid", "uid-" + instance});
  }
  // The restore as the operator renders it for pod 0 of shop/cache under restore.when: auto.
  SidecarRun RestoreAsOperated(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"restore", "--data-dir", data_, "--store", store_,
                                     "--allow-empty", "--instance", "shop/cache",
                                     "--instance-uid", "uid-shop/cache"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSidecar(args);
  }
  std::vector<std::string> StoreFiles(const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& f : ListDir(store_))
      if (f.ends_with(suffix)) out.push_back(store_ + "/" + f);
    return out;
  }
};

TEST_F(SidecarFaults, DiskFullDuringACopyFailsClearlyAndLeavesOlderBackupsIntact) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a size-limited tmpfs (unshare -m)";
  if (RunCommand("unshare -m true 2>/dev/null") != 0)
    GTEST_SKIP() << "unshare -m is not permitted here (no private mount namespace)";
  RedisServer redis(data_, {});
  redis.Cli({"DEBUG", "POPULATE", "200"});
  // Everything happens in a private mount namespace: the 256 KiB tmpfs over the store vanishes
  // with the shell, so the script reports what the store held.
  std::string script =
      "mount -t tmpfs -o size=256k tmpfs " + store_ + " || exit 90\n" +
      TIDEMARK_SIDECAR " backup --redis unix:" + redis.socket() + " --store " + store_ +
      " > " + tmp_.File("first.log") + " || exit 91\n" +
      "redis-cli -s " + redis.socket() + " DEBUG POPULATE 30000 big 64 >/dev/null\n" +
      TIDEMARK_SIDECAR " backup --redis unix:" + redis.socket() + " --store " + store_ +
      " > " + tmp_.File("second.log") + "\n" +
      "echo rc=$?\n"
      "echo files:; ls -A " + store_ + "\n"
      "echo sums:; cd " + store_ + " && sha256sum *.rdb && cat *.json\n";
  WriteFile(tmp_.File("script.sh"), script);
  std::string out;
  int rc = RunCommand("unshare -m sh " + tmp_.File("script.sh") + " 2>&1", &out);
  if (rc == 90) GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here: " << out;
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("rc=1\n"), std::string::npos) << out;
  std::string second = ReadFile(tmp_.File("second.log"));
  EXPECT_NE(second.find("No space left on device"), std::string::npos) << second;
  EXPECT_NE(second.find("was not published (older backups are untouched)"), std::string::npos)
      << second;
  // Exactly the first backup is there, no temporary file, and its bytes match its metadata.
  auto files_at = out.find("files:\n"), sums_at = out.find("sums:\n");
  ASSERT_NE(files_at, std::string::npos);
  std::string files = out.substr(files_at + 7, sums_at - files_at - 7);
  EXPECT_EQ(files.find(".tmp-"), std::string::npos) << files;
  size_t rdb = 0, json = 0;
  for (size_t p = files.find(".rdb"); p != std::string::npos; p = files.find(".rdb", p + 1)) ++rdb;
  for (size_t p = files.find(".json"); p != std::string::npos; p = files.find(".json", p + 1)) ++json;
  EXPECT_EQ(rdb, 1u) << files;
  EXPECT_EQ(json, 1u) << files;
  std::string sums = out.substr(sums_at + 6);
  std::string sha = sums.substr(0, 64);
  EXPECT_NE(sums.find("\"sha256\":\"" + sha + "\""), std::string::npos) << sums;
}

TEST_F(SidecarFaults, BackupCleansUpWhatAKilledBackupLeft) {
  RedisServer redis(data_, {});
  redis.Cli({"SET", "k", "v"});
  const std::string stale = store_ + "/.20261128T021500Z-00000007.rdb.tmp-99999-0";
  WriteFile(stale, "REDIS0010 half a snapshot");
  WriteFile(store_ + "/keep-me.tmp", "not the store's");
  auto b = Backup(redis);
  ASSERT_EQ(b.rc, 0) << b.out << b.err;
  EXPECT_TRUE(b.Logged("removed a temporary file left by an interrupted backup")) << b.out;
  struct stat st{};
  EXPECT_NE(::stat(stale.c_str(), &st), 0);
  EXPECT_EQ(ReadFile(store_ + "/keep-me.tmp"), "not the store's");
}

TEST_F(SidecarFaults, TruncatedAofTailIsRepairedWhenAllowedAndLoads) {
  std::string digest;
  {
    RedisServer redis(data_, {"appendonly yes"});
    // Real writes (DEBUG POPULATE is not logged in the AOF).
    redis.Pipe("SET a 1\nINCR a\nRPUSH l x y z\nHSET h f v\n");
    digest = redis.Digest();
  }
  std::string before = ReadFile(IncrFile());
  const std::string cut_short = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhal";  // a write cut short
  WriteFile(IncrFile(), before + cut_short);

  auto refused = RunSidecar({"restore", "--data-dir", data_, "--appendonly", "yes"});
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_TRUE(refused.Logged("tail repair is off")) << refused.out;
  EXPECT_EQ(ReadFile(IncrFile()), before + cut_short);  // untouched

  auto repaired = RunSidecar({"restore", "--data-dir", data_, "--appendonly", "yes",
                              "--allow-aof-tail-repair"});
  ASSERT_EQ(repaired.rc, 0) << repaired.out << repaired.err;
  EXPECT_TRUE(repaired.Logged("\"msg\":\"AOF tail truncated: repaired\"")) << repaired.out;
  EXPECT_TRUE(repaired.Logged("\"action\":\"kept-local-data\"")) << repaired.out;
  EXPECT_EQ(ReadFile(IncrFile()), before);
  bool kept_original = false;
  for (const auto& f : ListDir(data_ + "/appendonlydir"))
    kept_original |= f.find(".orig-") != std::string::npos;
  EXPECT_TRUE(kept_original);
  RedisServer again(data_, {"appendonly yes", "aof-load-truncated no"});
  EXPECT_EQ(again.Digest(), digest);
}

// The tails a power cut leaves at the end of the AOF's last file, over records a real
// redis-server wrote (appendfsync always: a reply means the record is in the file). `torn` is
// the file's bytes, `whole` how many of them are whole records, `digest` the dataset of those.
struct TornAof {
  std::string torn;
  size_t whole = 0;
  std::string digest;
};

class SidecarTornAof : public SidecarFaults {
 protected:
  enum class Tail { kNul, kMidBulk, kInsideMulti };
  TornAof Make(Tail tail) {
    TornAof t;
    RedisServer redis(data_, {"appendonly yes", "appendfsync always"});
    redis.Cli({"SET", "older", "1"});
    // An older backup: a refused repair must not fall back to it (the AOF holds newer writes).
    auto b = Backup(redis);
    EXPECT_EQ(b.rc, 0) << b.out << b.err;
    redis.Pipe("SET a 1\nINCR a\nRPUSH l x y z\nHSET h f v\n");
    t.digest = redis.Digest();
    t.whole = ReadFile(IncrFile()).size();
    const std::string value(40000, 'v');
    if (tail == Tail::kInsideMulti)
      redis.Pipe("MULTI\nSET m1 " + value + "\nSET m2 x\nEXEC\n");
    else
      redis.Cli({"SET", "big", value});
    redis.Stop();
    const std::string bytes = ReadFile(IncrFile());
    const std::string exec = "*1\r\n$4\r\nEXEC\r\n";
    switch (tail) {
      case Tail::kNul:  // the size reached the disk, the last write's blocks did not
        t.torn = bytes.substr(0, t.whole) + std::string(bytes.size() - t.whole, '\0');
        break;
      case Tail::kMidBulk:
        t.torn = bytes.substr(0, t.whole + 20000);
        break;
      case Tail::kInsideMulti:  // every record whole, the transaction without its EXEC
        EXPECT_TRUE(bytes.ends_with(exec));
        t.torn = bytes.substr(0, bytes.size() - exec.size());
        break;
    }
    return t;
  }
  SidecarRun Restore(uint64_t limit, bool with_store) {
    std::vector<std::string> args = {"restore", "--data-dir", data_, "--appendonly", "yes",
                                     "--allow-aof-tail-repair", "--max-aof-tail-repair-bytes",
                                     std::to_string(limit)};
    if (with_store) args.insert(args.end(), {"--store", store_});
    return RunSidecar(args);
  }
};

TEST_F(SidecarTornAof, ATailIsCutOnlyWithinTheLimitAndTheOriginalIsKept) {
  const std::vector<std::pair<std::string, Tail>> tails = {
      {"NUL tail", Tail::kNul}, {"cut mid-bulk", Tail::kMidBulk}, {"inside MULTI", Tail::kInsideMulti}};
  for (const auto& [what, tail] : tails) {
    SCOPED_TRACE(what);
    WipeDir(data_);
    const TornAof t = Make(tail);
    ASSERT_GT(t.torn.size(), t.whole);
    WriteFile(IncrFile(), t.torn);
    const uint64_t cut = t.torn.size() - t.whole;
    const std::vector<std::string> files = ListDir(data_ + "/appendonlydir");
    const std::vector<std::string> top = ListDir(data_);

    // One byte short of the cut, and 0 (never cut): refused with both numbers, nothing touched,
    // and no older backup installed instead.
    for (uint64_t limit : {cut - 1, uint64_t{0}}) {
      auto refused = Restore(limit, true);
      EXPECT_EQ(refused.rc, 1) << refused.out;
      EXPECT_TRUE(refused.Logged("would cut " + std::to_string(cut) + " bytes of " + IncrFile() +
                                 " (from offset " + std::to_string(t.whole)))
          << refused.out;
      EXPECT_TRUE(refused.Logged("more than the limit of " + std::to_string(limit) + " bytes"))
          << refused.out;
      EXPECT_TRUE(refused.Logged("tidemark verify aof --fix")) << refused.out;
      EXPECT_FALSE(refused.Logged("decision:")) << refused.out;
      EXPECT_EQ(ReadFile(IncrFile()), t.torn);
      EXPECT_EQ(ListDir(data_ + "/appendonlydir"), files);
      EXPECT_EQ(ListDir(data_), top);
    }

    // Exactly the cut: repaired to the whole records, the torn file kept beside it.
    auto repaired = Restore(cut, false);
    ASSERT_EQ(repaired.rc, 0) << repaired.out << repaired.err;
    EXPECT_TRUE(repaired.Logged("\"bytes_cut\":" + std::to_string(cut))) << repaired.out;
    EXPECT_EQ(ReadFile(IncrFile()), t.torn.substr(0, t.whole));
    int originals = 0;
    for (const auto& f : ListDir(data_ + "/appendonlydir"))
      if (f.starts_with("appendonly.aof.1.incr.aof.orig-")) {
        ++originals;
        EXPECT_EQ(ReadFile(data_ + "/appendonlydir/" + f), t.torn);
      }
    EXPECT_EQ(originals, 1);
    RedisServer again(data_, {"appendonly yes", "aof-load-truncated no"});
    EXPECT_EQ(again.Digest(), t.digest);
  }
}

TEST_F(SidecarFaults, CorruptAofMiddleIsRefusedAndTheFilesAreKept) {
  {
    RedisServer redis(data_, {"appendonly yes"});
    for (int i = 0; i < 50; ++i) redis.Cli({"SET", "key" + std::to_string(i), "value"});
  }
  std::string bytes = ReadFile(IncrFile());
  size_t record = bytes.find("\r\n*", bytes.size() / 2);
  ASSERT_NE(record, std::string::npos);
  bytes[record + 2] = '!';
  WriteFile(IncrFile(), bytes);
  auto r = RunSidecar({"restore", "--data-dir", data_, "--appendonly", "yes",
                       "--allow-aof-tail-repair", "--allow-empty"});
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(r.Logged("the AOF is corrupt")) << r.out;
  EXPECT_TRUE(r.Logged("the files are kept")) << r.out;
  EXPECT_EQ(ReadFile(IncrFile()), bytes);
  for (const auto& f : ListDir(data_)) EXPECT_EQ(f.find("unusable"), std::string::npos) << f;
}

TEST_F(SidecarFaults, LostAofManifestIsRebuiltSoRedisDoesNotStartEmpty) {
  std::string digest;
  {
    RedisServer redis(data_, {"appendonly yes"});
    redis.Cli({"DEBUG", "POPULATE", "300"});
    redis.RewriteAof();
    redis.Cli({"SET", "after", "rewrite"});
    digest = redis.Digest();
  }
  std::string manifest;
  for (const auto& f : ListDir(data_ + "/appendonlydir"))
    if (f.ends_with(".manifest")) manifest = data_ + "/appendonlydir/" + f;
  ASSERT_FALSE(manifest.empty());
  std::string original = ReadFile(manifest);
  ASSERT_EQ(::unlink(manifest.c_str()), 0);
  auto r = RunSidecar({"restore", "--data-dir", data_, "--appendonly", "yes"});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_TRUE(r.Logged("AOF manifest missing or empty: rebuilt")) << r.out;
  EXPECT_EQ(ReadFile(manifest), original);
  RedisServer again(data_, {"appendonly yes"});
  EXPECT_EQ(again.Digest(), digest);
}

TEST_F(SidecarFaults, NoDataAndNoBackupRefusesToStartEmptyUnlessAllowed) {
  auto r = RunSidecar({"restore", "--data-dir", data_, "--store", store_});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.Logged("refusing to start Redis empty")) << r.out;
  auto ok = RunSidecar({"restore", "--data-dir", data_, "--store", store_, "--allow-empty"});
  EXPECT_EQ(ok.rc, 0);
  EXPECT_TRUE(ok.Logged("\"action\":\"start-empty\"")) << ok.out;
}

TEST_F(SidecarFaults, LostVolumeWithOnlyCorruptBackupsRefusesAnEmptyStart) {
  {
    RedisServer redis(data_, {});
    redis.Cli({"DEBUG", "POPULATE", "500"});
    ASSERT_EQ(BackupAs(redis, "shop/cache").rc, 0);
  }
  ASSERT_EQ(::unlink((data_ + "/dump.rdb").c_str()), 0);  // the volume is lost
  auto rdbs = StoreFiles(".rdb");
  ASSERT_EQ(rdbs.size(), 1u);
  std::string bytes = ReadFile(rdbs[0]);
  bytes[bytes.size() / 2] ^= 0x01;
  WriteFile(rdbs[0], bytes);

  auto r = RestoreAsOperated();
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(r.Logged("but this instance once held data (1 backup(s) listed")) << r.out;
  EXPECT_TRUE(r.Logged("--force-empty")) << r.out;
  EXPECT_TRUE(r.Logged("\"msg\":\"backup skipped\"")) << r.out;
  struct stat st{};
  EXPECT_NE(::stat((data_ + "/dump.rdb").c_str(), &st), 0);  // nothing installed

  auto forced = RestoreAsOperated({"--force-empty"});
  EXPECT_EQ(forced.rc, 0) << forced.out;
  EXPECT_TRUE(forced.Logged("starting empty although this instance once held data")) << forced.out;
  EXPECT_TRUE(forced.Logged("\"action\":\"start-empty\"")) << forced.out;
  EXPECT_EQ(ReadFile(rdbs[0]), bytes);  // the evidence is kept
}

TEST_F(SidecarFaults, AnotherInstancesNewerBackupIsRefusedAndTheOwnIsRestored) {
  std::string own_digest;
  {
    RedisServer redis(data_, {});
    redis.Cli({"DEBUG", "POPULATE", "300", "own"});
    own_digest = redis.Digest();
    ASSERT_EQ(BackupAs(redis, "shop/cache").rc, 0);
  }
  ::sleep(1);  // the other backup is strictly newer
  {
    TempDir other;
    RedisServer redis(other.path(), {});
    redis.Cli({"DEBUG", "POPULATE", "900", "other"});
    ASSERT_EQ(BackupAs(redis, "shop/other").rc, 0);
  }
  ASSERT_EQ(::unlink((data_ + "/dump.rdb").c_str()), 0);
  auto r = RestoreAsOperated();
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(r.Logged("backup refused: another instance's lineage")) << r.out;
  EXPECT_TRUE(r.Logged("\"backup_instance\":\"shop/other\"")) << r.out;
  {
    RedisServer again(data_, {});
    EXPECT_EQ(again.Digest(), own_digest);
  }
  // The disaster-recovery opt-in takes the other instance's (newer) backup.
  ASSERT_EQ(::unlink((data_ + "/dump.rdb").c_str()), 0);
  auto dr = RestoreAsOperated({"--accept-lineage", "shop/other"});
  ASSERT_EQ(dr.rc, 0) << dr.out;
  EXPECT_TRUE(dr.Logged("backup of another instance, accepted (--accept-lineage)")) << dr.out;
  RedisServer again(data_, {});
  EXPECT_EQ(again.Cli({"DBSIZE"}), "900");
}

}  // namespace
}  // namespace tidemark::testing
