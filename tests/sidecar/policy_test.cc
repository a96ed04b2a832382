#include "sidecar/sidecar_policy.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

const std::string kGolden = std::string(TIDEMARK_SOURCE_DIR) + "/tests/core/policy/golden/";

TEST(SidecarPolicy, ReadsWhatTheOperatorRenders) {
  auto p = LoadSidecarPolicy(kGolden + "hybrid.policy.json");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->resource_namespace, "shop");
  EXPECT_EQ(p->resource_name, "catalog");
  EXPECT_EQ(p->mode, "hybrid");
  EXPECT_EQ(p->rdb_file_name, "dump.rdb");
  EXPECT_TRUE(p->aof_enabled);
  EXPECT_EQ(p->aof_dir_name, "appendonlydir");
  ASSERT_TRUE(p->retention);
  EXPECT_EQ(p->retention->keep_last, 8u);
  EXPECT_EQ(p->retention->keep_daily, 14u);
  EXPECT_EQ(p->retention->keep_weekly, 8u);
  EXPECT_FALSE(p->allow_empty);
  EXPECT_TRUE(p->restore_enabled);
  EXPECT_FALSE(p->restore_backup_name);
  EXPECT_TRUE(p->allow_aof_tail_repair);
}

TEST(SidecarPolicy, EveryGoldenRenderingReads) {
  std::string out;
  testing::RunCommand("ls " + kGolden + " | grep 'policy.json$'", &out);
  int n = 0;
  for (size_t pos = 0; pos < out.size();) {
    auto nl = out.find('\n', pos);
    std::string name = out.substr(pos, nl - pos);
    pos = nl + 1;
    auto p = LoadSidecarPolicy(kGolden + name);
    EXPECT_TRUE(p) << name << ": " << p.error().ToString();
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(SidecarPolicy, RefusesAnUnknownApiVersionAndSaysWhichMemberIsWrong) {
  std::string text = testing::ReadFile(kGolden + "hybrid.policy.json");
  std::string v2 = text;
  v2.replace(v2.find("sidecar-policy/v1"), 17, "sidecar-policy/v2");
  auto r = ParseSidecarPolicy(v2, "policy.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "policy.json");
  EXPECT_NE(r.error().message.find("apiVersion: 'tidemark.dev/sidecar-policy/v2' is not known"),
            std::string::npos);
  std::string bad_when = text;
  bad_when.replace(bad_when.find("\"auto\""), 6, "\"sometimes\"");
  r = ParseSidecarPolicy(bad_when, "p");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("restore.when"), std::string::npos);
  EXPECT_FALSE(ParseSidecarPolicy("{", "p"));
}

}  // namespace
}  // namespace tidemark::sidecar
