// The RBAC table's client: calls the table covers reach the inner client, the others are refused
// before anything is sent, with a message naming the verb, the resource and the table; and the
// YAML the chart is generated from says exactly what the table says.
#include "operator/kube/rbac_table.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace tidemark::kube {
namespace {

// Records which calls got through; answers every one with an empty success.
class RecordingClient : public KubeClient {
 public:
  std::vector<std::string> calls;

  KubeResult<Object> Get(const ResourceType& t, const std::string&, const std::string&) override {
    return Record("get " + t.resource);
  }
  KubeResult<ObjectList> List(const ResourceType& t, const std::string&,
                              const ListOptions&) override {
    calls.push_back("list " + t.resource);
    return ObjectList{};
  }
  KubeResult<WatchEnd> Watch(const ResourceType& t, const std::string&, const WatchOptions&,
                             const std::function<bool(const WatchEvent&)>&) override {
    calls.push_back("watch " + t.resource);
    return WatchEnd{};
  }
  KubeResult<Object> Create(const ResourceType& t, const std::string&, const std::string&,
                            const WriteOptions&) override {
    return Record("create " + t.resource);
  }
  KubeResult<Object> Update(const ResourceType& t, const std::string&, const std::string&,
                            const std::string&, const WriteOptions&) override {
    return Record("update " + t.resource);
  }
  KubeResult<Object> UpdateStatus(const ResourceType& t, const std::string&, const std::string&,
                                  const std::string&, const WriteOptions&) override {
    return Record("update " + t.resource + "/status");
  }
  KubeResult<Object> Apply(const ResourceType& t, const std::string&, const std::string&,
                           const std::string&, bool, const WriteOptions&,
                           const std::string& sub) override {
    return Record("apply " + t.resource + (sub.empty() ? "" : "/" + sub));
  }
  KubeResult<Object> Patch(const ResourceType& t, const std::string&, const std::string&,
                           PatchType, const std::string&, const WriteOptions&,
                           const std::string& sub) override {
    return Record("patch " + t.resource + (sub.empty() ? "" : "/" + sub));
  }
  KubeStatus Delete(const ResourceType& t, const std::string&, const std::string&,
                    const std::string&, Propagation) override {
    calls.push_back("delete " + t.resource);
    return {};
  }
  void Stop() override {}

 private:
  KubeResult<Object> Record(std::string call) {
    calls.push_back(std::move(call));
    return Object{};
  }
};

TEST(RbacTable, CoveredCallsPassAndOthersAreRefusedBeforeSending) {
  RecordingClient inner;
  RbacCheckedClient client(inner);
  const std::string ns = "shop";
  EXPECT_TRUE(client.List(resources::RedisPersistences(), ns, {}));
  EXPECT_TRUE(client.Apply(resources::ConfigMaps(), ns, "c", "{}", true, {}, ""));
  EXPECT_TRUE(client.Apply(resources::RedisPersistences(), ns, "r", "{}", true, {}, "status"));
  EXPECT_TRUE(client.Create(resources::Events(), ns, "{}", {}));
  EXPECT_TRUE(client.Update(resources::Leases(), ns, "l", "{}", {}));
  EXPECT_EQ(inner.calls, (std::vector<std::string>{"list redispersistences", "apply configmaps",
                                                   "apply redispersistences/status",
                                                   "create events", "update leases"}));
  inner.calls.clear();

  // Of Secrets the operator may only get and create its sets' peer tokens by name: listing
  // them would read every Secret of the namespace. A server-side apply of the resource itself
  // would need patch and create on it; its status is never PUT.
  auto secrets = client.List(resources::Secrets(), ns, {});
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().reason, Reason::kForbidden);
  EXPECT_EQ(secrets.error().message,
            "not sent: the operator's RBAC table (operator/kube/rbac_table.cc) does not allow list "
            "on secrets in API group \"\"; add a row there and regenerate "
            "helm/tidemark/files/rbac-rules.yaml");
  auto apply = client.Apply(resources::RedisPersistences(), ns, "r", "{}", true, {}, "");
  ASSERT_FALSE(apply);
  EXPECT_NE(apply.error().message.find("does not allow patch on redispersistences in API "
                                       "group \"tidemark.dev\""),
            std::string::npos);
  EXPECT_FALSE(client.UpdateStatus(resources::RedisPersistences(), ns, "r", "{}", {}));
  EXPECT_FALSE(client.Watch(resources::Leases(), ns, {}, [](const WatchEvent&) { return true; }));
  EXPECT_TRUE(inner.calls.empty());
}

TEST(RbacTable, TheChartYamlIsTheTable) {
  YAML::Node rules = YAML::Load(RbacRulesYaml());
  const auto& table = OperatorRbacRules();
  ASSERT_EQ(rules.size(), table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(rules[i]["apiGroups"].size(), 1u);
    EXPECT_EQ(rules[i]["apiGroups"][0].as<std::string>(), table[i].group);
    EXPECT_EQ(rules[i]["resources"][0].as<std::string>(), table[i].resource);
    std::vector<std::string> verbs;
    for (const auto& v : rules[i]["verbs"]) verbs.push_back(v.as<std::string>());
    EXPECT_EQ(verbs, std::vector<std::string>(table[i].verbs.begin(), table[i].verbs.end()));
    for (auto verb : table[i].verbs) EXPECT_TRUE(RbacAllows(table[i].group, table[i].resource, verb));
  }
  EXPECT_TRUE(RbacAllows("", "secrets", "get"));  // the peer token, by name
  for (auto verb : {"list", "watch", "update", "patch", "delete"})
    EXPECT_FALSE(RbacAllows("", "secrets", verb)) << verb;
  EXPECT_FALSE(RbacAllows("", "pods/proxy", "create"));
}

}  // namespace
}  // namespace tidemark::kube
