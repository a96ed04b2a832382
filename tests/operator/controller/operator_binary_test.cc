// The real tidemark-operator binary against the fake API server (in this process, over HTTP on
// 127.0.0.1 port 0), configured by a kubeconfig: what a RedisPersistence becomes, how an invalid
// spec is reported, that a deleted StatefulSet comes back, SIGTERM, and leader handover.
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_client.h>

#include "operator/kube/rbac_table.h"
#include "tests/operator/controller/operator_fixture.h"

namespace tidemark::controller {
namespace {

using OperatorBinaryTest = OperatorTest;

TEST_F(OperatorBinaryTest, HybridExampleBecomesOwnedObjectsWithStatusAndStatefulSetComesBack) {
  ApplyYaml("catalog", testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  Json rp = Get(std::string(kRp) + "catalog");
  ASSERT_TRUE(rp.is_object());
  const std::string uid = rp.at("metadata").at("uid").as_string();
  auto op = StartOperator(Args());

  const std::string cm = "/api/v1/namespaces/shop/configmaps/catalog-persistence";
  const std::string headless = "/api/v1/namespaces/shop/services/catalog-headless";
  const std::string client = "/api/v1/namespaces/shop/services/catalog";
  const std::string sts = "/apis/apps/v1/namespaces/shop/statefulsets/catalog";
  ASSERT_TRUE(WaitFor(
      [&] {
        return OwnedBy(Get(cm), uid) && OwnedBy(Get(headless), uid) && OwnedBy(Get(client), uid) &&
               OwnedBy(Get(sts), uid);
      },
      std::chrono::seconds(20)))
      << op->Log();
  Json data = Get(cm).at("data");
  EXPECT_TRUE(data.has_field("persistence.conf"));
  EXPECT_TRUE(data.has_field("policy.json"));

  ASSERT_TRUE(WaitFor(
      [&] {
        Json now = Get(std::string(kRp) + "catalog");
        return now.has_field("status") && now.at("status").has_field("observedGeneration") &&
               now.at("status").at("observedGeneration").as_number().to_int64() ==
                   now.at("metadata").at("generation").as_number().to_int64() &&
               Condition(now, "Ready").is_object();
      },
      std::chrono::seconds(20)))
      << op->Log();

  // The watches drop (the operator resumes them); then the StatefulSet is deleted by hand: the
  // operator sees the DELETED event of its owned object and re-creates it.
  server_->DropWatches();
  Json before = Get(sts);
  ASSERT_EQ(Call("DELETE", sts).status, 200);
  ASSERT_TRUE(WaitFor(
      [&] {
        Json again = Get(sts);
        return OwnedBy(again, uid) && again.at("metadata").at("uid").as_string() !=
                                          before.at("metadata").at("uid").as_string();
      },
      std::chrono::seconds(20)))
      << op->Log();

  EXPECT_EQ(op->Terminate(), 0) << op->Log();
  std::string log = op->Log();
  EXPECT_NE(log.find("\"msg\":\"stopping\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"resource\":\"shop/catalog\""), std::string::npos) << log;
}

TEST_F(OperatorBinaryTest, ConvergesAfterASpecEditAndAfterTampering) {
  std::string yaml =
      testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) + "/examples/hybrid.yaml");
  ApplyYaml("catalog", yaml);
  auto op = StartOperator(Args());
  const std::string cm = "/api/v1/namespaces/shop/configmaps/catalog-persistence";
  auto conf = [&] {
    Json c = Get(cm);
    if (!c.is_object() || !c.has_field("data")) return std::string();
    return c.at("data").at("persistence.conf").as_string();
  };
  ASSERT_TRUE(WaitFor([&] { return conf().find("appendfsync everysec") != std::string::npos; },
                      std::chrono::seconds(20)))
      << op->Log() << conf();

  // Someone edits the ConfigMap by hand: the operator puts the rendered fragment back.
  auto r =
      Call("PATCH", cm + "?fieldManager=kubectl",
           R"({"data":{"persistence.conf":"appendonly no\n"}})", "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitFor([&] { return conf().find("appendfsync everysec") != std::string::npos; },
                      std::chrono::seconds(20)))
      << op->Log();

  // The spec changes: the ConfigMap follows, and the status observes the new generation.
  const std::string from = "fsync: everysec";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "fsync: always");
  ApplyYaml("catalog", yaml);
  ASSERT_TRUE(WaitFor(
      [&] {
        Json rp = Get(std::string(kRp) + "catalog");
        return conf().find("appendfsync always") != std::string::npos &&
               rp.at("metadata").at("generation").as_number().to_int64() == 2 &&
               rp.has_field("status") &&
               rp.at("status").at("observedGeneration").as_number().to_int64() == 2;
      },
      std::chrono::seconds(20)))
      << op->Log();

  // A restart-worthy change: the StatefulSet is applied again with a new pod template and the
  // same claim templates, which the API server takes (it defaults the merged object first).
  const std::string sts = "/apis/apps/v1/namespaces/shop/statefulsets/catalog";
  auto redis_image = [&] {
    Json o = Get(sts);
    if (!o.is_object()) return std::string();
    for (const auto& c : o.at("spec").at("template").at("spec").at("containers").as_array())
      if (c.at("name").as_string() == "redis") return c.at("image").as_string();
    return std::string();
  };
  const std::string before = redis_image();
  ASSERT_NE(before, "");
  yaml.replace(yaml.find("    replicas: 3\n"), 16, "    replicas: 3\n    image: redis:7.2.4\n");
  ApplyYaml("catalog", yaml);
  ASSERT_TRUE(WaitFor([&] { return redis_image() == "redis:7.2.4"; }, std::chrono::seconds(20)))
      << op->Log();
  EXPECT_EQ(op->Log().find("action failed"), std::string::npos) << op->Log();
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

TEST_F(OperatorBinaryTest, InvalidSpecIsReadyFalseInvalidSpecWithoutACrashOrWriteLoop) {
  ApplyYaml("cron-range-backwards",
            testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                        "/examples/invalid/cron-range-backwards.yaml"));
  auto op = StartOperator(Args());
  const std::string path = std::string(kRp) + "cron-range-backwards";
  ASSERT_TRUE(WaitFor(
      [&] {
        Json ready = Condition(Get(path), "Ready");
        return ready.is_object() && ready.at("status").as_string() == "False" &&
               ready.at("reason").as_string() == "InvalidSpec";
      },
      std::chrono::seconds(20)))
      << op->Log();
  Json ready = Condition(Get(path), "Ready");
  EXPECT_NE(ready.at("message").as_string().find("spec.backup.schedule"), std::string::npos);
  // Nothing else is created, and the status is not rewritten over and over.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string version = Get(path).at("metadata").at("resourceVersion").as_string();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Get(path).at("metadata").at("resourceVersion").as_string(), version) << op->Log();
  EXPECT_TRUE(Get("/apis/apps/v1/namespaces/shop/statefulsets/cron-range-backwards").is_null());
  EXPECT_TRUE(op->Running()) << op->Log();
  // One Warning event says so.
  EXPECT_EQ(CountEvents("cron-range-backwards", "InvalidSpec", "Warning"), 1);
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

TEST_F(OperatorBinaryTest, WatchNamespaceLimitsWhatIsReconciled) {
  const std::string yaml =
      "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: cache\n"
      "spec:\n  mode: rdb\n";
  ApplyYaml("cache", yaml);
  auto r = Call("PATCH",
                "/apis/tidemark.dev/v1alpha1/namespaces/other/redispersistences/cache"
                "?fieldManager=test",
                yaml, "application/apply-patch+yaml");
  ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
  auto op = StartOperator(Args({"--watch-namespace=shop"}));
  ASSERT_TRUE(
      WaitFor([&] { return Get("/apis/apps/v1/namespaces/shop/statefulsets/cache").is_object(); },
              std::chrono::seconds(20)))
      << op->Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(Get("/apis/apps/v1/namespaces/other/statefulsets/cache").is_null());
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

TEST_F(OperatorBinaryTest, LeaderElectionHandsOverWhenTheLeaderStops) {
  const std::vector<std::string> elect = {
      "--leader-elect", "--leader-election-namespace=shop", "--leader-election-lease-duration=6",
      "--leader-election-renew-deadline=4", "--leader-election-retry-period=0.2"};
  const std::string lease =
      "/apis/coordination.k8s.io/v1/namespaces/shop/leases/"
      "tidemark-operator-leader";
  auto holder = [&] {
    Json l = Get(lease);
    if (!l.is_object() || !l.has_field("spec") || !l.at("spec").has_field("holderIdentity")) {
      return std::string();
    }
    return l.at("spec").at("holderIdentity").as_string();
  };
  auto a = StartOperator(Args(elect), "op-a", "a.log");
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-a_", 0) == 0; }, std::chrono::seconds(20)))
      << a->Log();
  auto b = StartOperator(Args(elect), "op-b", "b.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(holder().rfind("op-a_", 0), 0u) << b->Log();

  // Only the leader reconciles: b has not started its worker while a leads.
  EXPECT_EQ(b->Log().find("\"msg\":\"caches synced; reconciling\""), std::string::npos) << b->Log();
  EXPECT_EQ(a->Terminate(), 0) << a->Log();
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-b_", 0) == 0; }, std::chrono::seconds(10)))
      << b->Log();
  ApplyYaml("catalog", testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  ASSERT_TRUE(
      WaitFor([&] { return Get("/apis/apps/v1/namespaces/shop/statefulsets/catalog").is_object(); },
              std::chrono::seconds(20)))
      << b->Log();
  EXPECT_EQ(b->Terminate(), 0) << b->Log();
  EXPECT_EQ(holder(), "");  // released
}

// /metrics of the running binary: reconciles by result, failed API calls, the work queue's depth
// and watch restarts move with what happens.
TEST_F(OperatorBinaryTest, MetricsCountReconcilesErrorsAndWatchRestarts) {
  const int port = testing::FreeLoopbackPort();
  std::vector<std::string> args = Args({"--resync-period=0.3"});
  args[0] = "--metrics-bind-address=127.0.0.1:" + std::to_string(port);
  auto op = StartOperator(args);
  auto metric = [&](const std::string& series) -> int64_t {
    try {
      web::http::client::http_client client("http://127.0.0.1:" + std::to_string(port));
      std::string text =
          client.request(web::http::methods::GET, "/metrics").get().extract_string().get();
      auto at = text.find("\n" + series + " ");
      if (at == std::string::npos) return -1;
      return std::stoll(text.substr(at + series.size() + 2));
    } catch (const std::exception&) {
      return -1;
    }
  };
  const std::string success = "tidemark_operator_reconciles_total{result=\"success\"}";
  ASSERT_TRUE(WaitFor([&] { return metric(success) == 0; }, std::chrono::seconds(20))) << op->Log();
  EXPECT_EQ(metric("tidemark_operator_queue_depth"), 0);
  EXPECT_EQ(metric("tidemark_operator_leader"), 1);

  ApplyYaml("catalog", testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                         "/examples/hybrid.yaml"));
  ASSERT_TRUE(WaitFor([&] { return metric(success) >= 1; }, std::chrono::seconds(20))) << op->Log();

  const int64_t restarts = metric("tidemark_operator_watch_restarts_total");
  server_->DropWatches();
  EXPECT_TRUE(WaitFor([&] { return metric("tidemark_operator_watch_restarts_total") > restarts; },
                      std::chrono::seconds(20)))
      << op->Log();

  // The API server fails every request for a while: the next pass (a resync: it lists the
  // claims) fails after the client's retries, and is counted.
  const int64_t errors = metric("tidemark_operator_errors_total");
  server_->FailNext(40, 500);
  EXPECT_TRUE(WaitFor(
      [&] {
        return metric("tidemark_operator_errors_total") > errors &&
               metric("tidemark_operator_reconciles_total{result=\"error\"}") >= 1;
      },
      std::chrono::seconds(30)))
      << op->Log();
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

// The other half of least privilege: each row of the table is used (or the row says why it is
// not a call). One run that does what the operator does: leader election, a resource that
// becomes its objects and status, an invalid one that becomes an event.
TEST_F(OperatorBinaryTest, EveryRbacTableRowIsUsedByTheOperator) {
  ApplyYaml("catalog", testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  ApplyYaml("cron-range-backwards",
            testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                        "/examples/invalid/cron-range-backwards.yaml"));
  auto op = StartOperator(Args({"--leader-elect", "--leader-election-namespace=shop",
                                "--leader-election-lease-duration=6",
                                "--leader-election-renew-deadline=4",
                                "--leader-election-retry-period=0.2"}));
  auto used = [&](std::string_view verb, std::string_view resource) {
    for (const auto& r : OperatorRequests())
      if (r.verb == verb && r.resource == resource) return true;
    return false;
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        return used("patch", "redispersistences/status") && used("create", "statefulsets") &&
               used("create", "events") && used("list", "persistentvolumeclaims") &&
               used("update", "leases");
      },
      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_EQ(op->Terminate(), 0) << op->Log();

  // Rows that no request exercises, each with its reason.
  const std::set<std::string> not_calls = {
      // Asked by the API server's OwnerReferencesPermissionEnforcement admission when an owned
      // object's ownerReference sets blockOwnerDeletion: a permission, never a request.
      "update redispersistences/finalizers",
      // Storage growth and StatefulSet replacement: only when claims exist and must grow or
      // change templates, which this run does not do; storage_test.cc sends each of them.
      "patch persistentvolumeclaims",
      "get storageclasses",
      "delete statefulsets",
  };
  std::set<std::string> seen;
  for (const auto& r : OperatorRequests()) seen.insert(r.verb + " " + r.resource);
  for (const auto& rule : kube::OperatorRbacRules()) {
    for (auto verb : rule.verbs) {
      const std::string row = std::string(verb) + " " + std::string(rule.resource);
      if (not_calls.count(row)) {
        EXPECT_FALSE(seen.count(row)) << row << " is used now: take it off the exempt list";
      } else {
        EXPECT_TRUE(seen.count(row)) << row << ": in the table, never sent\n" << op->Log();
      }
    }
  }
}

}  // namespace
}  // namespace tidemark::controller
