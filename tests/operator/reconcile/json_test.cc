// Covers(): when a live object already holds what the operator wants.
#include <gtest/gtest.h>

#include "operator/reconcile/json.h"

namespace tidemark::reconcile {
namespace {

Json J(const char* text) {
  auto v = ParseJson(text, "test");
  EXPECT_TRUE(v) << text;
  return v ? *v : Json();
}

TEST(Covers, ExtraObservedMembersAreServerDefaults) {
  EXPECT_TRUE(Covers(J(R"({"a":1,"b":{"c":"x","d":true}})"), J(R"({"b":{"c":"x"}})")));
  EXPECT_FALSE(Covers(J(R"({"a":1})"), J(R"({"a":1,"b":2})")));
  EXPECT_FALSE(Covers(J(R"({"a":"1"})"), J(R"({"a":1})")));
  EXPECT_TRUE(Covers(J(R"({"a":1.0})"), J(R"({"a":1})")));
  EXPECT_FALSE(Covers(J(R"({"a":{}})"), J(R"({"a":[]})")));
}

TEST(Covers, NamedListsMatchByNameAndToleratePeers) {
  const Json want = J(R"({"c":[{"name":"redis","image":"r"},{"name":"sidecar","image":"s"}]})");
  EXPECT_TRUE(Covers(J(R"({"c":[{"name":"sidecar","image":"s","x":1},{"name":"istio"},
                               {"name":"redis","image":"r"}]})"), want));
  EXPECT_FALSE(Covers(J(R"({"c":[{"name":"redis","image":"r"}]})"), want));
  EXPECT_FALSE(Covers(J(R"({"c":[{"name":"redis","image":"r2"},{"name":"sidecar","image":"s"}]})"),
                      want));
}

TEST(Covers, OtherListsCompareItemByItem) {
  EXPECT_TRUE(Covers(J(R"({"args":["a","b"]})"), J(R"({"args":["a","b"]})")));
  EXPECT_FALSE(Covers(J(R"({"args":["a","b","c"]})"), J(R"({"args":["a","b"]})")));
  EXPECT_FALSE(Covers(J(R"({"args":["b","a"]})"), J(R"({"args":["a","b"]})")));
  EXPECT_FALSE(Covers(J(R"({"args":[]})"), J(R"({"args":["a"]})")));
}

TEST(Covers, QuantitiesCompareByValueOnlyUnderResourceMaps) {
  EXPECT_TRUE(Covers(J(R"({"requests":{"cpu":"1","memory":"1536Mi"}})"),
                     J(R"({"requests":{"cpu":"1000m","memory":"1.5Gi"}})")));
  EXPECT_TRUE(Covers(J(R"({"limits":{"cpu":"500m"}})"), J(R"({"limits":{"cpu":"0.5"}})")));
  EXPECT_TRUE(Covers(J(R"({"requests":{"storage":"1k"}})"), J(R"({"requests":{"storage":"1e3"}})")));
  EXPECT_FALSE(Covers(J(R"({"requests":{"memory":"4G"}})"), J(R"({"requests":{"memory":"4Gi"}})")));
  EXPECT_FALSE(Covers(J(R"({"labels":{"v":"1000m"}})"), J(R"({"labels":{"v":"1"}})")));
  EXPECT_FALSE(Covers(J(R"({"requests":{"cpu":"x"}})"), J(R"({"requests":{"cpu":"y"}})")));
}

TEST(Json, PrettyPrintIsSortedAndStable) {
  EXPECT_EQ(PrettyJson(Obj({{"b", Json::number(1)}, {"a", Arr({Str("x")})}, {"c", Json::object()}})),
            "{\n  \"a\": [\n    \"x\"\n  ],\n  \"b\": 1,\n  \"c\": {}\n}\n");
  EXPECT_EQ(HashHex(""), "cbf29ce484222325");  // FNV-1a 64 offset basis
  EXPECT_NE(JsonHash(J(R"({"a":1})")), JsonHash(J(R"({"a":2})")));
}

TEST(Json, ReadersNeverThrow) {
  const Json v = J(R"({"s":"x","i":3,"b":true,"o":{"p":{"q":1}}})");
  EXPECT_EQ(GetString(v, "i"), std::nullopt);
  EXPECT_EQ(GetInt(v, "s"), std::nullopt);
  EXPECT_EQ(GetBool(Json::null(), "b"), std::nullopt);
  EXPECT_EQ(GetInt(*FindPath(v, {"o", "p"}), "q"), 1);
  EXPECT_EQ(FindPath(v, {"o", "x", "q"}), nullptr);
  EXPECT_FALSE(ParseJson("{", "t"));
}

}  // namespace
}  // namespace tidemark::reconcile
