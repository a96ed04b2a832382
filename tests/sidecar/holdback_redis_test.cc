// The replicas' hold-back while pod 0 is away (docs/sidecar.md, "The replicas' hold-back"): a
// primary and two replicas (real redis-server processes), pod 0's `run` sidecar, and each
// replica's `run` sidecar with --primary-peer / --primary-redis. Pod 0 is lost (Redis stopped,
// its directory wiped, its sidecar gone) and comes back empty, restored from the freshest replica,
// or restored from an older backup; the replicas' key counts are watched the whole time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "tests/sidecar/replica_set.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

constexpr char kToken[] = "default/cache:0123456789abcdef0123456789abcdef";
constexpr int kDeadlineMs = 30000;  // a loaded machine: polls, never fixed sleeps

class HoldBack : public ::testing::Test {
 protected:
  HoldBack() : set_(tmp_.path(), 2), pod0_port_(FreePort()) {
    WriteFile(tmp_.File("token"), std::string(kToken) + "\n");
    ::mkdir(tmp_.File("store").c_str(), 0755);
  }
  ~HoldBack() override {
    stop_ = true;
    if (watcher_.joinable()) watcher_.join();
  }

  void SetUp() override {
    StartPod0Sidecar();
    for (int i = 0; i < set_.replicas(); ++i) {
      ports_.push_back(FreePort());
      ::mkdir(tmp_.File("replica-store-" + std::to_string(i)).c_str(), 0755);
      sidecars_.emplace_back();
      StartReplicaSidecar(i);
    }
    WaitForEveryReplica("\"state\":\"following\"");
    // Pod 0's sidecar got the same flags and stands aside: it has no primary to be held from.
    ASSERT_TRUE(WaitFor([&] { return Http(pod0_port_, "GET", "/v1/status").body.find("\"holdBack\":null") !=
                                     std::string::npos; }, kDeadlineMs))
        << pod0_->Log();
    EXPECT_NE(pod0_->Log().find("pod 0: no hold-back"), std::string::npos) << pod0_->Log();
  }

  // Flags every sidecar of the set gets besides its own (a policy, in a derived fixture).
  virtual std::vector<std::string> CommonSidecarArgs() { return {}; }
  // As the operator renders them: every sidecar gets the hold-back's flags and
  // --replica-unless-pod-0, and its $POD_NAME decides (pod 0's ignores them).
  std::vector<std::string> WithCommon(std::vector<std::string> args) {
    auto common = CommonSidecarArgs();
    args.insert(args.end(), common.begin(), common.end());
    args.insert(args.end(), {"--peer-token-file", tmp_.File("token"), "--primary-peer", Pod0Url(),
                             "--primary-redis", "127.0.0.1:" + std::to_string(set_.primary_port()),
                             "--holdback-placeholder", "127.0.0.1:1", "--replica-unless-pod-0"});
    return args;
  }
  void StartReplicaSidecar(int i) {
    sidecars_[i].reset();
    sidecars_[i] = std::make_unique<RunningSidecar>(
        WithCommon({"--redis", "unix:" + set_.replica(i).socket(), "--store",
                    tmp_.File("replica-store-" + std::to_string(i)), "--data-dir",
                    set_.replica(i).dir(), "--listen", "127.0.0.1:" + std::to_string(ports_[i])}),
        tmp_.File("sidecar-" + std::to_string(i) + "-" + std::to_string(++replica_runs_) + ".log"),
        std::vector<std::string>{"POD_NAME=cache-" + std::to_string(i + 1)});
  }

  // Until every replica's /v1/status holds `fragment`.
  void WaitForEveryReplica(const std::string& fragment) {
    for (int i = 0; i < set_.replicas(); ++i)
      ASSERT_TRUE(WaitFor([&] { return Status(i).find(fragment) != std::string::npos; }, kDeadlineMs))
          << Status(i) << sidecars_[i]->Log();
  }

  std::string Pod0Url() const { return "http://127.0.0.1:" + std::to_string(pod0_port_); }
  std::string Status(int i) { return Http(ports_[i], "GET", "/v1/status").body; }
  void StartPod0Sidecar() {
    pod0_ = std::make_unique<RunningSidecar>(
        WithCommon({"--redis", "unix:" + set_.primary().socket(), "--store", tmp_.File("store"),
                    "--data-dir", set_.primary_dir(), "--listen",
                    "127.0.0.1:" + std::to_string(pod0_port_)}),
        tmp_.File("pod0-" + std::to_string(++pod0_runs_) + ".log"),
        std::vector<std::string>{"POD_NAME=cache-0"});
  }
  void Fill(const std::string& prefix, int n) {
    std::string cmds;
    for (int i = 0; i < n; ++i)
      cmds += "SET " + prefix + ":" + std::to_string(i) + " v" + std::to_string(i) + "\n";
    set_.primary().Pipe(cmds);
  }
  // From now on, the lowest DBSIZE each replica answers (LOADING and other non-numbers skipped).
  void StartWatching() {
    for (int i = 0; i < set_.replicas(); ++i) lowest_[i] = KeyCount(set_.replica(i));
    watcher_ = std::thread([this] {
      while (!stop_) {
        for (int i = 0; i < set_.replicas(); ++i) {
          const std::string n = set_.replica(i).Cli({"DBSIZE"});
          if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
            lowest_[i] = std::min<uint64_t>(lowest_[i], std::strtoull(n.c_str(), nullptr, 10));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  // Pod 0 goes away: its Redis and sidecar stop, its volume comes back empty. Returns once both
  // replicas are held (their Redis follows the placeholder).
  void LosePod0() {
    pod0_.reset();
    set_.StopPrimary();
    WipeDir(set_.primary_dir());
    WaitUntilHeld();
  }
  // Until every replica's Redis follows the placeholder.
  void WaitUntilHeld() {
    for (int i = 0; i < set_.replicas(); ++i)
      ASSERT_TRUE(WaitFor([&] { return InfoField(set_.replica(i), "replication", "master_port") == "1"; },
                          kDeadlineMs))
          << sidecars_[i]->Log();
  }
  // Until every replica's Redis follows pod 0 again and is in sync with it.
  void WaitUntilEveryReplicaFollows() {
    ASSERT_TRUE(WaitFor(
        [&] {
          for (int i = 0; i < set_.replicas(); ++i)
            if (InfoField(set_.replica(i), "replication", "master_port") !=
                std::to_string(set_.primary_port()))
              return false;
          return set_.WaitSynced(100);
        },
        kDeadlineMs))
        << Status(0) << sidecars_[0]->Log() << Status(1) << sidecars_[1]->Log();
  }
  // `keys` keys on every server, the replicas watched, then LosePod0; the dataset's digest.
  std::string FillThenLosePod0(int keys) {
    Fill("k", keys);
    EXPECT_TRUE(set_.WaitSynced());
    const std::string digest = set_.primary().Digest();
    StartWatching();
    LosePod0();
    return digest;
  }
  void ExpectHeldWithTheirData(const std::string& digest, uint64_t keys) {
    for (int i = 0; i < set_.replicas(); ++i) {
      SCOPED_TRACE("replica " + std::to_string(i));
      EXPECT_EQ(InfoField(set_.replica(i), "replication", "role"), "slave");
      EXPECT_EQ(InfoField(set_.replica(i), "replication", "master_port"), "1");
      EXPECT_EQ(KeyCount(set_.replica(i)), keys);
      EXPECT_EQ(set_.replica(i).Digest(), digest);
    }
  }
  // Pod 0's Redis starts with AOF on over its directory (Redis loads the AOF and forgets the
  // replicas' history `replid`: a new ID, no replid2), then its sidecar; every replica follows
  // it by a full resync and ends with `digest`, its key count never below `keys`.
  void RestartPod0WithAofThenEveryReplicaSyncsInFull(const std::string& replid,
                                                     const std::string& digest, uint64_t keys) {
    set_.StartPrimary({"appendonly yes"});
    ASSERT_EQ(set_.primary().Digest(), digest);
    ASSERT_NE(InfoField(set_.primary(), "replication", "master_replid"), replid);
    ASSERT_NE(InfoField(set_.primary(), "replication", "master_replid2"), replid);
    StartPod0Sidecar();
    WaitUntilEveryReplicaFollows();
    for (int i = 0; i < set_.replicas(); ++i) {
      EXPECT_EQ(set_.replica(i).Digest(), digest);
      EXPECT_EQ(lowest_[i].load(), keys) << "replica " << i << " lost keys";
      EXPECT_NE(sidecars_[i]->Log().find("syncs in full"), std::string::npos) << sidecars_[i]->Log();
    }
    // Each replica synced in full (it cannot continue a history pod 0's Redis forgot): its data
    // was replaced by pod 0's, which holds all of it. And it follows: a new write reaches it.
    EXPECT_EQ(InfoField(set_.primary(), "stats", "sync_full"), std::to_string(set_.replicas()));
    Fill("after", 10);
    ASSERT_TRUE(set_.WaitSynced(kDeadlineMs));
    EXPECT_EQ(KeyCount(set_.replica(0)), keys + 10);
    WaitForEveryReplica("\"state\":\"following\"");
  }
  SidecarRun Restore(std::vector<std::string> extra) {
    std::vector<std::string> args = {"restore", "--data-dir", set_.primary_dir(), "--store",
                                     tmp_.File("store")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSidecar(args);
  }

  TempDir tmp_;
  ReplicaSet set_;
  int pod0_port_;
  int pod0_runs_ = 0;
  int replica_runs_ = 0;
  std::unique_ptr<RunningSidecar> pod0_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<RunningSidecar>> sidecars_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> lowest_[2] = {0, 0};
  std::thread watcher_;
};

TEST_F(HoldBack, PrimaryBackEmptyReplicasAreHeldAndKeepEveryKey) {
  const std::string digest = FillThenLosePod0(2000);
  const std::string replica_replid = InfoField(set_.replica(0), "replication", "master_replid");

  set_.StartPrimary();  // empty
  StartPod0Sidecar();
  WaitForEveryReplica("\"primaryOlder\":true");
  ExpectHeldWithTheirData(digest, 2000);
  EXPECT_EQ(KeyCount(set_.primary()), 0u);
  EXPECT_EQ(InfoField(set_.primary(), "stats", "sync_full"), "0") << "no replica synced from it";
  for (int i = 0; i < set_.replicas(); ++i) {
    EXPECT_EQ(lowest_[i].load(), 2000u) << "replica " << i << " lost keys";
    // Both states are reported: pod 0's new history and the replica's own.
    const std::string status = Status(i);
    EXPECT_NE(status.find("\"heldBack\":true"), std::string::npos) << status;
    EXPECT_NE(status.find("started empty"), std::string::npos) << status;
    EXPECT_NE(status.find(InfoField(set_.primary(), "replication", "master_replid")), std::string::npos)
        << status;
    EXPECT_NE(status.find(replica_replid), std::string::npos) << status;
    EXPECT_NE(sidecars_[i]->Log().find("replica held back: pod 0 is older"), std::string::npos);
  }
}

TEST_F(HoldBack, PrimaryRestoredFromTheFreshestReplicaReplicasFollowItWithoutAFullSync) {
  const std::string digest = FillThenLosePod0(2000);

  auto restore = Restore({"--peers", "http://127.0.0.1:" + std::to_string(ports_[0]) +
                                         ",http://127.0.0.1:" + std::to_string(ports_[1]),
                          "--peer-token-file", tmp_.File("token")});
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
  set_.StartPrimary();
  StartPod0Sidecar();

  WaitUntilEveryReplicaFollows();
  EXPECT_EQ(set_.primary().Digest(), digest);
  for (int i = 0; i < set_.replicas(); ++i) {
    EXPECT_EQ(set_.replica(i).Digest(), digest);
    EXPECT_EQ(lowest_[i].load(), 2000u) << "replica " << i << " lost keys";
    EXPECT_NE(sidecars_[i]->Log().find("replica re-pointed at pod 0"), std::string::npos);
  }
  // Both continued the history by a partial resync: nothing was flushed and re-sent.
  EXPECT_EQ(InfoField(set_.primary(), "stats", "sync_full"), "0");
  EXPECT_EQ(InfoField(set_.primary(), "stats", "sync_partial_ok"), "2");
  // And they follow it: a new write reaches both.
  Fill("after", 10);
  ASSERT_TRUE(set_.WaitSynced(kDeadlineMs));
  EXPECT_EQ(KeyCount(set_.replica(1)), 2010u);
  WaitForEveryReplica("\"state\":\"following\"");
}

TEST_F(HoldBack, PrimaryWithAofRestoredFromTheFreshestReplicaReplicasFollowItAndKeepEveryKey) {
  // Pod 0 runs with AOF on (the hybrid policy): its restored snapshot becomes the AOF base, which
  // Redis loads without the snapshot's replication ID.
  set_.primary().Cli({"CONFIG", "SET", "appendonly", "yes"});
  const std::string digest = FillThenLosePod0(2000);
  const std::string replica_replid = InfoField(set_.replica(0), "replication", "master_replid");

  auto restore = Restore({"--appendonly", "yes", "--peers",
                          "http://127.0.0.1:" + std::to_string(ports_[0]) + ",http://127.0.0.1:" +
                              std::to_string(ports_[1]),
                          "--peer-token-file", tmp_.File("token")});
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("decision: restore from the freshest replica")) << restore.out;
  const std::string record = ReadFile(set_.primary_dir() + "/.tidemark-restore.json");
  EXPECT_NE(record.find("\"replication\":{\"replid\":\"" + replica_replid + "\""), std::string::npos)
      << record;
  RestartPod0WithAofThenEveryReplicaSyncsInFull(replica_replid, digest, 2000);
}

TEST_F(HoldBack, PrimaryRestoredFromAnOlderBackupReplicasStayHeldAndReportBothStates) {
  Fill("k", 1000);
  ASSERT_TRUE(set_.WaitSynced());
  auto backup = RunSidecar({"backup", "--redis", "unix:" + set_.primary().socket(), "--store",
                            tmp_.File("store")});
  ASSERT_EQ(backup.rc, 0) << backup.out << backup.err;
  Fill("later", 500);
  ASSERT_TRUE(set_.WaitSynced());
  const std::string digest = set_.primary().Digest();
  StartWatching();
  LosePod0();
  const std::string replica_replid = InfoField(set_.replica(0), "replication", "master_replid");

  auto restore = Restore({});
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("decision: restore from backup")) << restore.out;
  set_.StartPrimary();
  StartPod0Sidecar();
  WaitForEveryReplica("\"primaryOlder\":true");
  ExpectHeldWithTheirData(digest, 1500);
  EXPECT_EQ(KeyCount(set_.primary()), 1000u);
  // The backup's history is pod 0's secondary ID now, but it ends before the replicas' offset.
  EXPECT_EQ(InfoField(set_.primary(), "replication", "master_replid2"), replica_replid);
  for (int i = 0; i < set_.replicas(); ++i) {
    EXPECT_EQ(lowest_[i].load(), 1500u) << "replica " << i << " lost keys";
    const std::string status = Status(i);
    EXPECT_NE(status.find("restored from an older snapshot"), std::string::npos) << status;
    EXPECT_NE(status.find("\"primary\":{\"role\":\"master\""), std::string::npos) << status;
    EXPECT_NE(status.find("\"replica\":{\"role\":\"slave\""), std::string::npos) << status;
  }
}

// Every server with AOF on (the hybrid example's policy, applied by each sidecar from its redis.conf
// fragment), in a replicated set: each sidecar also sets `shutdown-on-sigterm save`, so a clean
// shutdown leaves dump.rdb with the final replication position, which Redis forgets when it loads
// its AOF. Pods restart on their own volumes through the real restore step.
class HoldBackAof : public HoldBack {
 protected:
  HoldBackAof() { WriteFile(tmp_.File("redis-aof.conf"), "appendonly yes\n"); }
  std::vector<std::string> CommonSidecarArgs() override {
    return {"--redis-conf", tmp_.File("redis-aof.conf")};
  }
  void SetUp() override {
    HoldBack::SetUp();
    std::vector<RedisServer*> all = {&set_.primary(), &set_.replica(0), &set_.replica(1)};
    for (RedisServer* r : all)
      ASSERT_TRUE(WaitFor(
          [&] {
            const std::string p = r->Cli({"INFO", "persistence"});
            return r->Cli({"CONFIG", "GET", "shutdown-on-sigterm"}).ends_with("save") &&
                   p.find("aof_enabled:1") != std::string::npos &&
                   p.find("aof_rewrite_in_progress:0") != std::string::npos &&
                   p.find("aof_rewrite_scheduled:0") != std::string::npos;
          },
          kDeadlineMs))
          << r->dir() << ": " << r->Cli({"CONFIG", "GET", "shutdown-on-sigterm"}) << pod0_->Log();
  }
  SidecarRun RestoreKeepingAof(const std::string& dir) {
    return RunSidecar({"restore", "--data-dir", dir, "--appendonly", "yes"});
  }
};

TEST_F(HoldBackAof, Pod0RestartedCleanlyReplicasFollowItAndKeepEveryKey) {
  Fill("k", 2000);
  ASSERT_TRUE(set_.WaitSynced());
  const std::string digest = set_.primary().Digest();
  const std::string replid = InfoField(set_.primary(), "replication", "master_replid");
  StartWatching();
  pod0_.reset();
  set_.TerminatePrimary();  // SIGTERM, as the kubelet does: AOF flushed, then dump.rdb saved
  WaitUntilHeld();
  const std::string offset = InfoField(set_.replica(0), "replication", "master_repl_offset");
  ASSERT_EQ(InfoField(set_.replica(1), "replication", "master_repl_offset"), offset);

  auto restore = RestoreKeepingAof(set_.primary_dir());
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("decision: keep the local data")) << restore.out;
  ASSERT_TRUE(restore.Logged("the kept AOF's replication position, from the shutdown save")) << restore.out;
  const std::string record = ReadFile(set_.primary_dir() + "/.tidemark-restore.json");
  EXPECT_NE(record.find("\"replication\":{\"replid\":\"" + replid + "\",\"offset\":" + offset + "}"),
            std::string::npos)
      << record;
  RestartPod0WithAofThenEveryReplicaSyncsInFull(replid, digest, 2000);
}

TEST_F(HoldBackAof, ReplicaRestartedCleanlyAtThePlaceholderFollowsPod0AgainAndKeepsItsKeys) {
  Fill("k", 2000);
  ASSERT_TRUE(set_.WaitSynced());
  const std::string replid = InfoField(set_.primary(), "replication", "master_replid");
  sidecars_[0].reset();
  set_.TerminateReplica(0);
  Fill("while-away", 100);  // pod 0 goes on without it

  auto restore = RestoreKeepingAof(set_.replica(0).dir());
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("the kept AOF's replication position, from the shutdown save")) << restore.out;
  // As the operator renders a replica: its Redis starts at the placeholder, its sidecar decides.
  set_.StartReplica(0, {"replicaof 127.0.0.1 1", "appendonly yes"});
  EXPECT_EQ(KeyCount(set_.replica(0)), 2000u);
  // What the rule saw before: a replica on a history of its own, at offset 0.
  ASSERT_NE(InfoField(set_.replica(0), "replication", "master_replid"), replid);
  ASSERT_EQ(InfoField(set_.replica(0), "replication", "master_repl_offset"), "0");
  StartReplicaSidecar(0);

  WaitUntilEveryReplicaFollows();
  EXPECT_EQ(set_.replica(0).Digest(), set_.primary().Digest());
  EXPECT_EQ(KeyCount(set_.replica(0)), 2100u);
  EXPECT_NE(sidecars_[0]->Log().find("judged by the one its restore step recorded"), std::string::npos)
      << sidecars_[0]->Log();
  EXPECT_NE(sidecars_[0]->Log().find("this replica's recorded replication position"), std::string::npos);
}

TEST_F(HoldBackAof, Pod0CrashedReplicasStayHeldWithTheirData) {
  Fill("k", 1000);
  ASSERT_TRUE(set_.WaitSynced());
  set_.primary().Save();  // a dump.rdb with a position, which the writes below outgrow
  Fill("later", 500);
  ASSERT_TRUE(set_.WaitSynced());
  const std::string digest = set_.primary().Digest();
  StartWatching();
  pod0_.reset();
  set_.KillPrimary();  // no shutdown save: the AOF was written after the last dump.rdb
  WaitUntilHeld();

  auto restore = RestoreKeepingAof(set_.primary_dir());
  ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
  ASSERT_TRUE(restore.Logged("the kept AOF's replication position is not known")) << restore.out;
  EXPECT_TRUE(restore.Logged("was written after")) << restore.out;
  const std::string record = ReadFile(set_.primary_dir() + "/.tidemark-restore.json");
  EXPECT_NE(record.find("\"replication\":null"), std::string::npos) << record;
  set_.StartPrimary({"appendonly yes"});
  StartPod0Sidecar();
  WaitForEveryReplica("\"primaryOlder\":true");
  ExpectHeldWithTheirData(digest, 1500);
  EXPECT_EQ(InfoField(set_.primary(), "stats", "sync_full"), "0") << "no replica synced from it";
  for (int i = 0; i < set_.replicas(); ++i)
    EXPECT_EQ(lowest_[i].load(), 1500u) << "replica " << i << " lost keys";
}

}  // namespace
}  // namespace tidemark::testing
