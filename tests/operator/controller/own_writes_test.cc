// OwnWrites (operator/controller/own_writes.h): a pass reads its own last status write until the
// informer delivers it, and the cache again as soon as it holds anything else.
#include "operator/controller/own_writes.h"

#include <gtest/gtest.h>

namespace tidemark::controller {
namespace {

kube::Object At(const std::string& version, const std::string& json = "{}") {
  kube::Object o;
  o.name = "catalog";
  o.namespace_ = "shop";
  o.resource_version = version;
  o.json = json;
  return o;
}

TEST(OwnWrites, ThePassAfterAWriteReadsItUntilTheCacheMoves) {
  OwnWrites writes;
  EXPECT_EQ(writes.Freshest("shop/catalog", At("10")).resource_version, "10");  // nothing kept
  writes.Record("shop/catalog", "10", At("11", R"({"status":"ours"})"));
  // The cache still holds 10: the write answered 11.
  EXPECT_EQ(writes.Freshest("shop/catalog", At("10")).json, R"({"status":"ours"})");
  EXPECT_EQ(writes.Freshest("shop/catalog", At("10")).resource_version, "11");
  // The write arrives: the cache's copy from now on, and nothing is kept.
  EXPECT_EQ(writes.Freshest("shop/catalog", At("11")).json, "{}");
  EXPECT_EQ(writes.size(), 0u);
}

TEST(OwnWrites, SomeoneElsesWriteWinsAndVersionsAreNeverOrdered) {
  OwnWrites writes;
  writes.Record("shop/catalog", "10", At("11"));
  // "9" is not "older" than 11 in any sense the API promises: it is not what the write was
  // based on, so it is the cache's news (a relist, another writer).
  EXPECT_EQ(writes.Freshest("shop/catalog", At("9", R"({"x":1})")).json, R"({"x":1})");
  EXPECT_EQ(writes.size(), 0u);
}

TEST(OwnWrites, WritesOfOnePassChainOnTheCachedVersion) {
  OwnWrites writes;
  writes.Record("shop/catalog", "10", At("11"));  // the backup claim
  // The next pass reads 11 (from here) and writes again: still based on the cache's 10.
  writes.Record("shop/catalog", "11", At("12", R"({"status":"second"})"));
  EXPECT_EQ(writes.Freshest("shop/catalog", At("10")).json, R"({"status":"second"})");
  // The cache delivers 11, the first write: still behind the second.
  EXPECT_EQ(writes.Freshest("shop/catalog", At("11")).json, R"({"status":"second"})");
  // Then 12: caught up.
  EXPECT_EQ(writes.Freshest("shop/catalog", At("12")).json, "{}");
  EXPECT_EQ(writes.size(), 0u);
}

TEST(OwnWrites, AGoneResourceIsForgottenAndKeysAreApart) {
  OwnWrites writes;
  writes.Record("shop/catalog", "10", At("11"));
  writes.Record("shop/cache", "3", At("4"));
  writes.Forget("shop/catalog");
  EXPECT_EQ(writes.Freshest("shop/catalog", At("10")).resource_version, "10");
  EXPECT_EQ(writes.Freshest("shop/cache", At("3")).resource_version, "4");
}

TEST(OwnWrites, ACreatedObjectIsReadUntilItsAddedEventForAWhileOnly) {
  auto t = std::chrono::steady_clock::time_point{};
  OwnWrites writes([&] { return t; }, std::chrono::seconds(60));
  const std::string key = "StatefulSet shop/catalog";
  EXPECT_FALSE(writes.Created(key));  // never made
  writes.Record(key, OwnWrites::kAbsent, At("7", R"({"spec":"ours"})"));
  // The informer has not delivered the create: the next pass reads what the create answered
  // instead of applying it again.
  t += std::chrono::seconds(59);
  ASSERT_TRUE(writes.Created(key));
  EXPECT_EQ(writes.Created(key)->json, R"({"spec":"ours"})");
  // A second write in that pass chains on it; the ADDED event (7) is still behind it.
  writes.Record(key, "7", At("8", R"({"spec":"second"})"));
  EXPECT_EQ(writes.Freshest(key, At("7")).json, R"({"spec":"second"})");
  EXPECT_EQ(writes.Freshest(key, At("8")).json, "{}");
  EXPECT_EQ(writes.size(), 0u);

  // Not seen for a minute (deleted before the informer saw it, then a relist): absent again,
  // so the next pass creates it anew.
  writes.Record(key, OwnWrites::kAbsent, At("20"));
  t += std::chrono::seconds(60);
  EXPECT_FALSE(writes.Created(key));
  EXPECT_EQ(writes.size(), 0u);
}

TEST(OwnWrites, AnUpdatedObjectTheCacheNoLongerHoldsWasDeleted) {
  OwnWrites writes([] { return std::chrono::steady_clock::time_point{}; });
  writes.Record("ConfigMap shop/catalog", "10", At("11"));
  // Only a create is read while the cache holds nothing: an update's object was deleted.
  EXPECT_FALSE(writes.Created("ConfigMap shop/catalog"));
  EXPECT_EQ(writes.size(), 0u);
}

}  // namespace
}  // namespace tidemark::controller
