// Golden tests: each example renders to the checked-in redis.conf fragment and sidecar policy
// under tests/core/policy/golden/. After an intended change, regenerate with
//   TIDEMARK_UPDATE_GOLDEN=1 ./tidemark_policy_test --gtest_filter='Golden.*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/policy/load.h"
#include "core/policy/render_redis_conf.h"
#include "core/policy/render_sidecar_policy.h"
#include "tests/core/policy/test_files.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::policy {
namespace {

using testing::SourcePath;
using testing::Stem;
using testing::YamlFiles;
using tidemark::testing::ReadFile;
using tidemark::testing::WriteFile;

void CheckGolden(const std::string& golden, const std::string& actual) {
  if (std::getenv("TIDEMARK_UPDATE_GOLDEN")) WriteFile(golden, actual);
  EXPECT_EQ(ReadFile(golden), actual) << golden << " differs; see render_test.cc to update";
}

TEST(Golden, EveryExampleRendersToItsRedisConf) {
  for (const auto& file : YamlFiles("examples")) {
    auto r = LoadRedisPersistence(ReadFile(file));
    ASSERT_TRUE(r) << file;
    CheckGolden(SourcePath("tests/core/policy/golden/" + Stem(file) + ".conf"),
                RenderRedisConf(*r));
  }
}

TEST(Golden, EveryExampleRendersToItsSidecarPolicy) {
  for (const auto& file : YamlFiles("examples")) {
    auto r = LoadRedisPersistence(ReadFile(file));
    ASSERT_TRUE(r) << file;
    CheckGolden(SourcePath("tests/core/policy/golden/" + Stem(file) + ".policy.json"),
                RenderSidecarPolicy(*r));
  }
}

RedisPersistence Load(const std::string& spec) {
  auto r = LoadRedisPersistence(
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata: {name: r}\nspec: " +
      spec + "\n");
  if (!r) ADD_FAILURE() << FormatProblems(r.error());
  return r.value_or(RedisPersistence{});
}

std::string Directive(const RedisPersistence& r, const std::string& name) {
  for (const auto& [d, v] : RedisConfDirectives(r))
    if (d == name) return v;
  ADD_FAILURE() << "no directive " << name;
  return "?";
}

TEST(RenderRedisConf, ModesSetAppendonlyAndSave) {
  EXPECT_EQ(Directive(Load("{mode: none}"), "appendonly"), "no");
  EXPECT_EQ(Directive(Load("{mode: none}"), "save"), "");
  EXPECT_EQ(Directive(Load("{mode: rdb}"), "appendonly"), "no");
  EXPECT_EQ(Directive(Load("{mode: rdb}"), "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(Directive(Load("{mode: aof}"), "appendonly"), "yes");
  EXPECT_EQ(Directive(Load("{mode: aof}"), "save"), "");
  EXPECT_EQ(Directive(Load("{mode: hybrid}"), "appendonly"), "yes");
  EXPECT_EQ(Directive(Load("{mode: hybrid}"), "aof-use-rdb-preamble"), "yes");
  EXPECT_EQ(Directive(Load("{mode: rdb, rdb: {savePoints: []}}"), "save"), "");
}

TEST(RenderRedisConf, EmptySaveIsQuotedInTheFragment) {
  EXPECT_NE(RenderRedisConf(Load("{mode: none}")).find("\nsave \"\"\n"), std::string::npos);
}

TEST(RenderRedisConf, RewriteWindowHandsRewritesToTheSidecar) {
  auto windowed = Load(
      "{mode: aof, aof: {rewrite: {growthPercent: 50, window: {start: \"01:00\", end: "
      "\"02:00\"}}}}");
  EXPECT_EQ(Directive(windowed, "auto-aof-rewrite-percentage"), "0");
  EXPECT_NE(RenderSidecarPolicy(windowed).find("\"managedBySidecar\": true"), std::string::npos);
  EXPECT_NE(RenderSidecarPolicy(windowed).find("\"growthPercent\": 50"), std::string::npos);
  auto plain = Load("{mode: aof, aof: {rewrite: {growthPercent: 50}}}");
  EXPECT_EQ(Directive(plain, "auto-aof-rewrite-percentage"), "50");
  EXPECT_NE(RenderSidecarPolicy(plain).find("\"managedBySidecar\": false"), std::string::npos);
}

TEST(RenderRedisConf, SizesAreBytes) {
  EXPECT_EQ(Directive(Load("{}"), "auto-aof-rewrite-min-size"), "67108864");
  EXPECT_EQ(Directive(Load("{aof: {rewrite: {minSize: 1.5Gi}}}"), "auto-aof-rewrite-min-size"),
            "1610612736");
  EXPECT_EQ(Directive(Load("{aof: {rewrite: {minSize: 100M}}}"), "auto-aof-rewrite-min-size"),
            "100000000");
}

TEST(RenderRedisConf, TailRepairIsAofLoadTruncated) {
  EXPECT_EQ(Directive(Load("{}"), "aof-load-truncated"), "yes");
  EXPECT_EQ(Directive(Load("{restore: {allowAofTailRepair: false}}"), "aof-load-truncated"), "no");
  // A limit of 0 cuts nothing, and Redis's own cut (a restart without the restore step) is not
  // bounded by the limit: off too.
  EXPECT_EQ(Directive(Load("{restore: {maxAofTailRepairBytes: 0}}"), "aof-load-truncated"), "no");
  EXPECT_EQ(Directive(Load("{restore: {maxAofTailRepairBytes: 4096}}"), "aof-load-truncated"),
            "yes");
}

TEST(RenderSidecarPolicy, TheTailRepairLimitIsBytesIntOrString) {
  EXPECT_NE(RenderSidecarPolicy(Load("{}")).find("\"maxAofTailRepairBytes\": 1048576"),
            std::string::npos);
  EXPECT_NE(RenderSidecarPolicy(Load("{restore: {maxAofTailRepairBytes: 64Ki}}"))
                .find("\"maxAofTailRepairBytes\": 65536"),
            std::string::npos);
  EXPECT_NE(RenderSidecarPolicy(Load("{restore: {maxAofTailRepairBytes: 0}}"))
                .find("\"maxAofTailRepairBytes\": 0"),
            std::string::npos);
}

TEST(RenderSidecarPolicy, OffSettingsAreNullNotMissing) {
  const std::string policy = RenderSidecarPolicy(Load("{}"));
  EXPECT_NE(policy.find("\"backup\": null"), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"maxSizeBytes\": null"), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"window\": null"), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"apiVersion\": \"tidemark.dev/sidecar-policy/v1\""), std::string::npos);
}

}  // namespace
}  // namespace tidemark::policy
