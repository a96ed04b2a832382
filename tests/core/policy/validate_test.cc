// Every validation rule has a negative example in examples/invalid/ whose header names the exact
// message; this test checks tidemark's validation gives that message and nothing else, and that
// every example in examples/ is valid. (crd_validate.mjs checks the same files against the CRD.)
#include "core/policy/validate.h"

#include <gtest/gtest.h>

#include <set>

#include "core/policy/load.h"
#include "tests/core/policy/test_files.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::policy {
namespace {

using testing::Header;
using testing::Stem;
using testing::YamlFiles;
using tidemark::testing::ReadFile;

TEST(Validate, EveryExampleIsValid) {
  auto files = YamlFiles("examples");
  ASSERT_GE(files.size(), 5u);
  for (const auto& file : files) {
    auto r = LoadRedisPersistence(ReadFile(file));
    EXPECT_TRUE(r) << file << ":\n" << (r ? "" : FormatProblems(r.error()));
  }
}

TEST(Validate, EveryNegativeExampleFailsWithItsExactMessage) {
  auto files = YamlFiles("examples/invalid");
  ASSERT_GE(files.size(), 40u);
  std::set<std::string> messages;
  for (const auto& file : files) {
    const std::string text = ReadFile(file);
    const std::string expect = Header(text, "expect");
    ASSERT_FALSE(expect.empty()) << file << " has no '# expect:' header";
    EXPECT_TRUE(messages.insert(expect).second) << "two examples for one rule: " << expect;
    auto r = LoadRedisPersistence(text);
    ASSERT_FALSE(r) << file << " was accepted";
    ASSERT_EQ(r.error().size(), 1u) << file << ":\n" << FormatProblems(r.error());
    EXPECT_EQ(r.error()[0].ToString(), expect) << Stem(file);
  }
}

TEST(Validate, ReportsAllProblemsAtOnce) {
  auto r = LoadRedisPersistence(R"(apiVersion: tidemark.dev/v1alpha1
kind: RedisPersistence
metadata: {name: r}
spec:
  mode: hybrid
  workload: {replicas: 0}
  aof: {rdbPreamble: false}
  backup: {schedule: "61 * * * *"}
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(FormatProblems(r.error()),
            "spec.workload.replicas: must be at least 1\n"
            "spec.aof.rdbPreamble: must be true when mode is hybrid\n"
            "spec.storage.backup: is required when spec.backup keeps backups locally (destinations "
            "local or both) or spec.restore.source.type is backup or pointInTime\n"
            "spec.backup.schedule: minute: 61 is out of range 0-59\n");
}

TEST(Validate, ModeDependentSavePointDefaults) {
  const std::string head =
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata: {name: r}\n";
  for (const auto& [mode, count] : std::vector<std::pair<std::string, size_t>>{
           {"rdb", 3}, {"hybrid", 3}, {"aof", 0}, {"none", 0}}) {
    auto r = LoadRedisPersistence(head + "spec: {mode: " + mode + "}\n");
    ASSERT_TRUE(r) << mode;
    EXPECT_EQ(r->spec.rdb.save_points->size(), count) << mode;
  }
  auto explicit_none = LoadRedisPersistence(head + "spec: {mode: rdb, rdb: {savePoints: []}}\n");
  ASSERT_TRUE(explicit_none);
  EXPECT_TRUE(explicit_none->spec.rdb.save_points->empty());
}

Problems ProblemsOf(const std::string& spec) {
  auto r = LoadRedisPersistence(
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata: {name: r}\nspec: " +
      spec + "\n");
  return r ? Problems{} : r.error();
}

TEST(Validate, PointInTimeMustBeRfc3339) {
  const std::string head =
      "{storage: {backup: {}}, restore: {source: {type: pointInTime, pointInTime: \"";
  for (const char* ok : {"2024-05-01T12:00:00Z", "2024-05-01t12:00:00z", "2024-12-31T23:59:60.123Z",
                         "2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00-11:30"})
    EXPECT_TRUE(ProblemsOf(head + ok + "\"}}}").empty()) << ok;
  for (const char* bad :
       {"2024-05-01", "2024-05-01 12:00:00Z", "2024-13-01T12:00:00Z", "2024-00-01T12:00:00Z",
        "2024-05-00T12:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:00:00",
        "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+2:00", "yesterday"}) {
    Problems p = ProblemsOf(head + bad + "\"}}}");
    ASSERT_EQ(p.size(), 1u) << bad;
    EXPECT_EQ(p[0].where, "spec.restore.source.pointInTime") << bad;
  }
}

TEST(Validate, NamesAndTimesOfDay) {
  EXPECT_TRUE(ProblemsOf("{rdb: {fileName: my_dump-1.rdb}}").empty());
  EXPECT_EQ(ProblemsOf("{rdb: {fileName: .hidden}}").size(), 1u);
  EXPECT_EQ(ProblemsOf("{rdb: {fileName: a/b}}").size(), 1u);
  EXPECT_TRUE(
      ProblemsOf("{mode: aof, aof: {rewrite: {window: {start: \"23:59\", end: \"00:00\"}}}}")
          .empty());
  EXPECT_EQ(
      ProblemsOf("{mode: aof, aof: {rewrite: {window: {start: \"1:00\", end: \"02:00\"}}}}").size(),
      1u);
  EXPECT_EQ(ProblemsOf("{mode: aof, aof: {rewrite: {window: {start: \"01:60\", end: \"02:00\"}}}}")
                .size(),
            1u);
  EXPECT_TRUE(
      ProblemsOf(
          "{storage: {backup: {}}, restore: {source: {type: backup, backupName: Nightly_1.x}}}")
          .empty());
  EXPECT_EQ(ProblemsOf("{workload: {resources: {requests: {cpu: 1.5e3m}}}}").size(), 1u);
  EXPECT_TRUE(
      ProblemsOf(
          "{workload: {resources: {requests: {cpu: \"1e3\", memory: .5Gi}, limits: {cpu: 2}}}}")
          .empty());
}

}  // namespace
}  // namespace tidemark::policy
