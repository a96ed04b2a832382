// The CRD itself: structural (every node typed, no forbidden keywords), documented (a
// description on every field), patterns equal to the model's, and defaults equal to the model's.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <set>

#include "core/policy/cron.h"
#include "core/policy/load.h"
#include "core/policy/quantity.h"
#include "core/policy/render_effective_spec.h"
#include "tests/core/policy/test_files.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::policy {
namespace {

using testing::SourcePath;

YAML::Node Crd() { return YAML::LoadFile(SourcePath("crds/tidemark.dev_redispersistences.yaml")); }
YAML::Node Version() { return Crd()["spec"]["versions"][0]; }
YAML::Node RootSchema() { return Version()["schema"]["openAPIV3Schema"]; }

// Calls fn(path, schema) for the schema node and every node below it (properties, items,
// additionalProperties); paths read like "spec.aof.fsync", "spec.rdb.savePoints[]".
void Walk(const YAML::Node& schema, const std::string& path,
          const std::function<void(const std::string&, const YAML::Node&)>& fn) {
  fn(path, schema);
  if (schema["properties"])
    for (auto it : schema["properties"])
      Walk(it.second, path.empty() ? it.first.Scalar() : path + "." + it.first.Scalar(), fn);
  if (schema["items"]) Walk(schema["items"], path + "[]", fn);
  if (schema["additionalProperties"] && schema["additionalProperties"].IsMap())
    Walk(schema["additionalProperties"], path + ".*", fn);
}

TEST(Crd, NamesGroupVersionAndPrinterColumns) {
  YAML::Node crd = Crd();
  EXPECT_EQ(crd["apiVersion"].Scalar(), "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd["metadata"]["name"].Scalar(), "redispersistences.tidemark.dev");
  EXPECT_EQ(crd["spec"]["group"].Scalar(), "tidemark.dev");
  EXPECT_EQ(crd["spec"]["scope"].Scalar(), "Namespaced");
  EXPECT_EQ(crd["spec"]["names"]["kind"].Scalar(), kKind);
  EXPECT_EQ(crd["spec"]["names"]["plural"].Scalar(), "redispersistences");
  EXPECT_EQ(crd["spec"]["names"]["shortNames"][0].Scalar(), "rp");
  YAML::Node v = Version();
  EXPECT_EQ("tidemark.dev/" + v["name"].Scalar(), kApiVersion);
  EXPECT_TRUE(v["served"].as<bool>() && v["storage"].as<bool>());
  EXPECT_TRUE(v["subresources"]["status"].IsMap());
  std::set<std::string> columns;
  for (auto c : v["additionalPrinterColumns"]) columns.insert(c["name"].Scalar());
  EXPECT_EQ(columns, (std::set<std::string>{"Mode", "Ready", "Phase", "Last Backup", "Age"}));
}

TEST(Crd, SchemaIsStructural) {
  static const std::set<std::string> kForbidden = {"$ref",
                                                   "definitions",
                                                   "dependencies",
                                                   "patternProperties",
                                                   "additionalItems",
                                                   "id",
                                                   "$schema",
                                                   "allOf",
                                                   "oneOf",
                                                   "not"};
  int nodes = 0;
  Walk(RootSchema(), "", [&](const std::string& path, const YAML::Node& s) {
    ++nodes;
    for (auto kv : s) EXPECT_FALSE(kForbidden.count(kv.first.Scalar())) << path << ": " << kv.first;
    if (s["x-kubernetes-int-or-string"]) {
      // The one allowed untyped form: anyOf [integer, string] and nothing else in the branches.
      ASSERT_TRUE(s["anyOf"] && s["anyOf"].size() == 2) << path;
      EXPECT_EQ(s["anyOf"][0].size(), 1u) << path;
      EXPECT_EQ(s["anyOf"][0]["type"].Scalar(), "integer") << path;
      EXPECT_EQ(s["anyOf"][1]["type"].Scalar(), "string") << path;
      EXPECT_FALSE(s["type"]) << path;
    } else {
      EXPECT_FALSE(s["anyOf"]) << path;
      ASSERT_TRUE(s["type"]) << path << " has no type";
      static const std::set<std::string> kTypes = {"object",  "array",  "string",
                                                   "integer", "number", "boolean"};
      EXPECT_TRUE(kTypes.count(s["type"].Scalar())) << path;
    }
    if (s["uniqueItems"]) {
      EXPECT_FALSE(s["uniqueItems"].as<bool>()) << path;
    }
    if (s["additionalProperties"]) {
      EXPECT_TRUE(s["additionalProperties"].IsMap()) << path << ": additionalProperties: false";
      EXPECT_FALSE(s["properties"]) << path << ": properties and additionalProperties";
    }
    if (s["type"] && s["type"].Scalar() == "array") {
      EXPECT_TRUE(s["items"]) << path;
    }
  });
  EXPECT_GT(nodes, 80);
  // metadata may only be typed: the API server owns it.
  YAML::Node metadata = RootSchema()["properties"]["metadata"];
  EXPECT_EQ(metadata["type"].Scalar(), "object");
  EXPECT_FALSE(metadata["properties"]);
}

TEST(Crd, EveryFieldHasADescription) {
  Walk(RootSchema(), "", [](const std::string& path, const YAML::Node& s) {
    if (path.size() >= 2 && path.substr(path.size() - 2) == ".*") return;  // map values
    EXPECT_TRUE(s["description"] && !s["description"].Scalar().empty()) << path;
  });
}

TEST(Crd, PatternsAreTheModelsGrammars) {
  YAML::Node spec = RootSchema()["properties"]["spec"]["properties"];
  EXPECT_EQ(spec["backup"]["properties"]["schedule"]["pattern"].Scalar(), kCronPattern);
  EXPECT_EQ(spec["aof"]["properties"]["rewrite"]["properties"]["minSize"]["pattern"].Scalar(),
            kByteQuantityPattern);
  const YAML::Node drill = spec["backup"]["properties"]["drill"]["properties"];
  EXPECT_EQ(drill["schedule"]["pattern"].Scalar(), kCronPattern);
  EXPECT_EQ(drill["memoryBudget"]["pattern"].Scalar(), kByteQuantityPattern);
  EXPECT_EQ(spec["storage"]["properties"]["data"]["properties"]["size"]["pattern"].Scalar(),
            kByteQuantityPattern);
  EXPECT_EQ(spec["workload"]["properties"]["resources"]["properties"]["requests"]
                ["additionalProperties"]["pattern"]
                    .Scalar(),
            kQuantityPattern);
}

// Leaves of a JSON/YAML document by path, with sequences as one "[a, b]" value.
void Leaves(const YAML::Node& n, const std::string& path, std::map<std::string, std::string>& out) {
  if (n.IsMap()) {
    for (auto it : n)
      Leaves(it.second, path.empty() ? it.first.Scalar() : path + "." + it.first.Scalar(), out);
  } else if (n.IsSequence()) {
    std::string joined = "[";
    for (size_t i = 0; i < n.size(); ++i) joined += (i ? ", " : "") + YAML::Dump(n[i]);
    out[path] = joined + "]";
  } else {
    out[path] = n.Scalar();
  }
}

TEST(Crd, DefaultsAgreeWithTheModel) {
  std::map<std::string, std::string> crd_defaults;
  Walk(RootSchema(), "", [&](const std::string& path, const YAML::Node& s) {
    if (!s["default"]) return;
    std::map<std::string, std::string> leaf;
    Leaves(s["default"], path, leaf);
    crd_defaults.insert(leaf.begin(), leaf.end());
  });
  ASSERT_GE(crd_defaults.size(), 20u);

  // The model's defaults, every optional section switched on but left empty (but storage.aof,
  // which validation refuses and the CRD keeps without fields).
  auto r = LoadRedisPersistence(R"(apiVersion: tidemark.dev/v1alpha1
kind: RedisPersistence
metadata: {name: d}
spec:
  mode: aof
  workload: {passwordSecretRef: {name: s}}
  aof: {rewrite: {}}
  storage: {backup: {}}
  backup:
    schedule: "0 * * * *"
    drill: {schedule: "0 3 * * *"}
    objectStore:
      endpoint: http://127.0.0.1:9000
      bucket: b-1
      credentials: {secretName: s3}
      caBundle: {secretRef: {name: ca}}
      encryption: {keySecretRef: {name: k}, keyId: k1}
)");
  ASSERT_TRUE(r) << FormatProblems(r.error());
  std::map<std::string, std::string> model;
  Leaves(YAML::Load(RenderEffectiveResource(*r)), "", model);
  // caBundle takes one of its two references: the other one's defaults from a second manifest.
  auto config_map = LoadRedisPersistence(R"(apiVersion: tidemark.dev/v1alpha1
kind: RedisPersistence
metadata: {name: d}
spec:
  storage: {backup: {}}
  backup:
    schedule: "0 * * * *"
    objectStore:
      endpoint: http://127.0.0.1:9000
      bucket: b-1
      credentials: {secretName: s3}
      caBundle: {configMapRef: {name: ca}}
)");
  ASSERT_TRUE(config_map) << FormatProblems(config_map.error());
  std::map<std::string, std::string> second;
  Leaves(YAML::Load(RenderEffectiveResource(*config_map)), "", second);
  for (const auto& [path, value] : second)
    if (path.starts_with("spec.backup.objectStore.caBundle.configMapRef")) model[path] = value;
  model["spec.mode"] = ModeName(RedisPersistenceSpec{}.mode);  // the manifest had to set it

  for (const auto& [path, value] : crd_defaults) {
    ASSERT_TRUE(model.count(path))
        << "the CRD defaults " << path << ", the model has no such field";
    EXPECT_EQ(model[path], value) << path;
  }
  // The other way: every field the model fills in is a CRD default, except the fields a
  // manifest must set and the mode-dependent default (defaults.h).
  const std::set<std::string> not_defaulted = {
      "apiVersion",           "kind",
      "metadata.name",        "spec.workload.passwordSecretRef.name",
      "spec.backup.schedule", "spec.rdb.savePoints", "spec.backup.drill.schedule",
      // Mode-dependent (defaults.h): both with an objectStore, local without.
      "spec.backup.destinations",
      "spec.backup.objectStore.endpoint", "spec.backup.objectStore.bucket",
      "spec.backup.objectStore.credentials.secretName",
      "spec.backup.objectStore.caBundle.secretRef.name",
      "spec.backup.objectStore.caBundle.configMapRef.name",
      "spec.backup.objectStore.encryption.keySecretRef.name",
      "spec.backup.objectStore.encryption.keyId"};
  for (const auto& [path, value] : model) {
    if (not_defaulted.count(path)) continue;
    EXPECT_TRUE(crd_defaults.count(path))
        << "the model defaults " << path << " to " << value << " but the CRD declares no default";
  }
}

TEST(Crd, EveryCelRuleHasANegativeExampleWithItsMessage) {
  // A CEL rule reports "<path of its node><fieldPath>: <message>"; each of those is the
  // `# expect:` of exactly the negative examples marked `rejected-by: cel`, so tidemark
  // (validate_test) and the API server (crd_validate.mjs) say the same thing.
  std::set<std::string> cel_messages;
  Walk(RootSchema(), "", [&](const std::string& path, const YAML::Node& s) {
    for (auto rule : s["x-kubernetes-validations"]) {
      ASSERT_TRUE(rule["rule"] && rule["message"]) << path;
      EXPECT_FALSE(rule["messageExpression"]) << path << ": use a fixed message";
      std::string field = rule["fieldPath"] ? rule["fieldPath"].Scalar() : "";
      cel_messages.insert(path + field + ": " + rule["message"].Scalar());
    }
  });
  std::set<std::string> expected;
  for (const auto& file : testing::YamlFiles("examples/invalid")) {
    std::string text = tidemark::testing::ReadFile(file);
    if (testing::Header(text, "rejected-by") == "cel")
      expected.insert(testing::Header(text, "expect"));
  }
  EXPECT_GE(cel_messages.size(), 10u);
  EXPECT_EQ(cel_messages, expected);
}

}  // namespace
}  // namespace tidemark::policy
