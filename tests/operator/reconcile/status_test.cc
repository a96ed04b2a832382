// The status model matches the CRD's status schema, and survives a round trip through JSON.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "operator/reconcile/conditions.h"
#include "operator/reconcile/status.h"
#include "tests/operator/reconcile/fixtures.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;

RedisPersistenceStatus Full() {
  RedisPersistenceStatus s;
  s.observed_generation = 7;
  s.phase = "Ready";
  s.conditions = {{"Ready", "True", "PodsReady", "3/3 pods ready", 7, "2026-11-28T01:02:03Z"},
                  {"Degraded", "False", "AsExpected", "", 7, "2026-11-28T01:02:03Z"}};
  s.last_backup = LastBackup{"catalog-20261128T003000Z", "2026-11-28T00:30:05Z", 1234,
                             std::string(64, 'a'), 99};
  s.last_restore = LastRestore{"2026-11-28T00:00:00Z", "catalog-1", "backup/x", "newest", 5,
                               RestoreProof{"unverifiable", std::string(40, 'a'), std::nullopt,
                                            "DEBUG command disabled"}};
  s.pods = {PodHealth{"catalog-0", "primary", "2026-11-28T01:00:00Z", true, 10, 5, false,
                      "Failed", "offset 12: bad", true, true, std::nullopt},
            PodHealth{"catalog-1", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                      std::nullopt, std::nullopt, std::nullopt, std::nullopt, false, std::nullopt,
                      "no IP yet"}};
  s.backup_request = BackupRequest{"1764291600", "Succeeded", "2026-11-28T01:00:00Z", "catalog-0",
                                   "backup catalog-20261128T010002Z completed"};
  return s;
}

TEST(Status, RoundTripsThroughJson) {
  const RedisPersistenceStatus s = Full();
  EXPECT_EQ(StatusFromJson(StatusToJson(s)), s);
  auto reparsed = ParseJson(StatusToJson(s).serialize(), "status");
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(StatusFromJson(*reparsed), s);
  EXPECT_EQ(StatusFromJson(Json::null()), RedisPersistenceStatus{});
  EXPECT_EQ(StatusToJson(RedisPersistenceStatus{}).serialize(), "{}");
}

TEST(Status, ReadingSkipsWhatItDoesNotKnow) {
  auto j = ParseJson(R"({"observedGeneration":"x","phase":"Ready","future":1,
      "conditions":[{"status":"True"},{"type":"Ready","status":"True","reason":"PodsReady",
      "message":"m","lastTransitionTime":"2026-11-28T01:02:03Z","extra":true}]})", "s");
  ASSERT_TRUE(j);
  RedisPersistenceStatus s = StatusFromJson(*j);
  EXPECT_EQ(s.observed_generation, std::nullopt);
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].reason, "PodsReady");
}

// Every member the model writes is declared by the CRD's status schema, with the right type.
void CheckAgainstSchema(const Json& value, const YAML::Node& schema, const std::string& path) {
  const std::string type = schema["type"].as<std::string>();
  if (value.is_object()) {
    ASSERT_EQ(type, "object") << path;
    for (const auto& [key, member] : value.as_object()) {
      YAML::Node property = schema["properties"][key];
      ASSERT_TRUE(property) << path << "." << key << " is not in the CRD's status schema";
      CheckAgainstSchema(member, property, path + "." + key);
    }
    if (schema["required"]) {
      for (const auto& r : schema["required"]) {
        EXPECT_TRUE(Find(value, r.as<std::string>())) << path << " lacks " << r.as<std::string>();
      }
    }
  } else if (value.is_array()) {
    ASSERT_EQ(type, "array") << path;
    for (const auto& item : value.as_array()) CheckAgainstSchema(item, schema["items"], path + "[]");
  } else if (value.is_string()) {
    EXPECT_EQ(type, "string") << path;
    if (schema["enum"]) {
      bool found = false;
      for (const auto& e : schema["enum"]) found |= e.as<std::string>() == value.as_string();
      EXPECT_TRUE(found) << path << ": " << value.as_string() << " is not in the enum";
    }
  } else if (value.is_boolean()) {
    EXPECT_EQ(type, "boolean") << path;
  } else if (value.is_number()) {
    EXPECT_EQ(type, "integer") << path;
  }
}

YAML::Node StatusSchema() {
  YAML::Node crd = YAML::LoadFile(SourcePath("crds/tidemark.dev_redispersistences.yaml"));
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"];
}

TEST(Status, MatchesTheCrdStatusSchema) {
  YAML::Node schema = StatusSchema();
  ASSERT_TRUE(schema);
  CheckAgainstSchema(StatusToJson(Full()), schema, "status");
}

TEST(Status, EveryDeclaredConditionAndReasonFitsTheCrd) {
  YAML::Node item = StatusSchema()["properties"]["conditions"]["items"];
  for (const auto& r : ReasonDecls()) {
    Condition c{std::string(r.type), std::string(r.status), std::string(r.reason), "m", 1,
                "2026-11-28T01:02:03Z"};
    RedisPersistenceStatus s;
    s.conditions = {c};
    CheckAgainstSchema(StatusToJson(s).at("conditions").at(0), item, "condition");
    // CamelCase, as the CRD's reason pattern wants.
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(r.reason[0]))) << r.reason;
    for (char ch : r.reason) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << r.reason;
  }
  for (const auto& d : ConditionDecls()) {
    bool has_reason = false;
    for (const auto& r : ReasonDecls()) has_reason |= r.type == d.type;
    EXPECT_TRUE(has_reason) << d.type;
  }
}

}  // namespace
}  // namespace tidemark::reconcile
