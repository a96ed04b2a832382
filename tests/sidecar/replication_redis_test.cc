// Replication state, read from real replicas: what `run` reports in /v1/status and what a
// backup's metadata records about the history its snapshot belongs to; the replication-aware
// restore of pod 0 (primary and two replicas, real redis-server and tidemark-sidecar processes).
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "sidecar/bgsave_follow.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/replication_state.h"
#include "tests/sidecar/faulty_proxy.h"
#include "tests/sidecar/replica_set.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

uint64_t U64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

// A temp file a crashed BGSAVE child could have left (no process has this pid here).
constexpr const char* kStaleTempName = "temp-999999.rdb";

class Replication : public ::testing::Test {
 protected:
  TempDir tmp_;
};

TEST_F(Replication, StatusReportsTheReplicationStateOfPrimaryAndReplica) {
  ReplicaSet set(tmp_.path(), 1);
  set.primary().Pipe("SET a 1\nSET b 2\nSET c 3\n");
  ASSERT_TRUE(set.WaitSynced());
  ::mkdir(tmp_.File("store").c_str(), 0755);
  const int p_port = FreePort(), r_port = FreePort();
  RunningSidecar p({"--redis", "unix:" + set.primary().socket(), "--store", tmp_.File("store"),
                    "--listen", "127.0.0.1:" + std::to_string(p_port)},
                   tmp_.File("p.log"));
  RunningSidecar r({"--redis", "unix:" + set.replica(0).socket(), "--store", tmp_.File("store"),
                    "--listen", "127.0.0.1:" + std::to_string(r_port)},
                   tmp_.File("r.log"));
  auto state = [](int port) {
    return sidecar::ParseStatusReplication(Http(port, "GET", "/v1/status").body, "test");
  };
  ASSERT_TRUE(WaitFor([&] { return state(p_port) && state(r_port); }, 10000)) << p.Log() << r.Log();

  auto primary = *state(p_port);
  EXPECT_EQ(primary.role, "master");
  EXPECT_EQ(primary.replid, InfoField(set.primary(), "replication", "master_replid"));
  EXPECT_GT(primary.offset, 0u);
  EXPECT_EQ(primary.keys, 3u);
  EXPECT_EQ(primary.link_status, "");

  auto replica = *state(r_port);
  EXPECT_EQ(replica.role, "slave");
  EXPECT_EQ(replica.replid, primary.replid);  // a replica in sync counts in its primary's history
  EXPECT_EQ(replica.link_status, "up");
  EXPECT_EQ(replica.master_port, set.primary_port());
  EXPECT_TRUE(replica.last_io_seconds_ago.has_value());
  EXPECT_EQ(replica.keys, 3u);

  // The link going down shows, with how long it has been down.
  set.Detach(0);
  ASSERT_TRUE(WaitFor([&] { auto s = state(r_port); return s && s->link_status == "down"; }, 10000));
  auto detached = *state(r_port);
  EXPECT_EQ(detached.role, "slave");
  EXPECT_FALSE(detached.last_io_seconds_ago.has_value());
  EXPECT_TRUE(detached.link_down_seconds.has_value());
  EXPECT_EQ(detached.keys, 3u);
}

TEST_F(Replication, BackupMetadataRecordsTheReplicationIdAndOffsetTheSnapshotWasTakenAt) {
  ReplicaSet set(tmp_.path(), 1);
  set.primary().Pipe("SET a 1\nSET b 2\n");
  ASSERT_TRUE(set.WaitSynced());
  for (RedisServer* redis : {&set.primary(), &set.replica(0)}) {
    SCOPED_TRACE(redis->dir());
    const std::string store = redis->dir() + "-store";
    ::mkdir(store.c_str(), 0755);
    const uint64_t before = U64(InfoField(*redis, "replication", "master_repl_offset"));
    auto run = RunSidecar({"backup", "--redis", "unix:" + redis->socket(), "--store", store});
    ASSERT_EQ(run.rc, 0) << run.out << run.err;
    const uint64_t after = U64(InfoField(*redis, "replication", "master_repl_offset"));
    auto listing = sidecar::DirBackupStore::Open(store)->List();
    ASSERT_TRUE(listing && listing->backups.size() == 1);
    const auto& m = listing->backups[0];
    ASSERT_TRUE(m.repl_id && m.repl_offset) << "the RDB carries repl-id/repl-offset";
    EXPECT_EQ(*m.repl_id, InfoField(set.primary(), "replication", "master_replid"));
    EXPECT_GE(*m.repl_offset, before);
    EXPECT_LE(*m.repl_offset, after);
  }
}

constexpr char kToken[] = "default/cache:0123456789abcdef0123456789abcdef";
constexpr char kOtherSetsToken[] = "default/other:0123456789abcdef0123456789abcdef";

bool IsNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Pod 0 and two replicas, each replica with its `run` sidecar holding the set's token; a backup
// store for pod 0. Watches the replicas' key counts from StartWatching() on.
class ReplicatedRestore : public ::testing::Test {
 protected:
  ReplicatedRestore() : set_(tmp_.path(), 2) {
    WriteFile(tmp_.File("token"), std::string(kToken) + "\n");
    WriteFile(tmp_.File("other-token"), std::string(kOtherSetsToken) + "\n");
    ::mkdir(tmp_.File("store").c_str(), 0755);
    for (int i = 0; i < set_.replicas(); ++i) {
      ports_.push_back(FreePort());
      const std::string store = tmp_.File("replica-store-" + std::to_string(i));
      ::mkdir(store.c_str(), 0755);
      sidecars_.push_back(std::make_unique<RunningSidecar>(
          std::vector<std::string>{"--redis", "unix:" + set_.replica(i).socket(), "--store", store,
                                   "--peer-token-file", tmp_.File("token"), "--listen",
                                   "127.0.0.1:" + std::to_string(ports_.back())},
          tmp_.File("sidecar-" + std::to_string(i) + ".log")));
    }
  }
  ~ReplicatedRestore() override {
    stop_ = true;
    if (watcher_.joinable()) watcher_.join();
  }

  void SetUp() override {
    for (int i = 0; i < set_.replicas(); ++i)
      ASSERT_TRUE(WaitFor(
          [&] {
            return sidecar::ParseStatusReplication(Http(ports_[i], "GET", "/v1/status").body, "")
                .has_value();
          },
          10000))
          << sidecars_[i]->Log();
  }

  // From now on, any replica answering DBSIZE 0 is recorded (LOADING answers are skipped).
  void StartWatching() {
    watcher_ = std::thread([this] {
      while (!stop_) {
        for (int i = 0; i < set_.replicas(); ++i) {
          std::string n = set_.replica(i).Cli({"DBSIZE"});
          if (IsNumber(n) && n == "0") ++replica_empty_seen_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
      }
    });
  }

  std::string Url(int i) const { return "http://127.0.0.1:" + std::to_string(ports_[i]); }

  SidecarRun Backup() {
    return RunSidecar({"backup", "--redis", "unix:" + set_.primary().socket(), "--store",
                       tmp_.File("store")});
  }
  SidecarRun Restore(const std::string& peers, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"restore", "--data-dir", set_.primary_dir(), "--store",
                                     tmp_.File("store"), "--peers", peers, "--peer-token-file",
                                     tmp_.File("token")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSidecar(args);
  }
  // The primary dies and its volume comes back empty.
  void LosePrimary() {
    set_.StopPrimary();
    WipeDir(set_.primary_dir());
  }
  // SETs keys "<prefix>:<i>" to "v<i>" on the primary (replicated like any write).
  void Fill(const std::string& prefix, int n) {
    std::string cmds;
    for (int i = 0; i < n; ++i)
      cmds += "SET " + prefix + ":" + std::to_string(i) + " v" + std::to_string(i) + "\n";
    set_.primary().Pipe(cmds);
  }
  // Fill, then WAIT 1: the number of replicas that acknowledged the writes.
  int WriteAcknowledged(const std::string& prefix, int n) {
    Fill(prefix, n);
    return std::atoi(set_.primary().Cli({"WAIT", "1", "5000"}).c_str());
  }

  // 3000 keys replicated, then replica 0's link cut (Redis refuses SYNC then: pod 0's real case).
  void DetachReplicaZeroWithData() {
    Fill("base", 3000);
    ASSERT_TRUE(set_.WaitSynced());
    set_.Detach(0);
    ASSERT_TRUE(WaitFor([&] {
      return InfoField(set_.replica(0), "replication", "master_link_status") == "down";
    }, 10000));
  }
  // `restore --peers` replica 0 into the new, empty `dir`.
  SidecarRun RestoreFromReplicaZero(const std::string& dir, int attempts) {
    ::mkdir(dir.c_str(), 0755);
    return RunSidecar({"restore", "--data-dir", dir, "--store", tmp_.File("store"), "--peers",
                       Url(0), "--peer-token-file", tmp_.File("token"), "--peer-attempts",
                       std::to_string(attempts)});
  }

  TempDir tmp_;
  ReplicaSet set_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<RunningSidecar>> sidecars_;
  std::atomic<bool> stop_{false};
  std::atomic<int> replica_empty_seen_{0};
  std::thread watcher_;
};

TEST_F(ReplicatedRestore, EmptyPrimaryRestoresFromTheReplicaWithTheHighestOffsetNotTheStaleOne) {
  Fill("base", 2000);
  ASSERT_TRUE(set_.WaitSynced());
  StartWatching();
  auto backup = Backup();
  ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
  // Replica 1's link goes down here and stays down: it misses everything after.
  set_.Detach(1);
  Fill("after-backup", 500);
  ASSERT_EQ(WriteAcknowledged("acked", 300), 1);
  ASSERT_TRUE(WaitFor([&] {
    return InfoField(set_.replica(0), "replication", "master_repl_offset") ==
           InfoField(set_.primary(), "replication", "master_repl_offset");
  }, 10000));
  const std::string freshest = set_.replica(0).Digest();
  const uint64_t keys = KeyCount(set_.replica(0));
  ASSERT_EQ(keys, 2800u);
  ASSERT_EQ(set_.primary().Digest(), freshest);
  ASSERT_NE(set_.replica(1).Digest(), freshest);

  LosePrimary();
  auto restore = Restore(Url(1) + "," + Url(0));
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.AllLinesAreJson()) << restore.out;
  EXPECT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
  EXPECT_TRUE(restore.Logged("\"peer\":\"" + Url(0) + "\"")) << restore.out;
  EXPECT_TRUE(restore.Logged("\"action\":\"installed-replica-snapshot\",\"source\":\"" + Url(0)))
      << restore.out;
  // Every copy compared is in the record: both replicas and the backup.
  const std::string record = ReadFile(set_.primary_dir() + "/.tidemark-restore.json");
  EXPECT_NE(record.find("replica " + Url(1)), std::string::npos) << record;
  EXPECT_NE(record.find("backup "), std::string::npos) << record;
  EXPECT_NE(record.find("\"sourceKind\":\"replica\""), std::string::npos) << record;
  EXPECT_NE(record.find("\"peer\":\"" + Url(0) + "\""), std::string::npos) << record;

  set_.StartPrimary();
  EXPECT_EQ(set_.primary().Digest(), freshest);
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(set_.primary().Cli({"GET", "acked:" + std::to_string(i)}), "v" + std::to_string(i));
  set_.Reattach(1);
  ASSERT_TRUE(set_.WaitSynced(20000));
  EXPECT_EQ(set_.replica(0).Digest(), freshest);
  EXPECT_EQ(set_.replica(1).Digest(), freshest);
  EXPECT_EQ(replica_empty_seen_.load(), 0) << "a replica was flushed";
  // The replica's sidecar reports the transfer; `run` on pod 0 would show the record.
  EXPECT_NE(sidecars_[0]->Log().find("snapshot sent to a peer"), std::string::npos);
  // The replicas' links were down (the primary gone): Redis refuses SYNC then, a BGSAVE serves
  // (its child's file followed, or, when the child was done before it was found, its dump file).
  EXPECT_NE(sidecars_[0]->Log().find("\"source\":\"bgsave"), std::string::npos)
      << sidecars_[0]->Log();
}

TEST_F(ReplicatedRestore, BothReplicasOlderThanTheNewestBackupTheBackupWins) {
  Fill("base", 1000);
  ASSERT_TRUE(set_.WaitSynced());
  StartWatching();
  set_.Detach(0);
  set_.Detach(1);
  Fill("later", 400);
  auto backup = Backup();
  ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
  const std::string backed_up = set_.primary().Digest();

  LosePrimary();
  auto restore = Restore(Url(0) + "," + Url(1));
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.Logged("decision: restore from backup")) << restore.out;
  EXPECT_TRUE(restore.Logged("same replication history, lower offset")) << restore.out;
  EXPECT_EQ(sidecars_[0]->Log().find("snapshot requested"), std::string::npos)
      << "a replica that does not win is not asked for a snapshot";
  set_.StartPrimary();
  EXPECT_EQ(set_.primary().Digest(), backed_up);
  EXPECT_EQ(KeyCount(set_.replica(0)), 1000u);
  EXPECT_EQ(replica_empty_seen_.load(), 0);
}

TEST_F(ReplicatedRestore, BrokenTransfersAreRetriedThenTheBackupIsUsedAndNothingHalfReceivedInstalled) {
  Fill("base", 1000);
  ASSERT_TRUE(set_.WaitSynced());
  auto backup = Backup();
  ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
  const std::string backed_up = set_.primary().Digest();
  Fill("after", 1500);
  ASSERT_TRUE(set_.WaitSynced());
  // Both replicas keep their fresher data while pod 0 is restored (twice) from the backup.
  set_.Detach(0);
  set_.Detach(1);
  for (auto fault : {FaultyProxy::Fault::kCut, FaultyProxy::Fault::kFlip}) {
    SCOPED_TRACE(fault == FaultyProxy::Fault::kCut ? "cut" : "flip");
    FaultyProxy proxy(ports_[0], "/v1/snapshot", fault, 20000);
    set_.StopPrimary();
    WipeDir(set_.primary_dir());
    auto restore = Restore("http://127.0.0.1:" + std::to_string(proxy.port()),
                           {"--peer-attempts", "2"});
    ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
    EXPECT_EQ(proxy.hits(), 2);
    EXPECT_TRUE(restore.Logged("replica snapshot not installed")) << restore.out;
    EXPECT_TRUE(restore.Logged("replica skipped")) << restore.out;
    EXPECT_TRUE(restore.Logged("decision: restore from backup")) << restore.out;
    set_.StartPrimary();
    EXPECT_EQ(set_.primary().Digest(), backed_up);
  }
  EXPECT_EQ(KeyCount(set_.replica(0)), 2500u);
}

// While a replica's link is up, its sidecar takes the snapshot as `redis-cli --rdb` does (an
// rdb-only SYNC) and forwards it while Redis sends it: diskless (the child's output over a pipe)
// or disk-based (the dump file), as the replica is configured. Restored into a fresh data dir
// while the primary keeps serving, so the link stays up.
TEST_F(ReplicatedRestore, ReplicaWithItsLinkUpStreamsAnRdbOnlySyncDisklessAndDiskBased) {
  Fill("base", 3000);
  ASSERT_TRUE(set_.WaitSynced());
  const std::string digest = set_.replica(0).Digest();
  const std::string offset = InfoField(set_.replica(0), "replication", "master_repl_offset");
  set_.replica(0).Cli({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
  int n = 0;
  for (const std::string mode : {"yes", "no"}) {
    SCOPED_TRACE("repl-diskless-sync " + mode);
    ASSERT_EQ(set_.replica(0).Cli({"CONFIG", "SET", "repl-diskless-sync", mode}), "OK");
    const std::string dir = tmp_.File("fresh-" + std::to_string(n++));
    ::mkdir(dir.c_str(), 0755);
    auto restore = RunSidecar({"restore", "--data-dir", dir, "--store", tmp_.File("store"),
                               "--peers", Url(0), "--peer-token-file", tmp_.File("token")});
    ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
    EXPECT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
    const std::string source = mode == "yes" ? "sync-diskless" : "sync-disk";
    EXPECT_TRUE(WaitFor([&] {
      return sidecars_[0]->Log().find("\"source\":\"" + source + "\"") != std::string::npos;
    }, 10000)) << sidecars_[0]->Log();
    // The snapshot's own repl-id/-offset AUX fields: the position the hold-back judges by.
    const std::string record = ReadFile(dir + "/.tidemark-restore.json");
    EXPECT_NE(record.find("\"offset\":" + offset), std::string::npos) << record;
    RedisServer restored(dir);
    EXPECT_EQ(restored.Digest(), digest);
  }
  EXPECT_EQ(InfoField(set_.replica(0), "replication", "master_link_status"), "up");
}

// A stream cut or damaged inside the payload of a streamed SYNC is refused: nothing installed.
TEST_F(ReplicatedRestore, StreamedSnapshotCutOrDamagedMidPayloadIsNotInstalled) {
  Fill("base", 3000);
  ASSERT_TRUE(set_.WaitSynced());
  set_.replica(0).Cli({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
  int n = 0;
  for (auto fault : {FaultyProxy::Fault::kCut, FaultyProxy::Fault::kFlip}) {
    SCOPED_TRACE(fault == FaultyProxy::Fault::kCut ? "cut" : "flip");
    FaultyProxy proxy(ports_[0], "/v1/snapshot", fault, 30000);
    const std::string dir = tmp_.File("fresh-" + std::to_string(n++));
    ::mkdir(dir.c_str(), 0755);
    auto restore = RunSidecar({"restore", "--data-dir", dir, "--store", tmp_.File("store"),
                               "--peers", "http://127.0.0.1:" + std::to_string(proxy.port()),
                               "--peer-token-file", tmp_.File("token"), "--peer-attempts", "1"});
    EXPECT_EQ(proxy.hits(), 1);
    EXPECT_TRUE(restore.Logged("replica snapshot not installed")) << restore.out << restore.err;
    EXPECT_FALSE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
    struct stat st{};
    EXPECT_NE(::stat((dir + "/dump.rdb").c_str(), &st), 0) << "a damaged snapshot was installed";
  }
  EXPECT_TRUE(WaitFor([&] {
    return sidecars_[0]->Log().find("\"source\":\"sync-diskless\"") != std::string::npos;
  }, 10000)) << sidecars_[0]->Log();
}

// The value of `"key":<number>` in the last log line that has it; -1 when none has.
int64_t LoggedNumber(const std::string& log, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  auto at = log.rfind(needle);
  return at == std::string::npos ? -1 : std::atoll(log.c_str() + at + needle.size());
}

// The name of a BGSAVE child's temp file in `dir` (not the stale one); empty if none.
std::string BgsaveTempFile(const std::string& dir) {
  for (const std::string& name : ListDir(dir))
    if (sidecar::IsBgsaveTempName(name) && name != kStaleTempName) return name;
  return "";
}

// With its link down (Redis refuses SYNC then; pod 0's real case, its replicas held back), the
// replica's sidecar runs a BGSAVE and forwards the child's temp file while the child writes it.
// rdb-key-save-delay slows the child so the reading really overlaps the writing; a stale temp
// file of a crashed child lies in the directory and must not be taken for it.
TEST_F(ReplicatedRestore, LinkDownSnapshotIsStreamedWhileTheBgsaveChildWritesIt) {
  ASSERT_NO_FATAL_FAILURE(DetachReplicaZeroWithData());
  const std::string stale = set_.replica(0).dir() + "/" + kStaleTempName;
  WriteFile(stale, "REDIS0010 half a snapshot of a crashed child");
  // 3000 keys at 300 us each: the child writes for about a second.
  ASSERT_EQ(set_.replica(0).Cli({"CONFIG", "SET", "rdb-key-save-delay", "300"}), "OK");
  const std::string digest = set_.replica(0).Digest();
  const std::string dir = tmp_.File("fresh");
  auto restore = RestoreFromReplicaZero(dir, 1);
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
  ASSERT_TRUE(WaitFor([&] {
    return sidecars_[0]->Log().find("snapshot sent to a peer") != std::string::npos;
  }, 10000)) << sidecars_[0]->Log();
  const std::string log = sidecars_[0]->Log();
  EXPECT_NE(log.find("\"source\":\"bgsave-streamed\""), std::string::npos) << log;
  EXPECT_EQ(log.find(kStaleTempName), std::string::npos) << "the stale temp file was followed";
  // Bytes forwarded before INFO still showed the child writing: sent while Redis saved.
  EXPECT_GT(LoggedNumber(log, "bytes_sent_while_saving"), 0) << log;
  EXPECT_EQ(ReadFile(stale), "REDIS0010 half a snapshot of a crashed child");
  RedisServer restored(dir);
  EXPECT_EQ(restored.Digest(), digest);
}

// A BGSAVE whose child dies while its file is being streamed (rdb_last_bgsave_status:err): the
// receiver gets no trailer and installs nothing from that attempt; the retry's save is whole.
TEST_F(ReplicatedRestore, LinkDownBgsaveKilledWhileStreamedIsNotInstalledAndTheRetryIs) {
  ASSERT_NO_FATAL_FAILURE(DetachReplicaZeroWithData());
  // About 6 s per save: the child is surely still writing when it is killed.
  ASSERT_EQ(set_.replica(0).Cli({"CONFIG", "SET", "rdb-key-save-delay", "2000"}), "OK");
  const std::string digest = set_.replica(0).Digest();
  std::atomic<int> killed{0};
  std::thread killer([&] {
    // Once the sidecar follows the child's file, the child (its pid is in the file's name) dies;
    // the next save runs at full speed.
    if (!WaitFor([&] {
          return sidecars_[0]->Log().find("streaming the BGSAVE child's file") != std::string::npos;
        }, 30000))
      return;
    const std::string name = BgsaveTempFile(set_.replica(0).dir());
    const pid_t child = std::atoi(name.c_str() + std::strlen("temp-"));
    if (child > 1 && ::kill(child, SIGKILL) == 0) killed = child;
    set_.replica(0).Cli({"CONFIG", "SET", "rdb-key-save-delay", "0"});
  });
  const std::string dir = tmp_.File("fresh");
  auto restore = RestoreFromReplicaZero(dir, 2);
  killer.join();
  ASSERT_GT(killed.load(), 0) << sidecars_[0]->Log();
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  EXPECT_TRUE(restore.Logged("replica snapshot not installed")) << restore.out;
  EXPECT_TRUE(restore.Logged("\"attempt\":2")) << restore.out;
  EXPECT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
  EXPECT_NE(sidecars_[0]->Log().find("the BGSAVE being streamed failed"), std::string::npos)
      << sidecars_[0]->Log();
  RedisServer restored(dir);
  EXPECT_EQ(restored.Digest(), digest);
}

TEST_F(ReplicatedRestore, SnapshotNeedsTheSetsTokenAndIsNeverTakenFromAPrimary) {
  EXPECT_EQ(Http(ports_[0], "GET", "/v1/snapshot").status, 401);
  EXPECT_EQ(Http(ports_[0], "GET", "/v1/snapshot", {"Authorization: Basic eDp5"}).status, 401);
  EXPECT_EQ(Http(ports_[0], "GET", "/v1/snapshot",
                 {"Authorization: Bearer " + std::string(kOtherSetsToken)}).status, 403);
  std::string same_set_wrong_secret = kToken;
  same_set_wrong_secret.back() = same_set_wrong_secret.back() == 'f' ? 'e' : 'f';
  EXPECT_EQ(Http(ports_[0], "GET", "/v1/snapshot",
                 {"Authorization: Bearer " + same_set_wrong_secret}).status, 403);
  EXPECT_EQ(InfoField(set_.replica(0), "persistence", "rdb_saves"), "0") << "no BGSAVE for a refused caller";

  // The primary's sidecar, holding the token: refuses rather than fork a serving primary.
  const int port = FreePort();
  RunningSidecar primary({"--redis", "unix:" + set_.primary().socket(), "--store",
                          tmp_.File("store"), "--peer-token-file", tmp_.File("token"), "--listen",
                          "127.0.0.1:" + std::to_string(port)},
                         tmp_.File("primary-sidecar.log"));
  ASSERT_TRUE(WaitFor([&] { return Http(port, "GET", "/healthz").status == 200; }, 10000));
  auto refused = Http(port, "GET", "/v1/snapshot", {"Authorization: Bearer " + std::string(kToken)});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("primary"), std::string::npos) << refused.body;
  EXPECT_EQ(InfoField(set_.primary(), "persistence", "rdb_saves"), "0");
}

}  // namespace
}  // namespace tidemark::testing
