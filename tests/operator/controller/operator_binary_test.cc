// The real tidemark-operator binary against the fake API server (in this process, over HTTP on
// 127.0.0.1 port 0), configured by a kubeconfig: what a RedisPersistence becomes, how an invalid
// spec is reported, that a deleted StatefulSet comes back, SIGTERM, and leader handover.
#include <cpprest/json.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/rbac_table.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::controller {
namespace {

using Json = web::json::value;
using Clock = std::chrono::steady_clock;

const char kToken[] = "operator-test-token";  // the test's own requests: admin
// The operator's: exactly the rights of the RBAC table, as the chart grants them.
const char kOperatorToken[] = "operator-service-account-token";
const char kOperatorUser[] = "system:serviceaccount:tidemark-system:tidemark-operator";
const char kRp[] = "/apis/tidemark.dev/v1alpha1/namespaces/shop/redispersistences/";

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The operator as a child process, its log in a file (printed when a test fails).
class OperatorProcess {
 public:
  OperatorProcess(const std::string& log_path, std::vector<std::string> args,
                  const std::string& pod_name)
      : log_path_(log_path) {
    args.insert(args.begin(), TIDEMARK_OPERATOR);
    // Everything the child needs is built before fork: between fork and exec only
    // async-signal-safe calls (the fake API server's threads may hold the allocator's lock).
    std::vector<std::string> env = {"POD_NAME=" + pod_name};
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (entry.rfind("POD_NAME=", 0) != 0 && entry.rfind("KUBECONFIG=", 0) != 0) {
        env.push_back(entry);
      }
    }
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) ::dup2(fd, STDERR_FILENO);
      ::execve(TIDEMARK_OPERATOR, argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~OperatorProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool Running() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
    }
    return !exited_;
  }
  // SIGTERM, then the exit status (-1 when it did not exit within `timeout`).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000)) {
    if (Running()) ::kill(pid_, SIGTERM);
    WaitFor([&] { return !Running(); }, timeout);
    if (!exited_) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  std::string Log() const { return tidemark::testing::ReadFile(log_path_); }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

class OperatorBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake::FakeApiServerOptions options;
    std::string error;
    server_ = fake::FakeApiServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
    server_->AddAdminToken(kToken);
    std::vector<fake::Permission> table;
    for (const auto& rule : kube::OperatorRbacRules()) {
      for (auto verb : rule.verbs)
        table.push_back({std::string(verb), std::string(rule.group), std::string(rule.resource), ""});
    }
    server_->AddToken(kOperatorToken, kOperatorUser, table);
    kubeconfig_ = dir_.File("kubeconfig");
    tidemark::testing::WriteFile(
        kubeconfig_,
        "apiVersion: v1\nkind: Config\n"
        "clusters:\n- name: fake\n  cluster:\n    server: " +
            server_->url() +
            "\n"
            "users:\n- name: test\n  user:\n    token: " +
            kOperatorToken +
            "\n"
            "contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: test\n"
            "    namespace: shop\n"
            "current-context: fake\n");
  }

  // Whatever the test did, every request the operator sent is covered by the RBAC table (the
  // fake refuses the others with 403, which a test may not notice: this says which).
  void TearDown() override {
    for (const auto& r : OperatorRequests())
      EXPECT_TRUE(kube::RbacAllows(r.group, r.resource, r.verb))
          << r.verb << " " << r.resource << " (group \"" << r.group << "\") is not in the table";
  }
  std::vector<fake::RecordedRequest> OperatorRequests() {
    std::vector<fake::RecordedRequest> out;
    for (auto& r : server_->Requests())
      if (r.user == kOperatorUser) out.push_back(std::move(r));
    return out;
  }

  std::vector<std::string> Args(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--metrics-bind-address=0",
                                     "--health-probe-bind-address=0",
                                     "--log-level=info",
                                     "--sidecar-image=tidemark/sidecar:test",
                                     "--kubeconfig",
                                     kubeconfig_};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  fake::FakeResponse Call(const std::string& method, const std::string& path,
                          const std::string& body = {}, const std::string& type = {}) {
    std::map<std::string, std::string> headers = {
        {"authorization", std::string("Bearer ") + kToken}};
    if (!type.empty()) headers["content-type"] = type;
    return server_->Handle(method, path, headers, body);
  }
  // The object at `path`, or null.
  Json Get(const std::string& path) {
    auto r = Call("GET", path);
    if (r.status != 200) return Json::null();
    try {
      return Json::parse(r.body);
    } catch (...) {
      return Json::null();
    }
  }
  void ApplyYaml(const std::string& name, const std::string& yaml) {
    auto r = Call("PATCH", std::string(kRp) + name + "?fieldManager=test", yaml,
                  "application/apply-patch+yaml");
    ASSERT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
  }
  // The condition `type` of the resource's status, or null.
  Json Condition(const Json& object, const std::string& type) {
    if (!object.has_field("status") || !object.at("status").has_field("conditions")) {
      return Json::null();
    }
    for (const auto& c : object.at("status").at("conditions").as_array()) {
      if (c.has_field("type") && c.at("type").as_string() == type) return c;
    }
    return Json::null();
  }
  static bool OwnedBy(const Json& object, const std::string& uid) {
    if (!object.is_object() || !object.at("metadata").has_field("ownerReferences")) return false;
    for (const auto& ref : object.at("metadata").at("ownerReferences").as_array()) {
      if (ref.at("uid").as_string() == uid && ref.at("kind").as_string() == "RedisPersistence" &&
          ref.has_field("controller") && ref.at("controller").as_bool()) {
        return true;
      }
    }
    return false;
  }

  tidemark::testing::TempDir dir_;
  std::unique_ptr<fake::FakeApiServer> server_;
  std::string kubeconfig_;
};

TEST_F(OperatorBinaryTest, HybridExampleBecomesOwnedObjectsWithStatusAndStatefulSetComesBack) {
  ApplyYaml("catalog", tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  Json rp = Get(std::string(kRp) + "catalog");
  ASSERT_TRUE(rp.is_object());
  const std::string uid = rp.at("metadata").at("uid").as_string();
  OperatorProcess op(dir_.File("operator.log"), Args(), "op-a");

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
      << op.Log();
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
      << op.Log();

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
      << op.Log();

  EXPECT_EQ(op.Terminate(), 0) << op.Log();
  std::string log = op.Log();
  EXPECT_NE(log.find("\"msg\":\"stopping\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"resource\":\"shop/catalog\""), std::string::npos) << log;
}

// The ConfigMap is what changes here: re-applying the StatefulSet is refused by the fake
// (it compares the applied claim templates with the defaulted live ones; the real server
// defaults the merged object first): a limit of the fake, to be fixed there.
TEST_F(OperatorBinaryTest, ConvergesAfterASpecEditAndAfterTampering) {
  std::string yaml =
      tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) + "/examples/hybrid.yaml");
  ApplyYaml("catalog", yaml);
  OperatorProcess op(dir_.File("operator.log"), Args(), "op-a");
  const std::string cm = "/api/v1/namespaces/shop/configmaps/catalog-persistence";
  auto conf = [&] {
    Json c = Get(cm);
    if (!c.is_object() || !c.has_field("data")) return std::string();
    return c.at("data").at("persistence.conf").as_string();
  };
  ASSERT_TRUE(WaitFor([&] { return conf().find("appendfsync everysec") != std::string::npos; },
                      std::chrono::seconds(20)))
      << op.Log() << conf();

  // Someone edits the ConfigMap by hand: the operator puts the rendered fragment back.
  auto r =
      Call("PATCH", cm + "?fieldManager=kubectl",
           R"({"data":{"persistence.conf":"appendonly no\n"}})", "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitFor([&] { return conf().find("appendfsync everysec") != std::string::npos; },
                      std::chrono::seconds(20)))
      << op.Log();

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
      << op.Log();
  EXPECT_EQ(op.Terminate(), 0) << op.Log();
}

TEST_F(OperatorBinaryTest, InvalidSpecIsReadyFalseInvalidSpecWithoutACrashOrWriteLoop) {
  ApplyYaml("cron-range-backwards",
            tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                        "/examples/invalid/cron-range-backwards.yaml"));
  OperatorProcess op(dir_.File("operator.log"), Args(), "op-a");
  const std::string path = std::string(kRp) + "cron-range-backwards";
  ASSERT_TRUE(WaitFor(
      [&] {
        Json ready = Condition(Get(path), "Ready");
        return ready.is_object() && ready.at("status").as_string() == "False" &&
               ready.at("reason").as_string() == "InvalidSpec";
      },
      std::chrono::seconds(20)))
      << op.Log();
  Json ready = Condition(Get(path), "Ready");
  EXPECT_NE(ready.at("message").as_string().find("spec.backup.schedule"), std::string::npos);
  // Nothing else is created, and the status is not rewritten over and over.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string version = Get(path).at("metadata").at("resourceVersion").as_string();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Get(path).at("metadata").at("resourceVersion").as_string(), version) << op.Log();
  EXPECT_TRUE(Get("/apis/apps/v1/namespaces/shop/statefulsets/cron-range-backwards").is_null());
  EXPECT_TRUE(op.Running()) << op.Log();
  // One Warning event says so.
  Json events = Get("/apis/events.k8s.io/v1/namespaces/shop/events");
  int invalid = 0;
  if (events.is_object()) {
    for (const auto& e : events.at("items").as_array()) {
      if (e.at("reason").as_string() == "InvalidSpec" && e.at("type").as_string() == "Warning" &&
          e.at("regarding").at("name").as_string() == "cron-range-backwards") {
        ++invalid;
      }
    }
  }
  EXPECT_EQ(invalid, 1) << events.serialize();
  EXPECT_EQ(op.Terminate(), 0) << op.Log();
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
  OperatorProcess op(dir_.File("operator.log"), Args({"--watch-namespace=shop"}), "op-a");
  ASSERT_TRUE(
      WaitFor([&] { return Get("/apis/apps/v1/namespaces/shop/statefulsets/cache").is_object(); },
              std::chrono::seconds(20)))
      << op.Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(Get("/apis/apps/v1/namespaces/other/statefulsets/cache").is_null());
  EXPECT_EQ(op.Terminate(), 0) << op.Log();
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
  OperatorProcess a(dir_.File("a.log"), Args(elect), "op-a");
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-a_", 0) == 0; }, std::chrono::seconds(20)))
      << a.Log();
  OperatorProcess b(dir_.File("b.log"), Args(elect), "op-b");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(holder().rfind("op-a_", 0), 0u) << b.Log();

  // Only the leader reconciles: b has not started its worker while a leads.
  EXPECT_EQ(b.Log().find("\"msg\":\"caches synced; reconciling\""), std::string::npos) << b.Log();
  EXPECT_EQ(a.Terminate(), 0) << a.Log();
  ASSERT_TRUE(WaitFor([&] { return holder().rfind("op-b_", 0) == 0; }, std::chrono::seconds(10)))
      << b.Log();
  ApplyYaml("catalog", tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  ASSERT_TRUE(
      WaitFor([&] { return Get("/apis/apps/v1/namespaces/shop/statefulsets/catalog").is_object(); },
              std::chrono::seconds(20)))
      << b.Log();
  EXPECT_EQ(b.Terminate(), 0) << b.Log();
  EXPECT_EQ(holder(), "");  // released
}

// The other half of least privilege: each row of the table is used (or the row says why it is
// not a call). One run that does what the operator does: leader election, a resource that
// becomes its objects and status, an invalid one that becomes an event.
TEST_F(OperatorBinaryTest, EveryRbacTableRowIsUsedByTheOperator) {
  ApplyYaml("catalog", tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                                   "/examples/hybrid.yaml"));
  ApplyYaml("cron-range-backwards",
            tidemark::testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                        "/examples/invalid/cron-range-backwards.yaml"));
  OperatorProcess op(dir_.File("operator.log"),
                     Args({"--leader-elect", "--leader-election-namespace=shop",
                           "--leader-election-lease-duration=6",
                           "--leader-election-renew-deadline=4",
                           "--leader-election-retry-period=0.2"}),
                     "op-a");
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
      << op.Log();
  EXPECT_EQ(op.Terminate(), 0) << op.Log();

  // Rows that no request exercises, each with its reason.
  const std::set<std::string> not_calls = {
      // Asked by the API server's OwnerReferencesPermissionEnforcement admission when an owned
      // object's ownerReference sets blockOwnerDeletion: a permission, never a request.
      "update redispersistences/finalizers",
      // Growing a bound claim needs the StorageClass's allowVolumeExpansion, which the
      // controller does not read yet: reconcile's PlanClaims is tested on its own
      // (tests/operator/reconcile/plan_test.cc).
      "patch persistentvolumeclaims",
  };
  std::set<std::string> seen;
  for (const auto& r : OperatorRequests()) seen.insert(r.verb + " " + r.resource);
  for (const auto& rule : kube::OperatorRbacRules()) {
    for (auto verb : rule.verbs) {
      const std::string row = std::string(verb) + " " + std::string(rule.resource);
      if (not_calls.count(row)) {
        EXPECT_FALSE(seen.count(row)) << row << " is used now: take it off the exempt list";
      } else {
        EXPECT_TRUE(seen.count(row)) << row << ": in the table, never sent\n" << op.Log();
      }
    }
  }
}

}  // namespace
}  // namespace tidemark::controller
