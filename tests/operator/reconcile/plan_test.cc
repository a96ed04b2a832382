// Plans: what one reconcile pass does for a given spec and observed state. A small World
// (world.h) performs the actions like the API server would, so tests run whole passes.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/policy/load.h"
#include "operator/reconcile/backup_request.h"
#include "operator/reconcile/conditions.h"
#include "operator/reconcile/desired.h"
#include "operator/reconcile/plan.h"
#include "tests/operator/reconcile/fixtures.h"
#include "tests/operator/reconcile/world.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;
using policy::RedisPersistence;

constexpr int64_t kT0 = 1795000000;  // 2026-11-18T10:06:40Z

void ExpectDeclared(const ReconcilePlan& plan) {
  ASSERT_EQ(plan.status.conditions.size(), 5u);
  for (const auto& c : plan.status.conditions)
    EXPECT_TRUE(IsDeclared(c.type, c.status, c.reason))
        << c.type << "=" << c.status << " " << c.reason << " is not in conditions.cc";
}

const Condition& Get(const ReconcilePlan& plan, std::string_view type) {
  const Condition* c = plan.status.Find(type);
  if (!c) {
    ADD_FAILURE() << "no condition " << type;
    std::abort();
  }
  return *c;
}

std::vector<std::string> Summary(const ReconcilePlan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions)
    out.push_back(std::string(ActionKindName(a.kind)) + " " + a.kind_name + "/" + a.name);
  return out;
}

ReconcilePlan Pass(World& world, const ResourceMeta& meta, const RedisPersistence& r,
                   int64_t now = kT0, const RenderOptions& o = TestOptions()) {
  ReconcilePlan plan = Plan(meta, r, world.observed, o, now);
  ExpectDeclared(plan);
  world.Perform(plan);
  return plan;
}

// A world where `r` is fully converged: objects applied, pods ready, status written.
World Converged(const ResourceMeta& meta, const RedisPersistence& r) {
  World world(meta);
  world.observed.storage_class_expandable = {{"standard", true}, {"fast-ssd", true}};
  Pass(world, meta, r);
  world.SettlePods();
  Pass(world, meta, r);
  return world;
}

TEST(Plan, FirstPassCreatesEveryObjectInOrder) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world(meta);
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{
                               "apply ConfigMap/catalog-persistence",
                               "create Secret/catalog-peer-token",
                               "apply Service/catalog-headless", "apply Service/catalog",
                               "apply NetworkPolicy/catalog-sidecar",
                               "apply StatefulSet/catalog", "patch-status RedisPersistence/catalog"}));
  EXPECT_EQ(Get(plan, kCondReady).reason, reason::kProvisioning);
  EXPECT_EQ(plan.status.phase, kPhasePending);
  EXPECT_EQ(plan.status.observed_generation, 1);
  EXPECT_EQ(plan.actions.back().body.at("status"), StatusToJson(plan.status));
}

TEST(Plan, ThePeerTokenSecretIsCreatedOnceFromTheDrawnBytesAndNeverRewritten) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world(meta);
  world.observed.new_peer_secret_hex = std::string(64, 'c');
  ReconcilePlan first = Pass(world, meta, r);
  const Action* create = nullptr;
  for (const auto& a : first.actions)
    if (a.kind == ActionKind::kCreate) create = &a;
  ASSERT_TRUE(create);
  EXPECT_EQ(create->kind_name, "Secret");
  EXPECT_EQ(create->name, "catalog-peer-token");
  // base64 of "shop/catalog:cccc...": the set's name is part of the token (sidecar/peer_token.h).
  EXPECT_EQ(*FindPath(create->body, {"data", "token"}), Str("c2hvcC9jYXRhbG9nOmNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2M="));
  EXPECT_TRUE(FindPath(create->body, {"metadata", "ownerReferences"}));

  // Present: whatever it holds (edited by hand, another token), and whatever changes in the
  // spec, no pass writes it again.
  world.observed.peer_token_secret = Obj({{"data", Obj({{"token", Str("ZWRpdGVk")}})}});
  r.spec.workload.replicas = 5;
  r.spec.workload.image = "redis:7.2";
  for (int i = 0; i < 3; ++i) {
    ReconcilePlan later = Pass(world, meta, r);
    for (const auto& a : later.actions) EXPECT_NE(a.kind_name, "Secret");
  }
  // Gone (deleted by hand): made again from the bytes drawn for that pass.
  world.observed.peer_token_secret.reset();
  world.observed.new_peer_secret_hex = std::string(64, 'd');
  ReconcilePlan again = Pass(world, meta, r);
  ASSERT_FALSE(again.actions.empty());
  EXPECT_EQ(again.actions.front().kind, ActionKind::kCreate);
  EXPECT_EQ(*FindPath(again.actions.front().body, {"data", "token"}),
            Str("c2hvcC9jYXRhbG9nOmRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGQ="));
}

TEST(Plan, SteadyStateHasNoWritesForEveryExample) {
  for (const auto& file : ExampleFiles()) {
    SCOPED_TRACE(file);
    auto r = LoadExample(Stem(file));
    ResourceMeta meta = MetaFor(r);
    World world = Converged(meta, r);
    EXPECT_EQ(Get(Plan(meta, r, world.observed, TestOptions(), kT0), kCondReady).status, kTrue);
    // Later passes, at later times, with the same observations: nothing to write, nothing to say.
    for (int64_t t : {kT0 + 30, kT0 + 3600}) {
      ReconcilePlan plan = Plan(meta, r, world.observed, TestOptions(), t);
      ExpectDeclared(plan);
      EXPECT_TRUE(plan.actions.empty()) << ::testing::PrintToString(Summary(plan));
      EXPECT_TRUE(plan.events.empty());
      EXPECT_EQ(plan.status, world.observed.status);
    }
  }
}

TEST(Plan, ConvergedStatusReportsReadyPodsAndHealth) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const auto& s = world.observed.status;
  EXPECT_EQ(s.phase, kPhaseReady);
  EXPECT_EQ(s.Find(kCondReady)->message, "3/3 pods ready");
  EXPECT_EQ(s.Find(kCondConfigApplied)->reason, reason::kApplied);
  EXPECT_EQ(s.Find(kCondBackupHealthy)->reason, reason::kNoBackupYet);
  EXPECT_EQ(s.Find(kCondDegraded)->status, kFalse);
  ASSERT_EQ(s.pods.size(), 3u);
  EXPECT_EQ(s.pods[0].name, "catalog-0");
  EXPECT_EQ(s.pods[0].role, "primary");
  EXPECT_EQ(s.pods[2].role, "replica");
}

TEST(Plan, LiveChangeUpdatesOnlyTheConfigMap) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  r.spec.aof.fsync = policy::Fsync::kAlways;
  r.spec.backup->schedule = "0 * * * *";
  meta.generation = 2;
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"apply ConfigMap/catalog-persistence",
                                                      "patch-status RedisPersistence/catalog"}));
  EXPECT_EQ(Get(plan, kCondConfigApplied).reason, reason::kApplying);
  EXPECT_EQ(Get(plan, kCondReady).status, kTrue);  // the pods keep running
  EXPECT_EQ(plan.status.observed_generation, 2);
  // The next pass, sidecars having applied it: converged again.
  Pass(world, meta, r, kT0 + 60);
  EXPECT_TRUE(Plan(meta, r, world.observed, TestOptions(), kT0 + 90).actions.empty());
}

TEST(Plan, RestartWorthyChangeUpdatesOnlyTheStatefulSetTemplate) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const Json before = *world.observed.stateful_set;
  r.spec.workload.image = "redis:7.2";
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"apply StatefulSet/catalog",
                                                      "patch-status RedisPersistence/catalog"}));
  const Json& body = plan.actions[0].body;
  EXPECT_NE(*FindPath(body, {"spec", "template", "metadata", "annotations", "tidemark.dev/config-hash"}),
            *FindPath(before, {"spec", "template", "metadata", "annotations", "tidemark.dev/config-hash"}));
  EXPECT_TRUE(Covers(*FindPath(before, {"spec", "volumeClaimTemplates"}),
                     *FindPath(body, {"spec", "volumeClaimTemplates"})));
  EXPECT_EQ(Get(plan, kCondReady).reason, reason::kProvisioning);
  // The controller sees the new generation, pods roll: RollingUpdate until they are updated.
  ReconcilePlan rolling = Pass(world, meta, r, kT0 + 10);
  EXPECT_EQ(Get(rolling, kCondReady).reason, reason::kRollingUpdate);
  world.SettlePods();
  EXPECT_EQ(Get(Pass(world, meta, r, kT0 + 20), kCondReady).status, kTrue);
}

TEST(Plan, ScalingChangesReplicasNotTheTemplate) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const Json before = *world.observed.stateful_set;
  r.spec.workload.replicas = 5;
  ReconcilePlan plan = Pass(world, meta, r);
  // The ConfigMap's peers first (a pod 0 starting later asks the new replicas too), then the
  // count; the template stays.
  ASSERT_EQ(Summary(plan)[0], "apply ConfigMap/catalog-persistence");
  EXPECT_NE(GetString(*FindPath(plan.actions[0].body, {"data"}), "peers")->find("catalog-4."),
            std::string::npos);
  ASSERT_EQ(Summary(plan)[1], "apply StatefulSet/catalog");
  EXPECT_EQ(GetInt(*FindPath(plan.actions[1].body, {"spec"}), "replicas"), 5);
  EXPECT_TRUE(Covers(*FindPath(before, {"spec", "template"}),
                     *FindPath(plan.actions[1].body, {"spec", "template"})));
  // The controller saw it; two new pods are still coming: not ready, no rollout.
  Json sts = *world.observed.stateful_set;
  sts["status"]["observedGeneration"] = sts["metadata"]["generation"];
  world.observed.stateful_set = sts;
  const ReconcilePlan next = Pass(world, meta, r, kT0 + 10);
  const Condition& ready = Get(next, kCondReady);
  EXPECT_EQ(ready.reason, reason::kPodsNotReady);
  EXPECT_EQ(ready.message, "3/5 pods ready");
}

TEST(Plan, StorageGrowthExpandsClaimsNeverTheStatefulSet) {
  auto r = LoadExample("hybrid");  // data 20Gi, backup 100Gi, 3 pods
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  r.spec.storage.data.size = "40Gi";
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan),
            (std::vector<std::string>{"expand-claim PersistentVolumeClaim/data-catalog-0",
                                      "expand-claim PersistentVolumeClaim/data-catalog-1",
                                      "expand-claim PersistentVolumeClaim/data-catalog-2"}));
  EXPECT_EQ(plan.actions[0].body.serialize(),
            R"({"spec":{"resources":{"requests":{"storage":"40Gi"}}}})");
  EXPECT_EQ(plan.events.size(), 3u);
  // Expanded: nothing left to do, and the StatefulSet still has its original (immutable) size.
  EXPECT_TRUE(Plan(meta, r, world.observed, TestOptions(), kT0 + 5).actions.empty());
  EXPECT_EQ(FindPath(world.observed.stateful_set->at("spec").at("volumeClaimTemplates").at(0),
                     {"spec", "resources", "requests", "storage"})
                ->as_string(),
            "20Gi");
}

TEST(Plan, GrowthTheStorageClassCannotTakeIsReportedNotAttempted) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  world.observed.storage_class_expandable["standard"] = false;
  r.spec.storage.backup->size = "200Gi";
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"patch-status RedisPersistence/catalog"}));
  const Condition& degraded = Get(plan, kCondDegraded);
  EXPECT_EQ(degraded.status, kTrue);
  EXPECT_EQ(degraded.reason, reason::kVolumeResizeBlocked);
  EXPECT_NE(degraded.message.find("claim backup-catalog-0 stays 100Gi (spec: 200Gi): StorageClass "
                                  "standard does not allow volume expansion"),
            std::string::npos)
      << degraded.message;
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].type, "Warning");
}

TEST(Plan, ShrinkingIsRefused) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  r.spec.storage.data.size = "10Gi";
  ReconcilePlan plan = Pass(world, meta, r);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"patch-status RedisPersistence/catalog"}));
  EXPECT_NE(Get(plan, kCondDegraded).message.find("claims never shrink"), std::string::npos);
}

TEST(Plan, NewClaimTemplateReplacesTheStatefulSetOrphaningItsPods) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  r.spec.storage.data.storage_class_name = "fast-ssd";
  ReconcilePlan plan = Plan(meta, r, world.observed, TestOptions(), kT0);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"delete-orphan StatefulSet/catalog",
                                                      "patch-status RedisPersistence/catalog"}));
  EXPECT_EQ(Get(plan, kCondReady).reason, reason::kReplacingStatefulSet);
  // While the old one is being deleted: wait.
  Json deleting = *world.observed.stateful_set;
  deleting["metadata"]["deletionTimestamp"] = Str("2026-11-28T03:00:00Z");
  world.observed.stateful_set = deleting;
  EXPECT_EQ(Summary(Plan(meta, r, world.observed, TestOptions(), kT0)),
            (std::vector<std::string>{"patch-status RedisPersistence/catalog"}));
  // Gone: the next pass creates it with the new templates.
  world.observed.stateful_set.reset();
  ReconcilePlan create = Plan(meta, r, world.observed, TestOptions(), kT0);
  ASSERT_EQ(Summary(create)[0], "apply StatefulSet/catalog");
  const Json* templates = FindPath(create.actions[0].body, {"spec", "volumeClaimTemplates"});
  ASSERT_EQ(templates->size(), 2u);
  EXPECT_EQ(FindPath(templates->at(0), {"spec", "storageClassName"})->as_string(), "fast-ssd");
}

TEST(Plan, TamperedObjectsAreReappliedAndRemovedMembersNoticed) {
  auto r = LoadExample("high-safety");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  // Someone edits the Redis image by hand.
  Json sts = *world.observed.stateful_set;
  sts["spec"]["template"]["spec"]["containers"][0]["image"] = Str("redis:6.0");
  world.observed.stateful_set = sts;
  EXPECT_EQ(Summary(Plan(meta, r, world.observed, TestOptions(), kT0))[0],
            "apply StatefulSet/orders");
  // A limit dropped from the spec: the live object still has it, the desired one does not.
  World again = Converged(meta, r);
  r.spec.workload.resources.limits.erase("cpu");
  EXPECT_EQ(Summary(Plan(meta, r, again.observed, TestOptions(), kT0))[0],
            "apply StatefulSet/orders");
}

TEST(Plan, QuantitiesInTheServersCanonicalFormAreNotDifferences) {
  auto r = LoadExample("high-safety");  // requests {cpu: "1", memory: 4Gi}
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  Json sts = *world.observed.stateful_set;
  sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = Str("1000m");
  sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] =
      Str("4096Mi");
  world.observed.stateful_set = sts;
  EXPECT_TRUE(Plan(meta, r, world.observed, TestOptions(), kT0).actions.empty());
  sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] = Str("4G");
  world.observed.stateful_set = sts;
  EXPECT_FALSE(Plan(meta, r, world.observed, TestOptions(), kT0).actions.empty());
}

TEST(Plan, InvalidSpecReportsTheValidatorsExactMessageAndDoesNothingElse) {
  // Examples only tidemark rejects: the API server accepts them, the operator must not crash.
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("examples/invalid"))) {
    const std::string text = tidemark::testing::ReadFile(entry.path().string());
    if (text.find("# rejected-by: tidemark") == std::string::npos) continue;
    SCOPED_TRACE(entry.path().string());
    ++seen;
    const size_t at = text.find("# expect: ") + 10;
    const std::string expect = text.substr(at, text.find('\n', at) - at);
    auto spec = policy::LoadRedisPersistence(text);
    ASSERT_FALSE(spec);
    auto r = LoadExample("minimal");
    ResourceMeta meta{"bad", "default", "uid-bad", 4};
    World world = Converged(meta, r);  // it was valid once, and running
    ReconcilePlan plan = Plan(meta, spec, world.observed, TestOptions(), kT0 + 100);
    ExpectDeclared(plan);
    EXPECT_EQ(Summary(plan), (std::vector<std::string>{"patch-status RedisPersistence/bad"}));
    const Condition& ready = Get(plan, kCondReady);
    EXPECT_EQ(ready.status, kFalse);
    EXPECT_EQ(ready.reason, "InvalidSpec");
    EXPECT_EQ(ready.message, expect);
    EXPECT_EQ(ready.observed_generation, 4);
    EXPECT_EQ(ready.last_transition_time, "2026-11-18T11:08:20Z");
    EXPECT_EQ(Get(plan, kCondDegraded).reason, "InvalidSpec");
    // What is known about the running pods stays.
    EXPECT_EQ(Get(plan, kCondConfigApplied), *world.observed.status.Find(kCondConfigApplied));
    EXPECT_EQ(plan.status.phase, kPhaseFailed);
    ASSERT_EQ(plan.events.size(), 1u);
    EXPECT_EQ(plan.events[0], (EventNote{"Warning", "InvalidSpec", expect}));
    // Reported once: the next pass writes nothing.
    world.Perform(plan);
    EXPECT_TRUE(Plan(meta, spec, world.observed, TestOptions(), kT0 + 200).actions.empty());
  }
  EXPECT_GE(seen, 3);
}

TEST(Plan, InvalidSpecOnAFreshResourceListsEveryProblem) {
  auto spec = policy::LoadRedisPersistence(
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata: {name: x}\n"
      "spec:\n  storage: {backup: {size: 1Gi}}\n  backup: {schedule: '0 5-2 * * *'}\n"
      "  aof: {rewrite: {minSize: '1.5'}}\n");
  ASSERT_FALSE(spec);
  ASSERT_GE(spec.error().size(), 2u);
  ReconcilePlan plan = Plan({"x", "default", "u", 1}, spec, Observed{}, TestOptions(), kT0);
  ExpectDeclared(plan);
  std::string want;
  for (const auto& e : spec.error()) want += (want.empty() ? "" : "; ") + e.ToString();
  EXPECT_EQ(Get(plan, kCondReady).message, want);
  EXPECT_EQ(Get(plan, kCondConfigApplied).status, kUnknown);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"patch-status RedisPersistence/x"}));
}

TEST(Plan, LastTransitionTimeMovesOnlyWhenTheStatusDoes) {
  auto r = LoadExample("rdb-only");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const std::string ready_since = world.observed.status.Find(kCondReady)->last_transition_time;
  // Pod 1 of 1 not ready: status False at t1.
  Json sts = *world.observed.stateful_set;
  sts["status"]["readyReplicas"] = Json::number(0);
  world.observed.stateful_set = sts;
  ReconcilePlan down = Pass(world, meta, r, kT0 + 1000);
  EXPECT_EQ(Get(down, kCondReady).reason, reason::kPodsNotReady);
  EXPECT_EQ(Get(down, kCondReady).last_transition_time, "2026-11-18T11:23:20Z");
  // Still False, for another reason: the time stays.
  sts["status"]["observedGeneration"] = Json::number(0);
  world.observed.stateful_set = sts;
  ReconcilePlan other = Pass(world, meta, r, kT0 + 2000);
  EXPECT_EQ(Get(other, kCondReady).reason, reason::kRollingUpdate);
  EXPECT_EQ(Get(other, kCondReady).last_transition_time, "2026-11-18T11:23:20Z");
  // Other conditions never moved.
  EXPECT_EQ(Get(other, kCondConfigApplied).last_transition_time, ready_since);
}

std::string Sidecar(const std::string& pod, const std::string& policy, const std::string& backup,
                    bool up = true) {
  return "{\"pod\":\"" + pod + "\",\"redis\":{\"up\":" + (up ? "true" : "false") +
         "},\"policy\":" + policy + ",\"backup\":" + backup + "}";
}

const std::string kApplied = R"({"applied":true,"error":null,"drift":[]})";
const std::string kNoBackup =
    R"({"running":false,"pending":false,"lastResult":null,"lastError":null,"lastSuccess":null,"lastSuccessAt":null,"nextScheduledAt":null})";

std::string BackupOk(const std::string& name, const std::string& at) {
  return R"({"running":false,"pending":false,"lastResult":"success","lastError":null,"lastSuccess":")" +
         name + R"(","lastSuccessAt":")" + at + R"(","nextScheduledAt":null})";
}

// A sidecar status with a lastDrill and/or a restore check appended.
std::string WithDrill(std::string status, const std::string& drill, const std::string& restore = "null") {
  status.pop_back();  // the closing brace
  return status + ",\"lastDrill\":" + drill + ",\"lastRestore\":" + restore + "}";
}

TEST(Plan, DrillsBecomeLastDrillBackupsRestorableAndAnEvent) {
  auto r = LoadExample("hybrid");  // drills the newest backup daily
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;
  ReconcilePlan none = Pass(world, meta, r, kT0);
  ExpectDeclared(none);
  EXPECT_EQ(Get(none, kCondBackupsRestorable).reason, reason::kNoDrillYet);

  sc["catalog-0"] = WithDrill(Sidecar("catalog-0", kApplied, kNoBackup),
      R"({"time":"2026-11-28T03:15:00Z","backup":"catalog-20261128T003000Z","result":"success","reason":null,"keys":42,"loadSeconds":1.25,"peakMemoryBytes":1048576})");
  ReconcilePlan ok = Pass(world, meta, r, kT0 + 10);
  ExpectDeclared(ok);
  EXPECT_EQ(Get(ok, kCondBackupsRestorable).status, kTrue);
  EXPECT_EQ(Get(ok, kCondBackupsRestorable).message,
            "drill of catalog-20261128T003000Z at 2026-11-28T03:15:00Z (catalog-0): loaded in "
            "1.250 s, the expected recovery time");
  ASSERT_TRUE(ok.status.last_drill);
  EXPECT_EQ(ok.status.last_drill->pod, "catalog-0");
  EXPECT_EQ(ok.status.last_drill->keys, 42);
  EXPECT_EQ(ok.status.last_drill->load_seconds, 1.25);
  const Json json = StatusToJson(ok.status);
  EXPECT_EQ(StatusFromJson(json).last_drill, ok.status.last_drill);  // round trip
  ASSERT_EQ(ok.events.size(), 1u);
  EXPECT_EQ(ok.events[0].reason, "DrillSucceeded");
  EXPECT_EQ(Get(ok, kCondDegraded).status, kFalse);

  // The same drill again: no new event. A failed one: False, Degraded, a Warning.
  world.observed.status = ok.status;
  EXPECT_TRUE(Pass(world, meta, r, kT0 + 20).events.empty());
  sc["catalog-1"] = WithDrill(Sidecar("catalog-1", kApplied, kNoBackup),
      R"({"time":"2026-11-29T03:15:00Z","backup":"catalog-20261129T003000Z","result":"failure","reason":"SHA-256 differs","keys":0,"loadSeconds":0})");
  ReconcilePlan failed = Pass(world, meta, r, kT0 + 30);
  ExpectDeclared(failed);
  EXPECT_EQ(Get(failed, kCondBackupsRestorable).reason, reason::kDrillFailed);
  EXPECT_NE(Get(failed, kCondBackupsRestorable).message.find("SHA-256 differs"), std::string::npos);
  EXPECT_EQ(Get(failed, kCondDegraded).reason, reason::kDrillFailed);
  bool warned = false;
  for (const auto& e : failed.events) warned |= e.type == "Warning" && e.reason == "DrillFailed";
  EXPECT_TRUE(warned);

  // A restarted sidecar forgets its drill: lastDrill stays.
  world.observed.status = failed.status;
  sc["catalog-1"] = Sidecar("catalog-1", kApplied, kNoBackup);
  EXPECT_EQ(Pass(world, meta, r, kT0 + 40).status.last_drill->backup, "catalog-20261129T003000Z");
}

TEST(Plan, ARestoreDigestMismatchIsDegradedWithBothDigests) {
  auto r = LoadExample("minimal");  // no drills configured
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const std::string pod = PodName(meta, 0);
  world.observed.sidecars[pod] = WithDrill(Sidecar(pod, kApplied, kNoBackup), "null",
      R"({"at":"2026-11-28T00:00:00Z","decision":"installed-backup","sourceKind":"backup","source":"b-1","backup":{"name":"b-1"},"check":{"result":"mismatch","expected":"aa","actual":"bb","reason":"differs"}})");
  ReconcilePlan plan = Pass(world, meta, r, kT0);
  ExpectDeclared(plan);
  EXPECT_EQ(Get(plan, kCondBackupsRestorable).reason, reason::kNotConfigured);
  EXPECT_EQ(Get(plan, kCondDegraded).reason, reason::kRestoreDigestMismatch);
  EXPECT_EQ(Get(plan, kCondDegraded).message,
            pod + ": restored backup b-1: DEBUG DIGEST bb, the backup's aa");
  ASSERT_TRUE(plan.status.last_restore && plan.status.last_restore->check);
  EXPECT_EQ(*plan.status.last_restore->check, (RestoreProof{"mismatch", "aa", "bb", "differs"}));
  world.observed.sidecars[pod] = WithDrill(Sidecar(pod, kApplied, kNoBackup), "null",
      R"({"at":"2026-11-28T00:00:00Z","decision":"installed-backup","sourceKind":"backup","source":"b-1","backup":{"name":"b-1"},"check":{"result":"verified","expected":"aa","actual":"aa","reason":null}})");
  EXPECT_EQ(Get(Pass(world, meta, r, kT0 + 10), kCondDegraded).status, kFalse);
}

std::vector<std::string> EventsWith(const ReconcilePlan& plan, std::string_view reason) {
  std::vector<std::string> out;
  for (const auto& e : plan.events)
    if (e.reason == reason) out.push_back(e.type + ": " + e.note);
  return out;
}

// The restore proof reaches the resource: lastRestore.check once the sidecar checked the restore
// it recorded earlier (same time, same pod), one event per result, and unverifiable (DEBUG
// forbidden) said as such, not guessed and not Degraded.
TEST(Plan, ARestoreCheckIsInLastRestoreWithAnEvent) {
  auto r = LoadExample("minimal");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const std::string pod = PodName(meta, 0);
  const std::string record =
      R"({"at":"2026-11-28T00:00:00Z","decision":"installed-backup","sourceKind":"backup","source":"b-1","backup":{"name":"b-1"},"keys":8)";
  auto report = [&](const std::string& check) {
    world.observed.sidecars[pod] =
        WithDrill(Sidecar(pod, kApplied, kNoBackup), "null", record + check + "}");
  };
  report("");  // installed, Redis still loading: no check yet
  ReconcilePlan before = Pass(world, meta, r, kT0);
  ASSERT_TRUE(before.status.last_restore);
  EXPECT_FALSE(before.status.last_restore->check);
  EXPECT_TRUE(EventsWith(before, reason::kRestoreVerified).empty());

  world.observed.status = before.status;
  report(R"x(,"check":{"result":"unverifiable","expected":"aa","actual":null,"reason":"DEBUG command disabled (enable-debug-command no)"})x");
  ReconcilePlan unverifiable = Pass(world, meta, r, kT0 + 10);
  ExpectDeclared(unverifiable);
  ASSERT_TRUE(unverifiable.status.last_restore && unverifiable.status.last_restore->check);
  EXPECT_EQ(*unverifiable.status.last_restore->check,
            (RestoreProof{"unverifiable", "aa", std::nullopt,
                          "DEBUG command disabled (enable-debug-command no)"}));
  EXPECT_EQ(EventsWith(unverifiable, reason::kRestoreUnverifiable),
            std::vector<std::string>{"Warning: backup/b-1 on " + pod +
                                     ": DEBUG command disabled (enable-debug-command no)"});
  EXPECT_EQ(Get(unverifiable, kCondDegraded).status, kFalse);
  world.observed.status = unverifiable.status;
  EXPECT_TRUE(Pass(world, meta, r, kT0 + 20).events.empty()) << "reported once";

  report(R"(,"check":{"result":"verified","expected":"aa","actual":"aa","reason":null})");
  ReconcilePlan verified = Pass(world, meta, r, kT0 + 30);
  EXPECT_EQ(verified.status.last_restore->check->result, "verified");
  EXPECT_EQ(EventsWith(verified, reason::kRestoreVerified),
            std::vector<std::string>{"Normal: backup/b-1 on " + pod +
                                     ": DEBUG DIGEST aa equals the backup's"});
  const Json json = StatusToJson(verified.status);
  EXPECT_EQ(StatusFromJson(json).last_restore, verified.status.last_restore);  // round trip
}

// /v1/status holdBack as sidecar/replica_guard.cc writes it.
std::string WithHoldBack(std::string status, bool held, bool older) {
  while (status.back() != '}') status.pop_back();
  status.pop_back();
  return status + R"(,"holdBack":{"state":")" + (held ? "held" : "following") +
         R"(","heldBack":)" + (held ? "true" : "false") + R"(,"primaryOlder":)" +
         (older ? "true" : "false") +
         R"(,"reason":"pod 0 started empty","since":"2026-11-28T10:00:00Z",)"
         R"("replica":{"role":"slave","replid":"aaa","offset":1500,"replid2":"0000000000000000000000000000000000000000","secondOffset":-1,"loading":false,"masterHost":"127.0.0.1","masterPort":1,"linkStatus":"down","lastIoSecondsAgo":null,"linkDownSeconds":30,"keys":1500},)"
         R"("primary":{"role":"master","replid":"bbb","offset":0,"replid2":"ccc","secondOffset":1001,"loading":false,"masterHost":null,"masterPort":null,"linkStatus":null,"lastIoSecondsAgo":null,"linkDownSeconds":null,"keys":0}}})";
}

TEST(Plan, AReplicaHeldBackBecausePod0IsOlderIsDegradedWithBothStates) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;
  // Held while pod 0 is away or being judged: it resolves itself, nothing to report.
  sc["catalog-1"] = WithHoldBack(World::HealthySidecar("catalog-1"), true, false);
  EXPECT_EQ(Get(Pass(world, meta, r, kT0), kCondDegraded).status, kFalse);
  // Held because pod 0 is older: a person must decide.
  sc["catalog-1"] = WithHoldBack(World::HealthySidecar("catalog-1"), true, true);
  ReconcilePlan plan = Pass(world, meta, r, kT0 + 10);
  ExpectDeclared(plan);
  EXPECT_EQ(Get(plan, kCondDegraded).status, kTrue);
  EXPECT_EQ(Get(plan, kCondDegraded).reason, reason::kReplicaHeldBack);
  EXPECT_EQ(Get(plan, kCondDegraded).message,
            "catalog-1: pod 0 started empty (this replica: replid aaa offset 1500, 1500 keys; "
            "pod 0: replid bbb offset 0, replid2 ccc up to offset 1000, 0 keys)");
  EXPECT_EQ(plan.status.phase, kPhaseDegraded);
  bool event = false;
  for (const auto& e : plan.events) event |= e.type == "Warning" && e.reason == "ReplicaHeldBack";
  EXPECT_TRUE(event);
  // Released (pod 0 restored from the replica): back to normal.
  sc["catalog-1"] = WithHoldBack(World::HealthySidecar("catalog-1"), false, false);
  EXPECT_EQ(Get(Pass(world, meta, r, kT0 + 20), kCondDegraded).status, kFalse);
}

TEST(Plan, TheNewestRestoreAnySidecarReportsBecomesLastRestoreAndKeptLocalDataIsNone) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;
  const std::string pod0 = PodName(meta, 0), pod1 = PodName(meta, 1);
  sc[pod0] = WithDrill(Sidecar(pod0, kApplied, kNoBackup), "null",
      R"({"at":"2026-11-28T00:00:00Z","decision":"kept-local-data","sourceKind":"local","source":"/data/dump.rdb","keys":3,"reason":"newest","compared":[]})");
  EXPECT_FALSE(Pass(world, meta, r, kT0).status.last_restore);

  sc[pod0] = WithDrill(Sidecar(pod0, kApplied, kNoBackup), "null",
      R"({"at":"2026-11-28T01:00:00Z","decision":"installed-replica-snapshot","sourceKind":"replica",)"
      R"("source":"http://catalog-2.catalog-headless.shop.svc:9122","peer":"http://catalog-2.catalog-headless.shop.svc:9122",)"
      R"("keys":2800,"reason":"highest replication offset","compared":["replica http://catalog-2...: best","backup b-1: older"]})");
  sc[pod1] = WithDrill(Sidecar(pod1, kApplied, kNoBackup), "null",
      R"({"at":"2026-11-27T23:00:00Z","decision":"installed-backup","sourceKind":"backup","source":"b-1","keys":7,"reason":"newest","compared":[]})");
  ReconcilePlan plan = Pass(world, meta, r, kT0 + 10);
  ASSERT_TRUE(plan.status.last_restore);
  EXPECT_EQ(*plan.status.last_restore,
            (LastRestore{"2026-11-28T01:00:00Z", pod0, "replica/catalog-2",
                         "highest replication offset; compared: replica http://catalog-2...: best; "
                         "backup b-1: older",
                         2800}));
  // Once written, it stays when the pod's record goes (a restart that kept its data).
  world.observed.status = plan.status;
  sc[pod0] = Sidecar(pod0, kApplied, kNoBackup);
  EXPECT_EQ(Pass(world, meta, r, kT0 + 20).status.last_restore, plan.status.last_restore);
}

// backup.destinations: both, the bucket refusing: the backup member of a real `tidemark-sidecar
// run`'s /v1/status, recorded from tests/sidecar/object_store_partial_test.cc.
const std::string kObjectStoreError =
    "s3://backups/partial/cache/20261128T185205Z-4509e154.rdb: PUT: HTTP 403 Injected: "
    "AccessDenied: injected by fault_proxy (HTTP 403) (request id fault-1795891925300); backup "
    "20261128T185205Z-4509e154 was not published (older backups are untouched)";
const std::string kPartialError =
    "backup 20261128T185205Z-4509e154 is on local, not on objectStore (" + kObjectStoreError +
    "): check the object store's endpoint, bucket, credentials and permissions (the error names "
    "the request and the answer); the other destination holds this backup, complete and "
    "verified; the next backup uploads again";
std::string BackupPartial() {
  return R"({"running":false,"pending":false,"lastResult":"partial","lastError":")" + kPartialError +
         R"(","lastSuccess":"20261128T185205Z-4509e154","lastSuccessAt":"2026-11-28T18:52:05Z",)"
         R"("destinations":[{"destination":"local","result":"success","error":null},)"
         R"({"destination":"objectStore","result":"failure","error":")" + kObjectStoreError +
         R"("}],"nextScheduledAt":"2026-11-28T19:00:00Z"})";
}

TEST(Plan, APartialBackupShowsPerDestinationAndIsBackupPartialNotASuccess) {
  auto r = LoadExample("offsite");  // destinations: both
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;
  for (int i = 0; i < r.spec.workload.replicas; ++i) {
    const std::string pod = meta.name + "-" + std::to_string(i);
    sc[pod] = Sidecar(pod, kApplied, kNoBackup);
  }
  const std::string pod0 = meta.name + "-0";
  sc[pod0] = Sidecar(pod0, kApplied, BackupPartial());
  ReconcilePlan plan = Pass(world, meta, r, kT0 + 10);

  ASSERT_TRUE(plan.status.last_backup);
  EXPECT_EQ(plan.status.last_backup->name, "20261128T185205Z-4509e154");
  ASSERT_EQ(plan.status.last_backup->destinations.size(), 2u);
  EXPECT_EQ(plan.status.last_backup->destinations[0], (BackupDestination{"local", "Succeeded", std::nullopt}));
  EXPECT_EQ(plan.status.last_backup->destinations[1],
            (BackupDestination{"objectStore", "Failed", kObjectStoreError}));
  const Condition& backup = Get(plan, kCondBackupHealthy);
  EXPECT_EQ(backup.status, kFalse);
  EXPECT_EQ(backup.reason, reason::kBackupPartial);
  EXPECT_EQ(backup.message, pod0 + ": " + kPartialError);
  EXPECT_EQ(Get(plan, kCondDegraded).reason, reason::kBackupPartial);
  EXPECT_EQ(plan.status.phase, kPhaseDegraded);
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "BackupPartial");
  // The CR's JSON carries it, and reads back the same.
  const Json json = StatusToJson(plan.status);
  const Json* destinations = FindPath(json, {"lastBackup", "destinations"});
  ASSERT_TRUE(destinations && destinations->is_array());
  EXPECT_EQ(GetString(destinations->as_array().at(1), "result"), "Failed");
  EXPECT_EQ(StatusFromJson(json).last_backup, plan.status.last_backup);

  // The next backup reaches both: a plain success again, per destination too.
  world.observed.status = plan.status;
  sc[pod0] = Sidecar(pod0, kApplied,
                     R"({"running":false,"pending":false,"lastResult":"success","lastError":null,)"
                     R"("lastSuccess":"20261128T190005Z-0003ea18","lastSuccessAt":"2026-11-28T19:00:05Z",)"
                     R"("destinations":[{"destination":"local","result":"success","error":null},)"
                     R"({"destination":"objectStore","result":"success","error":null}],"nextScheduledAt":null})");
  ReconcilePlan healed = Pass(world, meta, r, kT0 + 20);
  EXPECT_EQ(Get(healed, kCondBackupHealthy).reason, reason::kBackupSucceeded);
  ASSERT_EQ(healed.status.last_backup->destinations.size(), 2u);
  EXPECT_EQ(healed.status.last_backup->destinations[1],
            (BackupDestination{"objectStore", "Succeeded", std::nullopt}));

  // An attempt that then fails everywhere: lastBackup stays the last published one, and its
  // destinations are not replaced by the failed attempt's.
  world.observed.status = healed.status;
  sc[pod0] = Sidecar(pod0, kApplied,
                     R"({"running":false,"pending":false,"lastResult":"failure","lastError":"no fresh snapshot",)"
                     R"("lastSuccess":"20261128T190005Z-0003ea18","lastSuccessAt":"2026-11-28T19:00:05Z",)"
                     R"("destinations":[{"destination":"local","result":"failure","error":"no fresh snapshot"},)"
                     R"({"destination":"objectStore","result":"failure","error":"no fresh snapshot"}],"nextScheduledAt":null})");
  ReconcilePlan failed = Pass(world, meta, r, kT0 + 30);
  EXPECT_EQ(Get(failed, kCondBackupHealthy).reason, reason::kBackupFailed);
  EXPECT_EQ(failed.status.last_backup, healed.status.last_backup);
}

TEST(Plan, SidecarReportsBecomeConditionsAndLastBackup) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;

  sc["catalog-0"] = Sidecar("catalog-0", kApplied, BackupOk("catalog-20261128T003000Z", "2026-11-28T00:30:05Z"));
  sc["catalog-1"] = Sidecar("catalog-1", kApplied, BackupOk("catalog-20261128T063000Z", "2026-11-28T06:30:04Z"));
  ReconcilePlan ok = Pass(world, meta, r, kT0 + 10);
  EXPECT_EQ(Get(ok, kCondBackupHealthy).status, kTrue);
  ASSERT_TRUE(ok.status.last_backup);
  EXPECT_EQ(ok.status.last_backup->name, "catalog-20261128T063000Z");
  EXPECT_EQ(ok.status.last_backup->time, "2026-11-28T06:30:04Z");

  // A sidecar restarted and forgot: lastBackup does not go back.
  sc["catalog-1"] = Sidecar("catalog-1", kApplied, kNoBackup);
  EXPECT_EQ(Pass(world, meta, r, kT0 + 20).status.last_backup->name, "catalog-20261128T063000Z");

  // A failure on one pod.
  sc["catalog-2"] = Sidecar(
      "catalog-2", kApplied,
      R"({"running":false,"pending":false,"lastResult":"failure","lastError":"backup store: No space left on device","lastSuccess":null,"lastSuccessAt":null,"nextScheduledAt":null})");
  ReconcilePlan failed = Pass(world, meta, r, kT0 + 30);
  EXPECT_EQ(Get(failed, kCondBackupHealthy).reason, reason::kBackupFailed);
  EXPECT_EQ(Get(failed, kCondBackupHealthy).message,
            "catalog-2: backup store: No space left on device");
  EXPECT_EQ(Get(failed, kCondDegraded).reason, reason::kBackupFailed);
  EXPECT_EQ(failed.status.phase, kPhaseDegraded);
  ASSERT_EQ(failed.events.size(), 1u);
  EXPECT_EQ(failed.events[0].reason, "BackupFailed");

  // Drift, a refused policy, Redis down, an unreachable sidecar.
  sc["catalog-2"] = Sidecar("catalog-2", R"({"applied":true,"error":null,"drift":["appendfsync: redis has always, policy wants everysec"]})", kNoBackup);
  EXPECT_EQ(Get(Pass(world, meta, r, kT0 + 40), kCondConfigApplied).reason, reason::kDrift);
  sc["catalog-2"] = Sidecar("catalog-2", R"({"applied":false,"error":"policy.json: unknown apiVersion","drift":[]})", kNoBackup);
  EXPECT_EQ(Get(Pass(world, meta, r, kT0 + 50), kCondConfigApplied).reason, reason::kPolicyRefused);
  sc["catalog-2"] = Sidecar("catalog-2", kApplied, kNoBackup, /*up=*/false);
  ReconcilePlan down = Pass(world, meta, r, kT0 + 60);
  EXPECT_EQ(Get(down, kCondReady).reason, reason::kRedisDown);
  EXPECT_EQ(Get(down, kCondDegraded).reason, reason::kRedisDown);
  sc["catalog-2"] = std::nullopt;
  ReconcilePlan gone = Pass(world, meta, r, kT0 + 70);
  EXPECT_EQ(Get(gone, kCondConfigApplied).status, kUnknown);
  EXPECT_EQ(Get(gone, kCondConfigApplied).message, "no status from catalog-2");
  // The silent pod is listed as unreachable, with none of what it said before.
  ASSERT_EQ(gone.status.pods.size(), 3u);
  EXPECT_EQ(gone.status.pods[2].name, "catalog-2");
  EXPECT_EQ(gone.status.pods[2].reachable, false);
  EXPECT_EQ(gone.status.pods[2].message, "no status from its sidecar");
  EXPECT_FALSE(gone.status.pods[2].redis_up);
  EXPECT_EQ(gone.status.pods[0].reachable, true);
  sc["catalog-2"] = "not json";
  ReconcilePlan garbled = Pass(world, meta, r, kT0 + 80);
  EXPECT_EQ(Get(garbled, kCondConfigApplied).reason, reason::kSidecarUnreachable);
  EXPECT_EQ(garbled.status.pods[2].message, "its /v1/status is not a JSON object");
  // The controller says why it could not ask.
  sc.erase("catalog-2");
  world.observed.sidecar_errors["catalog-2"] = "no pod IP yet";
  EXPECT_EQ(Pass(world, meta, r, kT0 + 90).status.pods[2].message, "no pod IP yet");
}

// After an operator restart the caches come from LISTs, whose items carry no apiVersion and
// kind: that is no difference (else every object would be re-applied at every pass).
TEST(Plan, ObjectsFromAListWithoutTypeMetaNeedNoApply) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  for (auto* o : {&world.observed.config_map, &world.observed.headless_service,
                  &world.observed.client_service, &world.observed.stateful_set}) {
    ASSERT_TRUE(o->has_value());
    (*o)->erase("apiVersion");
    (*o)->erase("kind");
  }
  EXPECT_TRUE(Pass(world, meta, r, kT0 + 5).actions.empty());
}

// The on-demand backup record: the controller's claim and POST arrive as observed.backup_request;
// the plan writes it, then follows pod 0's reports to the end, with one event per step, and a
// settled record plans nothing more.
TEST(Plan, OnDemandBackupIsRecordedAndFollowedToItsResult) {
  auto r = LoadExample("hybrid");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  auto& sc = world.observed.sidecars;
  sc["catalog-0"] = Sidecar("catalog-0", kApplied, kNoBackup);
  Pass(world, meta, r, kT0 + 5);

  world.observed.backup_request =
      AfterBackupPost({"v1", "Requested", "2026-11-28T01:00:00Z", "catalog-0", ""},
                      {true, 202, ""});
  ReconcilePlan accepted = Pass(world, meta, r, kT0 + 10);
  ASSERT_TRUE(accepted.status.backup_request);
  EXPECT_EQ(accepted.status.backup_request->phase, "Accepted");
  ASSERT_EQ(accepted.events.size(), 1u);
  EXPECT_EQ(accepted.events[0].reason, "BackupRequested");
  EXPECT_EQ(Summary(accepted), std::vector<std::string>{"patch-status RedisPersistence/catalog"});
  world.observed.backup_request.reset();

  // Still running: nothing to write.
  sc["catalog-0"] = Sidecar(
      "catalog-0", kApplied,
      R"({"running":true,"pending":false,"lastResult":null,"lastError":null,"lastSuccess":null,"lastSuccessAt":null,"nextScheduledAt":null})");
  EXPECT_TRUE(Pass(world, meta, r, kT0 + 20).actions.empty());

  sc["catalog-0"] =
      Sidecar("catalog-0", kApplied, BackupOk("catalog-20261128T010002Z", "2026-11-28T01:00:04Z"));
  ReconcilePlan done = Pass(world, meta, r, kT0 + 30);
  EXPECT_EQ(done.status.backup_request->phase, "Succeeded");
  EXPECT_EQ(done.status.backup_request->message,
            "backup catalog-20261128T010002Z completed at 2026-11-28T01:00:04Z");
  std::vector<std::string> reasons;
  for (const auto& e : done.events) reasons.push_back(e.reason);
  EXPECT_EQ(reasons, std::vector<std::string>{"BackupSucceeded"});
  EXPECT_EQ(done.status.last_backup->name, "catalog-20261128T010002Z");
  EXPECT_TRUE(Pass(world, meta, r, kT0 + 40).actions.empty());
  EXPECT_FALSE(BackupRequestNeeded("v1", world.observed.status.backup_request));
  EXPECT_TRUE(BackupRequestNeeded("v2", world.observed.status.backup_request));
}

TEST(Plan, PerPodHealthComesFromTheSidecar) {
  auto r = LoadExample("aof-only");
  ResourceMeta meta = MetaFor(r);
  World world = Converged(meta, r);
  const std::string pod = PodName(meta, 0);
  world.observed.sidecars[pod] =
      "{\"redis\":{\"up\":true,\"role\":\"primary\"},\"policy\":" + kApplied +
      ",\"persistence\":{\"lastSaveTime\":\"2026-11-28T01:00:00Z\",\"lastSaveOk\":true,"
      "\"aofSizeBytes\":1048576,\"aofBaseSizeBytes\":4096,\"aofRewriteInProgress\":false},"
      "\"verification\":{\"result\":\"Passed\"}}";
  ReconcilePlan plan = Pass(world, meta, r, kT0 + 10);
  ASSERT_EQ(plan.status.pods.size(), 1u);
  const PodHealth& h = plan.status.pods[0];
  EXPECT_EQ(h.last_save_time, "2026-11-28T01:00:00Z");
  EXPECT_EQ(h.last_save_ok, true);
  EXPECT_EQ(h.aof_size_bytes, 1048576);
  EXPECT_EQ(h.aof_base_size_bytes, 4096);
  EXPECT_EQ(h.aof_rewrite_in_progress, false);
  EXPECT_EQ(h.verification, "Passed");
  const Json written = plan.actions.back().body.at("status").at("pods").at(0);
  EXPECT_EQ(written.at("aofSizeBytes").as_number().to_int64(), 1048576);
}

}  // namespace
}  // namespace tidemark::reconcile
