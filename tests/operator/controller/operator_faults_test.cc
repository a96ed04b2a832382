// Issue 7's operator faults, at the level of the whole operator: the real tidemark-operator
// binary against the fake API server, whose fault hooks (fake_apiserver.h) expire watches inside
// their stream, take the server down, answer 409 to one write, while the test pauses, stops and
// restarts operator processes. Each test counts the operator's writes per object before and after
// the fault: an action that runs twice is a failure. docs/reliability.md has the matrix.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/operator/controller/operator_fixture.h"

namespace tidemark::controller {
namespace {

const char kCm[] = "/api/v1/namespaces/shop/configmaps/catalog-persistence";
const char kSts[] = "/apis/apps/v1/namespaces/shop/statefulsets/catalog";

class OperatorFaultsTest : public OperatorTest {
 protected:
  void ApplyHybrid(const std::string& fsync = "everysec") {
    std::string yaml =
        testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) + "/examples/hybrid.yaml");
    const std::string from = "fsync: everysec";
    ASSERT_NE(yaml.find(from), std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "fsync: " + fsync);
    ApplyYaml("catalog", yaml);
  }

  // The hybrid example, and an operator that has converged it.
  void StartConverged(std::unique_ptr<ChildProcess>* op) {
    ApplyHybrid();
    *op = StartOperator(Args());
    ASSERT_TRUE(WaitFor([&] { return Converged("everysec"); }, std::chrono::seconds(20)))
        << (*op)->Log();
  }

  std::string Conf() {
    Json c = Get(kCm);
    if (!c.is_object() || !c.has_field("data")) return {};
    return c.at("data").at("persistence.conf").as_string();
  }

  // The operator applied the spec's fsync and its status observed the current generation.
  bool Converged(const std::string& fsync) {
    Json rp = Get(std::string(kRp) + "catalog");
    return Conf().find("appendfsync " + fsync) != std::string::npos && rp.is_object() &&
           rp.has_field("status") && rp.at("status").has_field("observedGeneration") &&
           rp.at("status").at("observedGeneration").as_number().to_int64() ==
               rp.at("metadata").at("generation").as_number().to_int64() &&
           Get(kSts).is_object();
  }

  // The operator's writes ("verb resource/name" -> count), leases left out (renewals are
  // periodic by design).
  std::map<std::string, int> Writes() {
    std::map<std::string, int> out;
    for (const auto& r : OperatorRequests()) {
      if (r.resource == "leases") continue;
      if (r.verb == "create" || r.verb == "update" || r.verb == "patch" || r.verb == "delete")
        ++out[r.verb + " " + r.resource + "/" + r.name];
    }
    return out;
  }
  // What `after` has beyond `before`, per object.
  static std::map<std::string, int> Since(const std::map<std::string, int>& before,
                                          const std::map<std::string, int>& after) {
    std::map<std::string, int> out;
    for (const auto& [k, v] : after) {
      auto it = before.find(k);
      int d = v - (it == before.end() ? 0 : it->second);
      if (d != 0) out[k] = d;
    }
    return out;
  }
  static std::string Show(const std::map<std::string, int>& writes) {
    std::string out;
    for (const auto& [k, v] : writes) out += "  " + k + " x" + std::to_string(v) + "\n";
    return out.empty() ? "  (none)\n" : out;
  }
  // Waits until the operator has sent no write for `quiet` (its events trail its actions).
  void Settle(std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
    auto last = Writes();
    auto since = std::chrono::steady_clock::now();
    const auto deadline = since + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto now = Writes();
      if (now != last) {
        last = now;
        since = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - since >= quiet) {
        return;
      }
    }
  }
  // Every pod entry of the status has a message containing `text`.
  bool PodMessages(const std::string& text) {
    Json rp = Get(std::string(kRp) + "catalog");
    if (!rp.is_object() || !rp.has_field("status") || !rp.at("status").has_field("pods"))
      return false;
    const auto& pods = rp.at("status").at("pods").as_array();
    for (const auto& p : pods) {
      if (!p.has_field("message") || p.at("message").as_string().find(text) == std::string::npos)
        return false;
    }
    return pods.size() == 3;
  }
  int OperatorLists() {
    int n = 0;
    for (const auto& r : OperatorRequests()) n += r.verb == "list";
    return n;
  }
};

// A watch that falls behind the history gets an ERROR event with 410 inside its stream; the
// changes made meanwhile are gone from the history. The operator lists again (every informer),
// sees what changed, repairs it once, and repeats nothing it had done.
TEST_F(OperatorFaultsTest, WatchExpiredMidStreamRelistsAndRepeatsNoAction) {
  std::unique_ptr<ChildProcess> op;
  ASSERT_NO_FATAL_FAILURE(StartConverged(&op));
  Settle();
  const auto before = Writes();
  const int lists = OperatorLists();
  // One watch per informer: resources, ConfigMaps, Services, StatefulSets, NetworkPolicies, pods.
  ASSERT_TRUE(WaitFor([&] { return server_->active_watches() == 6; }, std::chrono::seconds(10)));

  server_->ExpireWatches();
  // Tampering right after the expiry: the operator learns of it from the LIST or from the new
  // watch that starts at the LIST's resourceVersion, not from the expired one.
  auto r = Call("PATCH", std::string(kCm) + "?fieldManager=kubectl",
                R"({"data":{"persistence.conf":"appendonly no\n"}})",
                "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitFor([&] { return OperatorLists() >= lists + 6 && Converged("everysec"); },
                      std::chrono::seconds(20)))
      << op->Log();
  Settle();
  const auto repaired = Since(before, Writes());
  // The ConfigMap put back once, and the status twice (ConfigApplied goes Applying, then
  // Applied on the next pass: two contents, docs/operator.md "Known limits"). Nothing else is
  // re-applied, re-created or re-recorded by the relist's ADDED/MODIFIED notifications.
  EXPECT_EQ(repaired, (std::map<std::string, int>{{"patch configmaps/catalog-persistence", 1},
                                                  {"patch redispersistences/status/catalog", 2}}))
      << Show(repaired) << op->Log();
  EXPECT_TRUE(WaitFor([&] { return server_->active_watches() == 6; }, std::chrono::seconds(10)));
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

// The API server is unreachable for 10 s (connections cut, requests dropped unanswered) while the
// spec changes: the operator stays up, retries at a bounded, falling rate, and converges once the
// server is back, writing only what the change needs.
TEST_F(OperatorFaultsTest, ApiServerDownBacksOffAndConvergesWhenItReturns) {
  std::unique_ptr<ChildProcess> op;
  ASSERT_NO_FATAL_FAILURE(StartConverged(&op));
  Settle();
  const auto before = Writes();

  server_->SetDown(true);
  ApplyHybrid("always");  // in-process: the test still reaches the fake
  std::vector<int> refused;  // per second of the outage
  const int at_start = server_->refused_count();
  for (int s = 0; s < 10; ++s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_TRUE(op->Running()) << op->Log();
    refused.push_back(server_->refused_count() - at_start);
  }
  server_->SetDown(false);
  const int first_half = refused[4];
  const int second_half = refused[9] - refused[4];
  // 5 informers and a worker: a client without backoff would send thousands.
  EXPECT_GT(refused[9], 0);
  EXPECT_LE(refused[9], 120) << "attempts during the outage";
  EXPECT_LE(second_half, first_half) << "the retry rate does not fall";

  ASSERT_TRUE(WaitFor([&] { return Converged("always"); }, std::chrono::seconds(25)))
      << op->Log();
  Settle();
  const auto change = Since(before, Writes());
  // Only the change's writes: the ConfigMap and the status, nothing created or deleted. The
  // ConfigMap once: a pass that runs before its informer has re-established its watch reads the
  // operator's own write, not the old ConfigMap (operator/controller/own_writes.h).
  for (const auto& [k, v] : change) {
    EXPECT_TRUE(k == "patch configmaps/catalog-persistence" ||
                k == "patch redispersistences/status/catalog")
        << Show(change);
    EXPECT_LE(v, 3) << k << "\n" << Show(change);
  }
  EXPECT_EQ(change.count("patch configmaps/catalog-persistence") ? change.at("patch configmaps/catalog-persistence") : 0, 1) << Show(change);
  std::printf("outage 10 s: %d requests refused (%d in the first 5 s, %d in the last 5 s); "
              "writes after it:\n%s",
              refused[9], first_half, second_half, Show(change).c_str());
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

// The leader is frozen (SIGSTOP: a long GC-like pause, a frozen VM) past its lease. The follower
// takes over and applies a change. When the old leader resumes, its caches are stale and its
// resync is due: it must stop before acting (no write of the stale state over the new one), and
// exit to be restarted as a follower.
TEST_F(OperatorFaultsTest, LeaderPausedPastItsLeaseIsReplacedAndDoesNotActWhenResumed) {
  const std::vector<std::string> elect = {
      "--leader-elect", "--leader-election-namespace=shop", "--leader-election-lease-duration=3",
      "--leader-election-renew-deadline=2", "--leader-election-retry-period=0.2",
      "--resync-period=1"};
  const std::string lease = "/apis/coordination.k8s.io/v1/namespaces/shop/leases/"
                            "tidemark-operator-leader";
  auto holder = [&] {
    Json l = Get(lease);
    if (!l.is_object() || !l.has_field("spec") || !l.at("spec").has_field("holderIdentity"))
      return std::string();
    return l.at("spec").at("holderIdentity").as_string();
  };
  ApplyHybrid();
  auto a = StartOperator(Args(elect), "op-a", "a.log");
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-a_", 0) == 0 && Converged("everysec"); },
                      std::chrono::seconds(20)))
      << a->Log();
  auto b = StartOperator(Args(elect), "op-b", "b.log");
  Settle();

  const auto converged_by_a = Writes();
  ASSERT_EQ(::kill(a->pid(), SIGSTOP), 0);
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-b_", 0) == 0; }, std::chrono::seconds(20)))
      << b->Log();
  ASSERT_TRUE(WaitFor([&] { return b->Log().find("caches synced; reconciling") != std::string::npos; },
                      std::chrono::seconds(10)))
      << b->Log();
  Settle();
  // The new leader's first passes find everything done: it repeats none of a's actions.
  const auto takeover = Since(converged_by_a, Writes());
  EXPECT_TRUE(takeover.empty()) << Show(takeover) << b->Log();
  ApplyHybrid("always");
  ASSERT_TRUE(WaitFor([&] { return Converged("always"); }, std::chrono::seconds(20))) << b->Log();
  Settle();
  const auto before = Writes();
  // a's resync of the resource fell due while it was stopped: on resume its worker gets the
  // key at once, with a cache that still says "everysec".
  ASSERT_EQ(::kill(a->pid(), SIGCONT), 0);
  ASSERT_TRUE(WaitFor([&] { return !a->Running(); }, std::chrono::seconds(20))) << a->Log();
  EXPECT_EQ(a->Terminate(), 1) << a->Log();  // lost the lease: exits for a restart
  Settle();
  const auto after_resume = Since(before, Writes());
  EXPECT_TRUE(after_resume.empty()) << Show(after_resume) << a->Log();
  EXPECT_TRUE(Converged("always")) << Conf();
  EXPECT_NE(a->Log().find("lost the lease"), std::string::npos) << a->Log();
  EXPECT_TRUE(holder().rfind("op-b_", 0) == 0);
  EXPECT_EQ(b->Terminate(), 0) << b->Log();
}

// Writes that meet a 409 (the API server's answer to a stale resourceVersion): the StatefulSet's
// apply and the status write each fail once; the operator re-reads and retries with backoff, and
// converges. Another writer's finalizer and labels on the resource survive every status write
// (the status is applied by its own field manager, never a read-modify-write of the object).
TEST_F(OperatorFaultsTest, ConflictsAreRetriedAndAnotherWritersFinalizerIsKept) {
  ApplyHybrid();
  auto r = Call("PATCH", std::string(kRp) + "catalog?fieldManager=backup-guard",
                R"({"metadata":{"finalizers":["example.com/backup-guard"],)"
                R"("labels":{"team":"payments"}}})",
                "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  server_->FailNextMatching("patch", "statefulsets", 1, 409);
  server_->FailNextMatching("patch", "redispersistences/status", 1, 409);
  auto op = StartOperator(Args());
  ASSERT_TRUE(WaitFor([&] { return Converged("everysec"); }, std::chrono::seconds(20)))
      << op->Log();
  Settle();
  EXPECT_NE(op->Log().find("conflict; re-reading"), std::string::npos) << op->Log();
  auto writes = Writes();
  // Each once more than the conflict: the retry, no more.
  EXPECT_EQ(writes["patch statefulsets/catalog"], 2) << Show(writes) << op->Log();
  EXPECT_EQ(writes["patch redispersistences/status/catalog"], 2) << Show(writes) << op->Log();

  // Another writer changes the resource while the operator writes its status for a new spec.
  server_->FailNextMatching("patch", "redispersistences/status", 1, 409);
  r = Call("PATCH", std::string(kRp) + "catalog?fieldManager=backup-guard",
           R"({"metadata":{"finalizers":["example.com/backup-guard","example.com/audit"]}})",
           "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  ApplyHybrid("always");
  ASSERT_TRUE(WaitFor([&] { return Converged("always"); }, std::chrono::seconds(20)))
      << op->Log();
  Json rp = Get(std::string(kRp) + "catalog");
  const auto& finalizers = rp.at("metadata").at("finalizers").as_array();
  ASSERT_EQ(finalizers.size(), 2u) << rp.serialize();
  EXPECT_EQ(finalizers.at(0).as_string(), "example.com/backup-guard");
  EXPECT_EQ(finalizers.at(1).as_string(), "example.com/audit");
  EXPECT_EQ(rp.at("metadata").at("labels").at("team").as_string(), "payments");
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

// The operator is down while every pod of the instance is deleted (a node drain, a zone
// outage). When it returns it does not delete or re-create anything: the StatefulSet (which
// re-creates the pods) and every claim keep their uids, no delete is sent, and the status
// follows what it now observes.
TEST_F(OperatorFaultsTest, OperatorDownWhilePodsAreDeletedKeepsClaimsAndStatefulSet) {
  std::unique_ptr<ChildProcess> op;
  ASSERT_NO_FATAL_FAILURE(StartConverged(&op));
  // What the StatefulSet controller would have made: a pod and its claims per replica.
  std::map<std::string, std::string> claim_uids;
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    for (const std::string& claim : {"data-catalog-" + n, "backup-catalog-" + n}) {
      auto made = Call("POST", "/api/v1/namespaces/shop/persistentvolumeclaims",
                       R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":")" +
                           claim +
                           R"(","labels":{"app.kubernetes.io/name":"redis",)"
                           R"("app.kubernetes.io/instance":"catalog"}},"spec":{"accessModes":)"
                           R"(["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})",
                       "application/json");
      ASSERT_EQ(made.status, 201) << made.body;
      claim_uids[claim] = Json::parse(made.body).at("metadata").at("uid").as_string();
    }
    auto pod = Call("POST", "/api/v1/namespaces/shop/pods",
                    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"catalog-)" + n +
                        R"(","labels":{"app.kubernetes.io/name":"redis",)"
                        R"("app.kubernetes.io/instance":"catalog",)"
                        R"("app.kubernetes.io/managed-by":"tidemark-operator"}},)"
                        R"("spec":{"containers":[{"name":"redis","image":"redis:7.2"}]}})",
                    "application/json");
    ASSERT_EQ(pod.status, 201) << pod.body;
  }
  ASSERT_TRUE(WaitFor([&] { return PodMessages("no IP"); }, std::chrono::seconds(20)))
      << op->Log();
  Settle();
  const std::string sts_uid = Get(kSts).at("metadata").at("uid").as_string();
  EXPECT_EQ(op->Terminate(), 0) << op->Log();

  for (int i = 0; i < 3; ++i) {
    auto gone = Call("DELETE", "/api/v1/namespaces/shop/pods/catalog-" + std::to_string(i));
    ASSERT_EQ(gone.status, 200) << gone.body;
  }
  const auto before = Writes();
  auto again = StartOperator(Args(), "op-a", "operator-again.log");
  ASSERT_TRUE(WaitFor([&] { return Converged("everysec") && PodMessages("no such pod"); },
                      std::chrono::seconds(20)))
      << again->Log();
  Settle();
  const auto second_run = Since(before, Writes());
  for (const auto& [k, v] : second_run) {
    EXPECT_NE(k.rfind("delete ", 0), 0u) << Show(second_run);
    EXPECT_EQ(k.find("persistentvolumeclaims"), std::string::npos) << Show(second_run);
    EXPECT_EQ(k.find("statefulsets"), std::string::npos) << Show(second_run);
  }
  EXPECT_EQ(Get(kSts).at("metadata").at("uid").as_string(), sts_uid);
  for (const auto& [claim, uid] : claim_uids) {
    Json c = Get("/api/v1/namespaces/shop/persistentvolumeclaims/" + claim);
    ASSERT_TRUE(c.is_object()) << claim << " is gone";
    EXPECT_EQ(c.at("metadata").at("uid").as_string(), uid) << claim << " was re-created";
  }
  std::printf("second run's writes:\n%s", Show(second_run).c_str());
  EXPECT_EQ(again->Terminate(), 0) << again->Log();
}

}  // namespace
}  // namespace tidemark::controller
