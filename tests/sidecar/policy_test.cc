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
  EXPECT_EQ(p->max_aof_tail_repair_bytes, uint64_t{1} << 20);
  ASSERT_TRUE(p->drill);
  EXPECT_EQ(p->drill->schedule, "15 3 * * *");
  EXPECT_EQ(p->drill->memory_budget_bytes, uint64_t{4} << 30);
  EXPECT_FALSE(p->drill->every_new);
}

TEST(SidecarPolicy, DrillIsOffWhenNullOrAbsentAndItsWhatIsChecked) {
  EXPECT_FALSE(LoadSidecarPolicy(kGolden + "minimal.policy.json")->drill);
  auto high = LoadSidecarPolicy(kGolden + "high-safety.policy.json");
  ASSERT_TRUE(high && high->drill);
  EXPECT_TRUE(high->drill->every_new);
  std::string text = testing::ReadFile(kGolden + "hybrid.policy.json");
  std::string bad = text;
  bad.replace(bad.find("\"newest\""), 8, "\"oldest\"");
  auto r = ParseSidecarPolicy(bad, "p");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("backup.drill.what: expected newest or everyNew"), std::string::npos)
      << r.error().message;
}

TEST(SidecarPolicy, ReadsTheRestoreOverridesAndTakesThemAsOffWhenAbsent) {
  const std::string text = testing::ReadFile(kGolden + "hybrid.policy.json");
  const std::string rendered = ",\n    \"forceEmptyStart\": false,\n    \"fromInstance\": null";
  ASSERT_NE(text.find(rendered), std::string::npos) << text;
  auto p = ParseSidecarPolicy(text, "p");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_FALSE(p->force_empty_start);
  EXPECT_FALSE(p->from_instance);
  std::string set = text;
  set.replace(set.find(rendered), rendered.size(),
              ",\"forceEmptyStart\": true, \"fromInstance\": \"billing/ledger\"");
  auto q = ParseSidecarPolicy(set, "p");
  ASSERT_TRUE(q) << q.error().ToString();
  EXPECT_TRUE(q->force_empty_start);
  EXPECT_EQ(q->from_instance, "billing/ledger");
  std::string older = text;  // rendered before the overrides existed
  older.erase(older.find(rendered), rendered.size());
  auto o = ParseSidecarPolicy(older, "p");
  ASSERT_TRUE(o) << o.error().ToString();
  EXPECT_FALSE(o->force_empty_start);
}

TEST(SidecarPolicy, ReadsTheTailRepairLimitAndTakesTheDefaultWhenAbsent) {
  const std::string text = testing::ReadFile(kGolden + "hybrid.policy.json");
  const std::string rendered = ",\n    \"maxAofTailRepairBytes\": 1048576";
  ASSERT_NE(text.find(rendered), std::string::npos) << text;
  std::string set = text;
  set.replace(set.find(rendered), rendered.size(), ",\"maxAofTailRepairBytes\": 0");
  auto zero = ParseSidecarPolicy(set, "p");
  ASSERT_TRUE(zero) << zero.error().ToString();
  EXPECT_EQ(zero->max_aof_tail_repair_bytes, 0u);
  std::string older = text;  // rendered before the limit existed
  older.erase(older.find(rendered), rendered.size());
  auto o = ParseSidecarPolicy(older, "p");
  ASSERT_TRUE(o) << o.error().ToString();
  EXPECT_EQ(o->max_aof_tail_repair_bytes, kDefaultMaxAofTailRepairBytes);
  set.replace(set.find("\"maxAofTailRepairBytes\": 0"), 26, "\"maxAofTailRepairBytes\": \"1Mi\"");
  EXPECT_FALSE(ParseSidecarPolicy(set, "p"));
}

TEST(SidecarPolicy, ReadsTheObjectStoreAndWhereItsSecretsAre) {
  auto p = LoadSidecarPolicy(kGolden + "offsite.policy.json");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_TRUE(p->backup_local);
  EXPECT_TRUE(p->backup_object_store);
  ASSERT_TRUE(p->object_store);
  const ObjectStorePolicy& s = *p->object_store;
  EXPECT_EQ(s.endpoint, "https://minio.storage.svc:9000");
  EXPECT_EQ(s.bucket, "redis-backups");
  EXPECT_EQ(s.prefix, "prod/billing/ledger");
  EXPECT_FALSE(s.virtual_hosted);
  EXPECT_EQ(s.access_key_id_file, "/etc/tidemark/object-store/access-key-id");
  EXPECT_EQ(s.secret_access_key_file, "/etc/tidemark/object-store/secret-access-key");
  EXPECT_FALSE(s.session_token_file);
  EXPECT_EQ(s.ca_bundle_file, "/etc/tidemark/object-store/ca.crt");
  EXPECT_EQ(s.encryption_key_id, "ledger-2026-11");
  EXPECT_EQ(s.encryption_key_file, "/etc/tidemark/object-store/encryption-key");
  EXPECT_EQ(s.retention.keep_last, 48u);
  EXPECT_EQ(s.retention.keep_weekly, 12u);
  ASSERT_TRUE(p->retention);
  EXPECT_EQ(p->retention->keep_last, 6u);  // the volume's own

  // Without an objectStore: local only, whatever older files say (no destinations member).
  auto local = LoadSidecarPolicy(kGolden + "hybrid.policy.json");
  ASSERT_TRUE(local);
  EXPECT_TRUE(local->backup_local);
  EXPECT_FALSE(local->backup_object_store);
  EXPECT_FALSE(local->object_store);
  std::string text = testing::ReadFile(kGolden + "offsite.policy.json");
  auto pos = text.find("\"objectStore\": {");
  ASSERT_NE(pos, std::string::npos);
  auto end = text.find("\n    }", pos);  // objectStore's closing brace (drill may follow)
  ASSERT_NE(end, std::string::npos);
  auto missing = ParseSidecarPolicy(text.substr(0, pos) + "\"objectStore\": null" + text.substr(end + 6), "p");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("backup.objectStore: missing, but backup.destinations"),
            std::string::npos) << missing.error().ToString();
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
