// `tidemark-sidecar drill` against real redis-server processes: a backup taken by the sidecar
// from a live Redis is loaded into a scratch server and compared with its metadata; backups
// broken in each way a store can break them drill red (or are skipped) with the reason; a
// killed drill leaves no server behind, and its directory goes at the next drill; the store and
// the live data directory are byte-for-byte the same afterwards.
// Then the restore proof: `restore` installs a backup and records it, a real Redis loads it, and
// `run` compares DEBUG DIGEST with the backup's digest (verified, mismatch, unverifiable).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <map>

#include "core/backup/backup_name.h"
#include "core/format/sha256.h"
#include "core/rdb/rdb_verifier.h"
#include "io/file_source.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/scratch_redis.h"
#include "sidecar/snapshot_backup.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

// Every regular file under `dir` (one level down too) with its content; Redis's own log aside.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& name : ListDir(dir)) {
    if (name == "redis.log") continue;
    const std::string path = dir + "/" + name;
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISREG(st.st_mode)) out[name] = ReadFile(path);
    if (S_ISDIR(st.st_mode))
      for (const auto& [inner, content] : Snapshot(path)) out[name + "/" + inner] = content;
  }
  return out;
}

std::string Sha256Hex(const std::string& bytes) {
  Sha256 sha;
  (void)sha.Update({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return *sha.FinishHex();
}

// INFO server's redis_version.
std::string RedisVersion(const RedisServer& redis) {
  const std::string info = redis.Cli({"INFO", "server"});
  const size_t at = info.find("redis_version:");
  if (at == std::string::npos) return "";
  const size_t start = at + std::string("redis_version:").size();
  return info.substr(start, info.find_first_of("\r\n", start) - start);
}

class Drill : public WithDataAndStore<> {
 protected:
  Drill() : work_(tmp_.File("work")) { ::mkdir(work_.c_str(), 0755); }

  // A live Redis with every type, two databases and a far-away TTL, backed up by the sidecar.
  void TakeBackup() {
    redis_.emplace(data_);
    redis_->Pipe(
        "SET s hello\nRPUSH l a b c\nSADD st x y z\nZADD z 1.5 m 2.25 n\nHSET h f v g w\n"
        "XADD x 1-1 k v\nSET ttl v EX 86400\nSELECT 3\nSET other 1\n");
    live_digest_ = redis_->Digest();
    auto run = RunSidecar({"backup", "--redis", "unix:" + redis_->socket(), "--store", store_});
    ASSERT_EQ(run.rc, 0) << run.out << run.err;
    backup_ = Listing().front();
  }

  std::vector<backup::BackupMetadata> Listing() {
    auto store = sidecar::DirBackupStore::Open(store_);
    EXPECT_TRUE(store);
    auto listing = store->List();
    EXPECT_TRUE(listing);
    return listing->backups;
  }

  // Publishes `bytes` as a new backup whose metadata is what the verifier reports (SHA-256 and
  // size of `bytes`), then lets `edit` change it.
  std::string Publish(const std::string& bytes, int64_t created,
                      const std::function<void(backup::BackupMetadata&)>& edit = {}) {
    SpanSource src({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    RdbReport report = VerifyRdb(src, RdbVerifyOptions{.name = "fixture"});
    EXPECT_TRUE(report.valid()) << report.error->ToString();
    backup::BackupMetadata m;
    m.name = backup::GenerateBackupName(created, 0x1234abcd);
    m.created_unix = created;
    m.size_bytes = bytes.size();
    m.sha256 = Sha256Hex(bytes);
    m.verified = true;
    sidecar::FillFromRdbReport(report, m);
    if (edit) edit(m);
    auto store = sidecar::DirBackupStore::Open(store_);
    auto writer = store->BeginPut(m.name);
    EXPECT_TRUE(writer);
    EXPECT_TRUE((*writer)->Update({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
    EXPECT_TRUE((*writer)->Publish(m));
    return m.name;
  }

  SidecarRun RunDrill(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"drill", "--store", store_, "--work-dir", work_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSidecar(args);
  }

  std::string work_;
  std::optional<RedisServer> redis_;
  std::string live_digest_;
  backup::BackupMetadata backup_;
};

TEST_F(Drill, AGoodBackupDrillsGreenWithTheLiveDigestAndTouchesNeitherStoreNorDataDir) {
  TakeBackup();
  ASSERT_TRUE(backup_.dataset_digest);
  EXPECT_EQ(*backup_.dataset_digest, live_digest_);
  redis_->Save();  // the live data dir holds a dump.rdb too
  const auto store_before = Snapshot(store_), data_before = Snapshot(data_);
  auto run = RunDrill({"--redis", "unix:" + redis_->socket()});
  EXPECT_EQ(run.rc, 0) << run.out << run.err;
  EXPECT_TRUE(run.AllLinesAreJson()) << run.out;
  EXPECT_TRUE(run.Logged("drill passed")) << run.out;
  EXPECT_TRUE(run.Logged("\"actual_digest\":\"" + live_digest_ + "\"")) << run.out;
  EXPECT_TRUE(run.Logged("\"keys\":8")) << run.out;
  EXPECT_TRUE(run.Logged("\"load_seconds\":")) << run.out;
  EXPECT_FALSE(run.Logged("\"peak_memory_bytes\":0")) << run.out;  // recorded from INFO memory
  EXPECT_TRUE(run.Logged("\"live_redis_version\":\"7.")) << run.out;
  EXPECT_EQ(Snapshot(store_), store_before);
  EXPECT_EQ(Snapshot(data_), data_before);
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{}) << "scratch directory left behind";
  EXPECT_EQ(redis_->Digest(), live_digest_);
}

// The rendered pod's layout: the Redis image's redis-server copied into a directory of its own
// (the copy-redis-server init container) and named with --redis-server.
TEST_F(Drill, ACopiedRedisServerOfThePodsVersionDrillsGreen) {
  TakeBackup();
  const std::string bin_dir = tmp_.File("redis-bin");
  ::mkdir(bin_dir.c_str(), 0755);
  const std::string copy = bin_dir + "/redis-server";
  ASSERT_EQ(RunCommand("cp \"$(command -v redis-server)\" '" + copy + "'"), 0);
  auto run = RunDrill({"--redis-server", copy, "--redis", "unix:" + redis_->socket()});
  EXPECT_EQ(run.rc, 0) << run.out << run.err;
  EXPECT_TRUE(run.Logged("drill passed")) << run.out;
  EXPECT_TRUE(run.Logged("\"redis_server\":\"" + copy + "\"")) << run.out;
  EXPECT_TRUE(run.Logged("\"actual_digest\":\"" + live_digest_ + "\"")) << run.out;
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{});
}

// A redis-server of another version than the pod's Redis (a script stands in for its
// --version; it would load the file with the real server) must not drill green.
TEST_F(Drill, ARedisServerOfAnotherVersionThanThePodsDrillsRedNamingBoth) {
  TakeBackup();
  const std::string other = tmp_.File("other-redis-server");
  WriteFile(other,
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Redis server v=6.2.14 sha=00000000:0 "
            "malloc=jemalloc-5.1.0 bits=64 build=0'; exit 0; fi\nexec redis-server \"$@\"\n");
  ::chmod(other.c_str(), 0755);
  const std::string live = RedisVersion(*redis_);
  ASSERT_FALSE(live.empty());
  auto run = RunDrill({"--redis-server", other, "--redis", "unix:" + redis_->socket()});
  EXPECT_EQ(run.rc, 1) << run.out << run.err;
  EXPECT_TRUE(run.Logged("drill failed")) << run.out;
  EXPECT_TRUE(run.Logged("is version 6.2.14, the pod's Redis runs " + live)) << run.out;
  EXPECT_FALSE(run.Logged("drill passed")) << run.out;
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{}) << "nothing may be loaded";
}

// A binary that cannot run here (what a copy from an image of another C library or with a
// missing shared library does: the loader fails with 127) drills red with the loader's words.
TEST_F(Drill, ARedisServerThatDoesNotRunHereDrillsRedWithTheLoadersMessage) {
  TakeBackup();
  const std::string broken = tmp_.File("broken-redis-server");
  WriteFile(broken,
            "#!/bin/sh\necho 'redis-server: error while loading shared libraries: libssl.so.1.1: "
            "cannot open shared object file: No such file or directory' >&2\nexit 127\n");
  ::chmod(broken.c_str(), 0755);
  auto run = RunDrill({"--redis-server", broken, "--redis", "unix:" + redis_->socket()});
  EXPECT_EQ(run.rc, 1) << run.out << run.err;
  EXPECT_TRUE(run.Logged("cannot run the drill's redis-server")) << run.out;
  EXPECT_TRUE(run.Logged("exited with status 127")) << run.out;
  EXPECT_TRUE(run.Logged("libssl.so.1.1")) << run.out;
  EXPECT_TRUE(run.Logged("docs/images.md")) << run.out;
}

TEST_F(Drill, BytesChangedAfterTheBackupDrillRedWithTheReason) {
  TakeBackup();
  FlipByte(store_ + "/" + backup_.name + ".rdb", 40);
  auto run = RunDrill();
  EXPECT_EQ(run.rc, 1) << run.out << run.err;
  EXPECT_TRUE(run.Logged("drill failed")) << run.out;
  EXPECT_TRUE(run.Logged(backup_.name + ".rdb")) << run.out;  // names the file
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{});
}

TEST_F(Drill, ContentAlteredWithAMatchingChecksumDrillsRedOnTheDigest) {
  TakeBackup();
  // The same keys with one value changed, written by Redis: a valid file, the same key count,
  // its own correct SHA-256, but the metadata's digest is the original's.
  redis_->Cli({"SET", "s", "HELLO"});
  redis_->Save();
  const std::string altered = ReadFile(data_ + "/dump.rdb");
  const std::string name = Publish(altered, backup_.created_unix + 60, [&](backup::BackupMetadata& m) {
    m.dataset_digest = backup_.dataset_digest;
    m.dataset_digest_for = backup_.dataset_digest_for;
  });
  auto run = RunDrill({"--backup", name});
  EXPECT_EQ(run.rc, 1) << run.out << run.err;
  EXPECT_TRUE(run.Logged("content differs from the backup's record")) << run.out;
  EXPECT_TRUE(run.Logged(*backup_.dataset_digest)) << run.out;
  EXPECT_TRUE(run.Logged(redis_->Digest())) << run.out;  // what the server loaded
}

TEST_F(Drill, AnRdbVersionNewerThanTheServerDrillsRedNamingBothVersions) {
  const std::string rdb =
      ReadFile("/work/shared/testdata/redis-versions/7.4.1/all-types-lzf.rdb");
  const std::string name = Publish(rdb, 1795832100);
  auto run = RunDrill({"--backup", name});
  EXPECT_EQ(run.rc, 1) << run.out << run.err;
  EXPECT_TRUE(run.Logged("RDB version 12 (written by Redis 7.4")) << run.out;
  EXPECT_TRUE(run.Logged("redis-server 7.0.")) << run.out;
  EXPECT_TRUE(run.Logged("reads RDB versions up to 10")) << run.out;
}

TEST_F(Drill, ABackupOverTheMemoryBudgetIsSkippedWithoutLoading) {
  TakeBackup();
  ASSERT_GT(backup_.size_bytes * 2, 100u);
  auto run = RunDrill({"--memory-budget", "100"});
  EXPECT_EQ(run.rc, 3) << run.out << run.err;
  EXPECT_TRUE(run.Logged("over the drill memory budget of 100 bytes")) << run.out;
  EXPECT_FALSE(run.Logged("drill failed")) << run.out;
}

// Kills a `drill` while its scratch server loads the backup (the kill is SIGKILL: nothing of
// the sidecar runs after it); expects the server to die with it. The scratch directory stays.
void KillMidDrill(const TempDir& tmp, const std::string& store, const std::string& work) {
  // The real server, slowed to 200 ms per key while loading so the kill lands mid-load; the
  // wrapper records the server's pid (exec keeps it, and the parent-death signal with it).
  const std::string pid_file = tmp.File("server.pid"), wrapper = tmp.File("slow-redis-server");
  WriteFile(wrapper, "#!/bin/sh\nif [ \"$1\" != --version ]; then echo $$ > " + pid_file +
                         "; fi\nexec redis-server \"$@\" --key-load-delay 200000\n");
  ::chmod(wrapper.c_str(), 0755);
  pid_t sidecar = SpawnSidecar({"drill", "--store", store, "--work-dir", work,
                                "--redis-server", wrapper},
                               tmp.File("killed.log"));
  ASSERT_GT(sidecar, 0);
  std::string scratch;
  ASSERT_TRUE(WaitFor([&] {
    auto dirs = ListDir(work);
    if (dirs.empty()) return false;
    scratch = work + "/" + dirs.front();
    struct stat st{};
    return ::stat((scratch + "/redis.sock").c_str(), &st) == 0;  // started, loading
  }, 20000)) << ReadFile(tmp.File("killed.log"));
  const pid_t server = std::stoi(ReadFile(pid_file));
  ASSERT_EQ(::kill(server, 0), 0) << "the scratch server should be running";
  ::kill(sidecar, SIGKILL);
  ::waitpid(sidecar, nullptr, 0);
  EXPECT_TRUE(WaitFor([&] { return ::kill(server, 0) != 0; }, 5000))
      << "the scratch server outlived the sidecar";
  EXPECT_EQ(ListDir(work).size(), 1u) << "the killed drill's directory";
}

TEST_F(Drill, AKilledDrillLeavesNoServerAndItsDirectoryGoesAtTheNextDrill) {
  TakeBackup();
  ASSERT_NO_FATAL_FAILURE(KillMidDrill(tmp_, store_, work_));
  auto run = RunDrill();  // the next drill removes what the killed one left
  EXPECT_EQ(run.rc, 0) << run.out << run.err;
  EXPECT_TRUE(run.Logged("removed the scratch directory of an interrupted drill")) << run.out;
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{});
}

// what: everyNew in `run`, with two backups of one second whose names sort against their
// creation order: each is drilled once, in creation order (createdAtMillis), none skipped.
TEST_F(Drill, EveryNewInRunDrillsEachOfTwoBackupsOfOneSecond) {
  TakeBackup();
  const std::string bytes = ReadFile(store_ + "/" + backup_.name + ".rdb");
  const int64_t second = backup_.created_unix + 100;
  auto publish_at = [&](int64_t ms, uint32_t suffix) {
    return Publish(bytes, second, [&](backup::BackupMetadata& m) {
      m.name = backup::GenerateBackupName(second, suffix);
      m.created_unix_ms = second * 1000 + ms;
    });
  };
  std::string policy = ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                "/tests/core/policy/golden/high-safety.policy.json");  // everyNew
  for (const std::string cron : {"*/15 * * * *", "5 * * * *"})  // nothing scheduled in the test
    policy.replace(policy.find(cron), cron.size(), "0 0 1 1 *");
  WriteFile(tmp_.File("policy.json"), policy);
  const int port = FreePort();
  RunningSidecar run({"--redis", "unix:" + redis_->socket(), "--store", store_, "--policy",
                      tmp_.File("policy.json"), "--work-dir", work_, "--listen",
                      "127.0.0.1:" + std::to_string(port)},
                     tmp_.File("run.log"));
  auto drilled = [&](const std::string& name) {
    return WaitFor([&] {
      const std::string status = Http(port, "GET", "/v1/status").body;
      const size_t at = status.find("\"lastDrill\":{");
      return at != std::string::npos &&
             status.find("\"backup\":\"" + name + "\",\"result\":\"success\"", at) != std::string::npos;
    }, 30000);
  };
  const std::string early = publish_at(100, 0xf0000000);
  ASSERT_TRUE(WaitFor([&] { return Http(port, "POST", "/v1/drills").status == 202; }, 20000)) << run.Log();
  ASSERT_TRUE(drilled(early)) << run.Log();
  const std::string late = publish_at(900, 0x00000001);
  ASSERT_LT(late, early) << "the later backup's name sorts first";
  ASSERT_TRUE(WaitFor([&] { return Http(port, "POST", "/v1/drills").status == 202; }, 20000)) << run.Log();
  EXPECT_TRUE(drilled(late)) << run.Log();
  ASSERT_TRUE(WaitFor([&] { return Http(port, "POST", "/v1/drills").status == 202; }, 20000)) << run.Log();
  EXPECT_TRUE(WaitFor([&] { return run.Log().find("no backup taken since the last drill") != std::string::npos; },
                      20000)) << run.Log();
  const std::string log = run.Log();
  size_t passes = 0;
  for (size_t at = 0; (at = log.find("drill passed", at)) != std::string::npos; ++at) ++passes;
  EXPECT_EQ(passes, 2u) << log;
}

// In a pod the work directory outlives the container: a restarted `run` removes what a drill
// killed with it left, without waiting for the next drill.
TEST_F(Drill, AKilledDrillsDirectoryGoesWhenRunStarts) {
  TakeBackup();
  ASSERT_NO_FATAL_FAILURE(KillMidDrill(tmp_, store_, work_));
  RunningSidecar run({"--redis", "unix:" + redis_->socket(), "--store", store_, "--work-dir", work_,
                      "--listen", "127.0.0.1:" + std::to_string(FreePort())},
                     tmp_.File("run.log"));
  EXPECT_TRUE(WaitFor([&] { return ListDir(work_).empty(); }, 20000)) << run.Log();
  EXPECT_TRUE(WaitFor([&] {
    return run.Log().find("removed the scratch directory of an interrupted drill") != std::string::npos;
  }, 20000)) << run.Log();
}

TEST_F(Drill, AnEmptyStoreIsSkipped) {
  auto run = RunDrill();
  EXPECT_EQ(run.rc, 3) << run.out << run.err;
  EXPECT_TRUE(run.Logged("the store holds no backup")) << run.out;
}

// The restore step installs the newest backup into the wiped data dir, Redis (started with
// `extra` config lines) loads it, and `run` checks it; returns the sidecar's log once `logged`
// appears (or after 20 s).
class RestoreProof : public Drill {
 protected:
  std::string RestoreAndRun(const std::vector<std::string>& extra, const std::string& logged,
                            const std::function<void(RedisServer&)>& before_run = {}) {
    redis_.reset();
    WipeDir(data_);
    auto restore = RunSidecar({"restore", "--data-dir", data_, "--store", store_});
    EXPECT_EQ(restore.rc, 0) << restore.out << restore.err;
    EXPECT_TRUE(restore.Logged("installed-backup")) << restore.out;
    RedisServer redis(data_, extra);
    if (before_run) before_run(redis);
    loaded_digest_ = redis.Digest();
    data_before_ = Snapshot(data_);
    const std::string log = tmp_.File("run.log");
    const int port = FreePort();
    pid_t pid = SpawnSidecar({"run", "--redis", "unix:" + redis.socket(), "--store", store_,
                              "--data-dir", data_, "--listen", "127.0.0.1:" + std::to_string(port)},
                             log);
    EXPECT_GT(pid, 0);
    WaitFor([&] { return ReadFile(log).find(logged) != std::string::npos; }, 20000);
    metrics_ = Http(port, "GET", "/metrics").body;
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    return ReadFile(log);
  }
  std::string Record() { return ReadFile(data_ + "/.tidemark-restore.json"); }

  // The count of `result` in tidemark_restore_checks_total, as run exported it after the check.
  bool Counted(const std::string& result) const {
    return metrics_.find("\ntidemark_restore_checks_total{result=\"" + result + "\"} 1\n") !=
           std::string::npos;
  }

  std::string loaded_digest_, metrics_;
  std::map<std::string, std::string> data_before_;
};

TEST_F(RestoreProof, ARestoredBackupIsVerifiedByItsDigest) {
  TakeBackup();
  const std::string log = RestoreAndRun({}, "restore verified");
  EXPECT_TRUE(log.find("restore verified") != std::string::npos) << log;
  EXPECT_EQ(loaded_digest_, live_digest_);
  EXPECT_TRUE(log.find("\"actual_digest\":\"" + live_digest_ + "\"") != std::string::npos) << log;
  EXPECT_TRUE(Record().find("\"result\":\"verified\"") != std::string::npos) << Record();
  EXPECT_TRUE(Counted("verified")) << metrics_;
}

TEST_F(RestoreProof, ADigestMismatchIsReportedWithBothValuesAndNothingIsOverwritten) {
  TakeBackup();
  const std::string wrong = "00000000000000000000000000000000000000aa";
  Publish(ReadFile(store_ + "/" + backup_.name + ".rdb"), backup_.created_unix + 60,
          [&](backup::BackupMetadata& m) { m.dataset_digest = wrong; });
  const std::string log = RestoreAndRun({}, "restore mismatch");
  EXPECT_TRUE(log.find("restore mismatch") != std::string::npos) << log;
  EXPECT_TRUE(log.find(wrong) != std::string::npos) << log;
  EXPECT_TRUE(log.find(live_digest_) != std::string::npos) << log;
  EXPECT_TRUE(Record().find("\"result\":\"mismatch\"") != std::string::npos) << Record();
  EXPECT_TRUE(Counted("mismatch")) << metrics_;
  auto after = Snapshot(data_);
  after.erase(".tidemark-restore.json");
  data_before_.erase(".tidemark-restore.json");
  EXPECT_EQ(after, data_before_) << "the data dir changed";
}

TEST_F(RestoreProof, WithDebugDisabledTheRestoreIsUnverifiableNotGuessed) {
  TakeBackup();
  const std::string log = RestoreAndRun({"enable-debug-command no"}, "restore unverifiable");
  EXPECT_TRUE(log.find("DEBUG command disabled") != std::string::npos) << log;
  EXPECT_TRUE(log.find("restore verified") == std::string::npos) << log;
  EXPECT_TRUE(Counted("unverifiable")) << metrics_;
}

TEST_F(RestoreProof, WritesBeforeTheCheckMakeItUnverifiableNotAMismatch) {
  TakeBackup();
  const std::string log = RestoreAndRun({}, "restore unverifiable", [](RedisServer& redis) {
    redis.Cli({"SET", "new", "write"});
  });
  EXPECT_TRUE(log.find("writes reached Redis") != std::string::npos) << log;
  EXPECT_TRUE(log.find("restore mismatch") == std::string::npos) << log;
}

}  // namespace
}  // namespace tidemark::testing
