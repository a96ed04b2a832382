// Writes from several clients at once, as the operator and kubectl make them: every write gets
// its own resourceVersion and its own watch event carrying its own object, as on kube-apiserver
// (etcd orders all writes). The fake once created an object by server-side apply in two locked
// steps and, between them, a concurrent write's logged event could be overwritten by the created
// object: a ConfigMap watch then saw a NetworkPolicy and never the hand edit of its ConfigMap.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/operator/fake_apiserver/in_memory_fake.h"
#include "tests/operator/fake_apiserver/json_ops.h"

namespace tidemark::fake {
namespace {

constexpr int kWrites = 300;

using ConcurrentWritesTest = InMemoryFakeTest;

std::string Rv(const FakeResponse& r) {
  return Json::parse(r.body).at("metadata").at("resourceVersion").as_string();
}

TEST_F(ConcurrentWritesTest, EveryWriteIsItsOwnWatchEventWhileOthersApplyCreate) {
  const std::string svc = "/api/v1/namespaces/shop/services/catalog";
  auto created = Send("POST", "/api/v1/namespaces/shop/services", "application/json",
                      R"({"metadata":{"name":"catalog"},"spec":{"ports":[{"port":6379}]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string from = Rv(created);

  std::set<std::string> patch_rvs;
  std::thread creator([&] {
    for (int i = 0; i < kWrites; ++i) {
      const std::string name = "cm-" + std::to_string(i);
      auto r = Send("PATCH", "/api/v1/namespaces/shop/configmaps/" + name +
                                 "?fieldManager=tidemark-operator&force=true",
                    "application/apply-patch+yaml",
                    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                        R"("},"data":{"k":"v"}})");
      ASSERT_EQ(r.status, 201) << r.body;
    }
  });
  for (int i = 0; i < kWrites; ++i) {
    auto r = Send("PATCH", svc + "?fieldManager=kubectl", "application/merge-patch+json",
                  R"({"metadata":{"annotations":{"edit":")" + std::to_string(i) + R"("}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    patch_rvs.insert(Rv(r));
  }
  creator.join();

  auto watch = Send("GET",
                    "/api/v1/namespaces/shop/services?watch=true&timeoutSeconds=1&resourceVersion=" +
                        from,
                    "", "");
  ASSERT_EQ(watch.status, 200) << watch.body;
  std::set<std::string> seen;
  int last_edit = -1;
  for (const std::string& line : watch.events) {
    Json event = Json::parse(line);
    if (event.at("type").as_string() == "BOOKMARK") continue;
    ASSERT_EQ(event.at("type").as_string(), "MODIFIED") << line;
    const Json& object = event.at("object");
    ASSERT_EQ(object.at("kind").as_string(), "Service") << line;
    ASSERT_EQ(object.at("metadata").at("name").as_string(), "catalog") << line;
    seen.insert(object.at("metadata").at("resourceVersion").as_string());
    int edit = std::stoi(object.at("metadata").at("annotations").at("edit").as_string());
    EXPECT_EQ(edit, last_edit + 1) << "events out of order or lost: " << line;
    last_edit = edit;
  }
  EXPECT_EQ(seen, patch_rvs);
  EXPECT_EQ(last_edit, kWrites - 1);

  // The objects created by apply are owned by their applier (operation Apply), each.
  auto cm = Send("GET", "/api/v1/namespaces/shop/configmaps/cm-0", "", "");
  ASSERT_EQ(cm.status, 200);
  const Json stored = Json::parse(cm.body);
  const Json& managed = stored.at("metadata").at("managedFields");
  ASSERT_EQ(managed.size(), 1u) << cm.body;
  EXPECT_EQ(managed.at(0).at("operation").as_string(), "Apply");
  EXPECT_EQ(managed.at(0).at("manager").as_string(), "tidemark-operator");
}

}  // namespace
}  // namespace tidemark::fake
