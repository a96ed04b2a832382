// `tidemark render`: output and exit codes (0 rendered, 1 invalid resource, 2 usage or I/O).
#include <gtest/gtest.h>

#include "tests/core/policy/test_files.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::policy {
namespace {

using testing::SourcePath;
using tidemark::testing::ReadFile;
using tidemark::testing::RunCommand;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFile;

int Render(const std::string& args, std::string* out) {
  return RunCommand(std::string(TIDEMARK_CLI) + " render " + args, out);
}

TEST(RenderCli, PrintsTheRedisConfFragment) {
  std::string out;
  EXPECT_EQ(Render("-f " + SourcePath("examples/hybrid.yaml"), &out), 0);
  EXPECT_EQ(out, ReadFile(SourcePath("tests/core/policy/golden/hybrid.conf")));
}

TEST(RenderCli, PolicyFlagPrintsTheSidecarPolicy) {
  std::string out;
  EXPECT_EQ(Render("--policy -f " + SourcePath("examples/hybrid.yaml"), &out), 0);
  EXPECT_EQ(out, ReadFile(SourcePath("tests/core/policy/golden/hybrid.policy.json")));
}

TEST(RenderCli, EffectivePrintsEveryDefault) {
  std::string out;
  EXPECT_EQ(Render("--effective -f " + SourcePath("examples/minimal.yaml"), &out), 0);
  EXPECT_NE(out.find("\"fsync\": \"everysec\""), std::string::npos) << out;
}

TEST(RenderCli, ReadsStdin) {
  std::string out;
  EXPECT_EQ(Render("-f - < " + SourcePath("examples/cache.yaml"), &out), 0);
  EXPECT_NE(out.find("appendonly no\n"), std::string::npos) << out;
}

TEST(RenderCli, InvalidResourceExitsOneAndNamesTheField) {
  std::string out;
  const std::string file = SourcePath("examples/invalid/fsync-unknown.yaml");
  EXPECT_EQ(Render("-f " + file + " 2>&1", &out), 1);
  EXPECT_EQ(out, "tidemark render: " + file +
                     ": invalid RedisPersistence:\n  spec.aof.fsync: must be one of always, "
                     "everysec, no\n");
}

TEST(RenderCli, BadYamlIsInvalidNotAUsageError) {
  TempDir dir;
  WriteFile(dir.File("r.yaml"), "spec: {mode: [\n");
  std::string out;
  EXPECT_EQ(Render("-f " + dir.File("r.yaml") + " 2>&1", &out), 1);
  EXPECT_NE(out.find("not valid YAML: line"), std::string::npos) << out;
}

TEST(RenderCli, UsageAndIoErrorsExitTwo) {
  std::string out;
  EXPECT_EQ(Render("2>&1", &out), 2);
  EXPECT_NE(out.find("missing -f"), std::string::npos) << out;
  EXPECT_EQ(Render("-f /nonexistent/r.yaml 2>&1", &out), 2);
  EXPECT_EQ(Render("--bogus -f x 2>&1", &out), 2);
  EXPECT_EQ(Render("--policy --effective -f x 2>&1", &out), 2);
  EXPECT_EQ(Render("-f 2>&1", &out), 2);
}

}  // namespace
}  // namespace tidemark::policy
