#include "core/policy/parse.h"

#include <gtest/gtest.h>

#include "core/policy/load.h"

namespace tidemark::policy {
namespace {

constexpr const char* kHead =
    "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\n"
    "metadata: {name: r, namespace: ns, labels: {app: x}}\n";

std::vector<std::string> Problems(const std::string& text) {
  std::vector<std::string> out;
  auto r = ParseRedisPersistence(text);
  if (!r)
    for (const Error& e : r.error()) out.push_back(e.ToString());
  return out;
}

TEST(Parse, ReadsEveryFieldOfAFullManifest) {
  auto r = ParseRedisPersistence(std::string(kHead) + R"(spec:
  workload:
    image: redis:7.2
    replicas: 3
    resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 2}}
    passwordSecretRef: {name: s, key: k}
  mode: hybrid
  rdb:
    savePoints: [{seconds: 10, changes: 20}]
    compression: false
    checksum: off
    stopWritesOnBgsaveError: no
    fileName: x.rdb
  aof:
    fsync: "no"
    rdbPreamble: true
    timestamps: yes
    rewrite: {growthPercent: 50, minSize: 1Mi, maxSize: 2Gi, window: {start: "23:00", end: "01:00"}}
  storage:
    data: {size: 3Gi, storageClassName: ssd, accessModes: [ReadWriteOncePod]}
    aof: {size: 4Gi}
    backup: {size: 5Gi}
  backup:
    schedule: "0 * * * *"
    retention: {keepLast: 1, keepDaily: 2, keepWeekly: 3}
    verifyAfterCopy: false
    allowEmpty: true
    drill: {schedule: "0 3 * * *", memoryBudget: 2Gi, what: everyNew}
  restore:
    when: never
    source: {type: backup, backupName: b1}
    allowAofTailRepair: false
    maxAofTailRepairBytes: 0
status:
  phase: Ready
)");
  ASSERT_TRUE(r) << FormatProblems(r.error());
  EXPECT_EQ(r->name, "r");
  EXPECT_EQ(r->namespace_, "ns");
  const RedisPersistenceSpec& s = r->spec;
  EXPECT_EQ(s.workload.image, "redis:7.2");
  EXPECT_EQ(s.workload.replicas, 3);
  EXPECT_EQ(s.workload.resources.requests.at("cpu"), "500m");
  EXPECT_EQ(s.workload.resources.limits.at("cpu"), "2");
  EXPECT_EQ(s.workload.password_secret_ref->key, "k");
  EXPECT_EQ(s.mode, Mode::kHybrid);
  EXPECT_EQ(*s.rdb.save_points, (std::vector<SavePoint>{{10, 20}}));
  EXPECT_FALSE(s.rdb.compression);
  EXPECT_FALSE(s.rdb.checksum);
  EXPECT_FALSE(s.rdb.stop_writes_on_bgsave_error);
  EXPECT_EQ(s.rdb.file_name, "x.rdb");
  EXPECT_EQ(s.aof.fsync, Fsync::kNo);
  EXPECT_TRUE(s.aof.timestamps);
  EXPECT_EQ(s.aof.rewrite.growth_percent, 50);
  EXPECT_EQ(s.aof.rewrite.min_size, "1Mi");
  EXPECT_EQ(*s.aof.rewrite.max_size, "2Gi");
  EXPECT_EQ(s.aof.rewrite.window->start, "23:00");
  EXPECT_EQ(s.storage.data.size, "3Gi");
  EXPECT_EQ(*s.storage.data.storage_class_name, "ssd");
  EXPECT_EQ(s.storage.data.access_modes, std::vector<std::string>{"ReadWriteOncePod"});
  EXPECT_EQ(s.storage.aof->size, "4Gi");
  EXPECT_EQ(s.storage.backup->size, "5Gi");
  EXPECT_EQ(s.backup->schedule, "0 * * * *");
  EXPECT_EQ(s.backup->retention.keep_weekly, 3);
  EXPECT_FALSE(s.backup->verify_after_copy);
  EXPECT_TRUE(s.backup->allow_empty);
  ASSERT_TRUE(s.backup->drill);
  EXPECT_EQ(s.backup->drill->schedule, "0 3 * * *");
  EXPECT_EQ(*s.backup->drill->memory_budget, "2Gi");
  EXPECT_EQ(s.backup->drill->what, DrillWhat::kEveryNew);
  EXPECT_EQ(s.restore.when, RestoreWhen::kNever);
  EXPECT_EQ(s.restore.source.type, RestoreSourceType::kBackup);
  EXPECT_EQ(*s.restore.source.backup_name, "b1");
  EXPECT_FALSE(s.restore.allow_aof_tail_repair);
  EXPECT_EQ(s.restore.max_aof_tail_repair_bytes, "0");
}

TEST(Parse, JsonAndYamlGiveTheSameResource) {
  auto json = LoadRedisPersistence(R"({"apiVersion": "tidemark.dev/v1alpha1",
    "kind": "RedisPersistence", "metadata": {"name": "r"},
    "spec": {"mode": "aof", "aof": {"fsync": "no", "timestamps": true,
             "rewrite": {"growthPercent": 10, "minSize": "1Mi"}}}})");
  auto yaml = LoadRedisPersistence(
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata: {name: r}\n"
      "spec:\n  mode: aof\n  aof: {fsync: \"no\", timestamps: true, rewrite: {growthPercent: 10, "
      "minSize: 1Mi}}\n");
  ASSERT_TRUE(json) << FormatProblems(json.error());
  ASSERT_TRUE(yaml) << FormatProblems(yaml.error());
  EXPECT_EQ(json->spec.aof.fsync, Fsync::kNo);
  EXPECT_EQ(json->spec.aof.fsync, yaml->spec.aof.fsync);
  EXPECT_EQ(json->spec.aof.rewrite.growth_percent, yaml->spec.aof.rewrite.growth_percent);
  EXPECT_EQ(json->spec.aof.timestamps, yaml->spec.aof.timestamps);
}

TEST(Parse, NullMeansNotSet) {
  auto r = ParseRedisPersistence(std::string(kHead) + "spec:\n  mode:\n  aof: ~\n  rdb: null\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->spec.mode, Mode::kRdb);
  EXPECT_FALSE(r->spec.rdb.save_points.has_value());
}

TEST(Parse, ReportsEveryProblemWithItsPath) {
  EXPECT_EQ(
      Problems(std::string(kHead) +
               "spec:\n  mode: fast\n  aof: {fsync: no, rewrite: {minSize: 12}}\n  extra: 1\n"),
      (std::vector<std::string>{
          "spec.mode: must be one of rdb, aof, hybrid, none",
          "spec.aof.fsync: must be a string; a bare no is a YAML boolean: write \"no\"",
          "spec.aof.rewrite.minSize: must be a string such as \"64Mi\" or \"1048576\"",
          "spec.extra: unknown field"}));
}

TEST(Parse, TypeErrorsNameTheExpectedType) {
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {workload: {replicas: 1.5}}"),
            std::vector<std::string>{"spec.workload.replicas: must be an integer"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {workload: {image: [a]}}"),
            std::vector<std::string>{"spec.workload.image: must be a string"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {workload: {image: 7}}"),
            std::vector<std::string>{"spec.workload.image: must be a string"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {rdb: {savePoints: {seconds: 1}}}"),
            std::vector<std::string>{"spec.rdb.savePoints: must be a list"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {rdb: [1]}"),
            std::vector<std::string>{"spec.rdb: must be an object"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {workload: {resources: {limits: {cpu: [1]}}}}"),
            std::vector<std::string>{"spec.workload.resources.limits.cpu: must be a quantity: an "
                                     "integer or a string such as 64Mi"});
}

TEST(Parse, SyntaxErrorsGiveTheLine) {
  auto problems = Problems("apiVersion: x\nspec: {mode: [\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("not valid YAML: line ", 0), 0u) << problems[0];
}

TEST(Parse, WantsExactlyOneDocument) {
  EXPECT_EQ(Problems(""), std::vector<std::string>{"must hold exactly one document, found 0"});
  EXPECT_EQ(Problems(std::string(kHead) + "spec: {}\n---\n" + kHead + "spec: {}\n"),
            std::vector<std::string>{"must hold exactly one document, found 2"});
  EXPECT_EQ(Problems("[1, 2]"), std::vector<std::string>{"must be an object"});
  EXPECT_EQ(Problems("# only a comment\n---\n# and another\n"),
            std::vector<std::string>{"must hold exactly one document, found 0"});
  EXPECT_EQ(Problems(std::string("---\n") + kHead + "spec: {}\n...\n"), Problems(std::string(kHead) + "spec: {}\n"));
}

// Found by fuzz/policy_fuzz: yaml-cpp 0.7's LoadAll never returned on this input.
TEST(Parse, MalformedFlowInputReturnsAProblemInsteadOfHanging) {
  auto problems = Problems(",t#pxcee: spec.rdb.# exfilpece");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("not valid YAML", 0), 0u) << problems[0];
}

}  // namespace
}  // namespace tidemark::policy
