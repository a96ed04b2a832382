// The restart classification (restart_table.h) holds for real renderings: for one change of
// every setting, the config hash and the pod template change exactly when the table says
// "restart", and a live change reaches the pods through the ConfigMap instead.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "operator/reconcile/desired.h"
#include "operator/reconcile/restart_table.h"
#include "tests/operator/reconcile/fixtures.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;
using policy::RedisPersistence;

struct Change {
  std::string field;  // the SettingRules() row it exercises
  std::function<void(RedisPersistence&, RenderOptions&)> apply;
};

// The decision, stated a second time on purpose: the table must not drift from it unnoticed
// (the hash and the template follow the table, so they alone cannot catch a wrong row).
const std::map<std::string, ChangeEffect> kExpectedEffect = {
    {"spec.workload.image", ChangeEffect::kRestart},
    {"spec.workload.resources", ChangeEffect::kRestart},
    {"spec.workload.passwordSecretRef", ChangeEffect::kRestart},
    {"spec.workload.peerTLS", ChangeEffect::kRestart},
    {"spec.rdb.fileName", ChangeEffect::kRestart},
    {"appenddirname, appendfilename (fixed)", ChangeEffect::kRestart},
    {"enable-debug-command (fixed)", ChangeEffect::kRestart},
    {"spec.storage.aof (set or not)", ChangeEffect::kRestart},
    {"spec.storage.backup (set or not)", ChangeEffect::kRestart},
    {"spec.backup.objectStore (set or not), its Secret and ConfigMap references",
     ChangeEffect::kRestart},
    {"spec.backup.drill (set or not), memoryBudget", ChangeEffect::kRestart},
    {"spec.restore.when", ChangeEffect::kRestart},
    {"operator.sidecarImage", ChangeEffect::kRestart},
    {"spec.mode", ChangeEffect::kLive},
    {"spec.rdb.savePoints", ChangeEffect::kLive},
    {"spec.rdb.compression", ChangeEffect::kLive},
    {"spec.rdb.checksum", ChangeEffect::kRestart},
    {"spec.rdb.stopWritesOnBgsaveError", ChangeEffect::kLive},
    {"spec.aof.fsync", ChangeEffect::kLive},
    {"spec.aof.rdbPreamble", ChangeEffect::kLive},
    {"spec.aof.timestamps", ChangeEffect::kLive},
    {"spec.aof.rewrite.growthPercent", ChangeEffect::kLive},
    {"spec.aof.rewrite.minSize", ChangeEffect::kLive},
    {"spec.aof.rewrite.maxSize", ChangeEffect::kLive},
    {"spec.aof.rewrite.window", ChangeEffect::kLive},
    {"spec.backup", ChangeEffect::kLive},
    {"spec.restore.source", ChangeEffect::kLive},
    {"spec.restore.forceEmptyStart, fromInstance", ChangeEffect::kLive},
    {"spec.restore.allowAofTailRepair, maxAofTailRepairBytes", ChangeEffect::kLive},
    {"spec.workload.replicas", ChangeEffect::kScale},
    {"spec.storage.*.size", ChangeEffect::kVolume},
    {"spec.storage.*.storageClassName, accessModes", ChangeEffect::kVolume},
};

// One change per row, applied to examples/hybrid.yaml (password, window, backups: most fields set).
std::vector<Change> Changes() {
  using R = RedisPersistence;
  using O = RenderOptions;
  return {
      {"spec.workload.image", [](R& r, O&) { r.spec.workload.image = "redis:7.2"; }},
      {"spec.workload.resources",
       [](R& r, O&) { r.spec.workload.resources.limits["memory"] = "2Gi"; }},
      {"spec.workload.passwordSecretRef",
       [](R& r, O&) { r.spec.workload.password_secret_ref->key = "other"; }},
      {"spec.workload.peerTLS", [](R& r, O&) { r.spec.workload.peer_tls_secret_name = "peer-tls"; }},
      {"spec.rdb.fileName", [](R& r, O&) { r.spec.rdb.file_name = "data.rdb"; }},
      {"spec.storage.aof (set or not)",
       [](R& r, O&) { r.spec.storage.aof = policy::Volume{}; }},
      {"spec.storage.backup (set or not)",
       [](R& r, O&) {
         r.spec.storage.backup.reset();
         r.spec.backup.reset();
       }},
      {"spec.backup.objectStore (set or not), its Secret and ConfigMap references",
       [](R& r, O&) {
         policy::ObjectStore store;
         store.endpoint = "http://127.0.0.1:9000";
         store.bucket = "backups";
         store.credentials.secret_name = "s3";
         r.spec.backup->object_store = store;
       }},
      {"spec.backup.drill (set or not), memoryBudget",
       [](R& r, O&) { r.spec.backup->drill->memory_budget = "6Gi"; }},
      {"spec.backup.drill (set or not), memoryBudget", [](R& r, O&) { r.spec.backup->drill.reset(); }},
      {"spec.restore.when", [](R& r, O&) { r.spec.restore.when = policy::RestoreWhen::kNever; }},
      {"operator.sidecarImage", [](R&, O& o) { o.sidecar_image = "tidemark-sidecar:next"; }},
      {"spec.mode", [](R& r, O&) { r.spec.mode = policy::Mode::kRdb; }},
      {"spec.rdb.savePoints",
       [](R& r, O&) { r.spec.rdb.save_points = std::vector<policy::SavePoint>{{900, 1}}; }},
      {"spec.rdb.compression", [](R& r, O&) { r.spec.rdb.compression = false; }},
      {"spec.rdb.checksum", [](R& r, O&) { r.spec.rdb.checksum = false; }},
      {"spec.rdb.stopWritesOnBgsaveError",
       [](R& r, O&) { r.spec.rdb.stop_writes_on_bgsave_error = false; }},
      {"spec.aof.fsync", [](R& r, O&) { r.spec.aof.fsync = policy::Fsync::kAlways; }},
      {"spec.aof.rdbPreamble", [](R& r, O&) { r.spec.aof.rdb_preamble = false; }},
      {"spec.aof.timestamps", [](R& r, O&) { r.spec.aof.timestamps = true; }},
      {"spec.aof.rewrite.growthPercent",
       [](R& r, O&) {
         r.spec.aof.rewrite.window.reset();  // so the percentage reaches redis.conf
         r.spec.aof.rewrite.growth_percent = 50;
       }},
      {"spec.aof.rewrite.minSize", [](R& r, O&) { r.spec.aof.rewrite.min_size = "128Mi"; }},
      {"spec.aof.rewrite.maxSize", [](R& r, O&) { r.spec.aof.rewrite.max_size = "16Gi"; }},
      {"spec.aof.rewrite.window", [](R& r, O&) { r.spec.aof.rewrite.window->end = "06:00"; }},
      {"spec.backup", [](R& r, O&) { r.spec.backup->schedule = "0 * * * *"; }},
      // The drill's schedule and what are policy.json only: drills on or off, and the budget,
      // are what the pod template holds.
      {"spec.backup", [](R& r, O&) { r.spec.backup->drill->schedule = "0 4 * * *"; }},
      {"spec.backup", [](R& r, O&) { r.spec.backup->drill->what = policy::DrillWhat::kEveryNew; }},
      {"spec.restore.source",
       [](R& r, O&) {
         r.spec.restore.source.type = policy::RestoreSourceType::kBackup;
         r.spec.restore.source.backup_name = "catalog-20261128T000000Z";
       }},
      {"spec.restore.forceEmptyStart, fromInstance",
       [](R& r, O&) {
         r.spec.restore.force_empty_start = true;
         r.spec.restore.from_instance = "billing/ledger";
       }},
      {"spec.restore.allowAofTailRepair, maxAofTailRepairBytes",
       [](R& r, O&) { r.spec.restore.allow_aof_tail_repair = false; }},
      {"spec.restore.allowAofTailRepair, maxAofTailRepairBytes",
       [](R& r, O&) { r.spec.restore.max_aof_tail_repair_bytes = "64Ki"; }},
      {"spec.workload.replicas", [](R& r, O&) { r.spec.workload.replicas = 5; }},
      {"spec.storage.*.size", [](R& r, O&) { r.spec.storage.data.size = "40Gi"; }},
      {"spec.storage.*.storageClassName, accessModes",
       [](R& r, O&) { r.spec.storage.data.storage_class_name = "fast"; }},
  };
}

const std::set<std::string> kFixedRows = {"appenddirname, appendfilename (fixed)",
                                          "enable-debug-command (fixed)"};

TEST(ConfigHash, EveryRowHasTheDecidedEffect) {
  EXPECT_EQ(SettingRules().size(), kExpectedEffect.size());
  for (const auto& rule : SettingRules()) {
    auto it = kExpectedEffect.find(std::string(rule.field));
    ASSERT_NE(it, kExpectedEffect.end()) << rule.field;
    EXPECT_EQ(ChangeEffectName(rule.effect), ChangeEffectName(it->second)) << rule.field;
  }
}

TEST(ConfigHash, EveryRowOfTheTableIsExercised) {
  std::set<std::string> changed;
  for (const auto& c : Changes()) {
    EXPECT_TRUE(FindSettingRule(c.field)) << c.field << " is not a row of the table";
    changed.insert(c.field);
  }
  for (const auto& rule : SettingRules()) {
    const std::string field(rule.field);
    EXPECT_TRUE(changed.count(field) || kFixedRows.count(field)) << field << " has no test change";
  }
}

TEST(ConfigHash, ChangesExactlyForRestartWorthySettings) {
  const RedisPersistence base = LoadExample("hybrid");
  const RenderOptions base_options = TestOptions();
  const ResourceMeta meta = MetaFor(base);
  const DesiredObjects before = RenderDesired(meta, base, base_options);
  const std::string hash_before = ConfigHash(base, base_options);
  const Json& template_before = *FindPath(before.stateful_set, {"spec", "template"});

  for (const auto& c : Changes()) {
    SCOPED_TRACE(c.field);
    RedisPersistence r = base;
    RenderOptions o = base_options;
    c.apply(r, o);
    const SettingRule* rule = FindSettingRule(c.field);
    ASSERT_TRUE(rule);
    const DesiredObjects after = RenderDesired(meta, r, o);
    const Json& template_after = *FindPath(after.stateful_set, {"spec", "template"});
    const bool restart = rule->effect == ChangeEffect::kRestart;

    EXPECT_EQ(ConfigHash(r, o) != hash_before, restart);
    EXPECT_EQ(*FindPath(template_after, {"metadata", "annotations", "tidemark.dev/config-hash"}),
              Str(ConfigHash(r, o)));
    // Whatever is not restart-worthy must not touch the pod template at all: any template
    // change rolls the pods, hash or not.
    EXPECT_EQ(template_after != template_before, restart);
    switch (rule->effect) {
      case ChangeEffect::kLive:
        EXPECT_NE(*Find(after.config_map, "data"), *Find(before.config_map, "data"))
            << "a live setting must reach the pods through the ConfigMap";
        break;
      case ChangeEffect::kScale:
        EXPECT_NE(*FindPath(after.stateful_set, {"spec", "replicas"}),
                  *FindPath(before.stateful_set, {"spec", "replicas"}));
        break;
      case ChangeEffect::kVolume:
        EXPECT_NE(*FindPath(after.stateful_set, {"spec", "volumeClaimTemplates"}),
                  *FindPath(before.stateful_set, {"spec", "volumeClaimTemplates"}));
        break;
      case ChangeEffect::kRestart:
        break;
    }
  }
}

TEST(ConfigHash, IsStableAcrossRendersAndDistinctAcrossExamples) {
  std::set<std::string> hashes;
  for (const auto& file : ExampleFiles()) {
    auto r = LoadExample(Stem(file));
    EXPECT_EQ(ConfigHash(r, TestOptions()), ConfigHash(r, TestOptions()));
    EXPECT_EQ(ConfigHash(r, TestOptions()).size(), 16u);
    hashes.insert(ConfigHash(r, TestOptions()));
  }
  EXPECT_GE(hashes.size(), 3u);  // examples differ in image, password, volumes
}

TEST(ConfigHash, MarkdownTableListsEveryRow) {
  const std::string table = SettingRulesMarkdown();
  for (const auto& rule : SettingRules())
    EXPECT_NE(table.find("`" + std::string(rule.field) + "`"), std::string::npos) << rule.field;
}

}  // namespace
}  // namespace tidemark::reconcile
