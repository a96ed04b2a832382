#include "tests/operator/controller/operator_fixture.h"

#include "operator/kube/rbac_table.h"

namespace tidemark::controller {

namespace {
const char kToken[] = "operator-test-token";  // the test's own requests: admin
// The operator's: exactly the rights of the RBAC table, as the chart grants them.
const char kOperatorToken[] = "operator-service-account-token";
const char kOperatorUser[] = "system:serviceaccount:tidemark-system:tidemark-operator";
}  // namespace

void OperatorTest::SetUp() {
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
  testing::WriteFile(kubeconfig_,
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

void OperatorTest::TearDown() {
  for (const auto& r : OperatorRequests())
    EXPECT_TRUE(kube::RbacAllows(r.group, r.resource, r.verb))
        << r.verb << " " << r.resource << " (group \"" << r.group << "\") is not in the table";
}

std::vector<fake::RecordedRequest> OperatorTest::OperatorRequests() {
  std::vector<fake::RecordedRequest> out;
  for (auto& r : server_->Requests())
    if (r.user == kOperatorUser) out.push_back(std::move(r));
  return out;
}

std::vector<std::string> OperatorTest::Args(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--metrics-bind-address=0",
                                   "--health-probe-bind-address=0",
                                   "--log-level=info",
                                   "--sidecar-image=tidemark/sidecar:test",
                                   "--kubeconfig",
                                   kubeconfig_};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::unique_ptr<ChildProcess> OperatorTest::StartOperator(const std::vector<std::string>& args,
                                                          const std::string& pod_name,
                                                          const std::string& log_name) {
  return std::make_unique<ChildProcess>(TIDEMARK_OPERATOR, args,
                                        std::vector<std::string>{"POD_NAME=" + pod_name},
                                        dir_.File(log_name));
}

fake::FakeResponse OperatorTest::Call(const std::string& method, const std::string& path,
                                      const std::string& body, const std::string& type) {
  std::map<std::string, std::string> headers = {
      {"authorization", std::string("Bearer ") + kToken}};
  if (!type.empty()) headers["content-type"] = type;
  return server_->Handle(method, path, headers, body);
}

Json OperatorTest::Get(const std::string& path) {
  auto r = Call("GET", path);
  if (r.status != 200) return Json::null();
  try {
    return Json::parse(r.body);
  } catch (...) {
    return Json::null();
  }
}

void OperatorTest::ApplyYaml(const std::string& name, const std::string& yaml) {
  auto r = Call("PATCH", std::string(kRp) + name + "?fieldManager=test", yaml,
                "application/apply-patch+yaml");
  ASSERT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
}

Json OperatorTest::Condition(const Json& object, const std::string& type) {
  if (!object.has_field("status") || !object.at("status").has_field("conditions")) {
    return Json::null();
  }
  for (const auto& c : object.at("status").at("conditions").as_array()) {
    if (c.has_field("type") && c.at("type").as_string() == type) return c;
  }
  return Json::null();
}

bool OperatorTest::OwnedBy(const Json& object, const std::string& uid) {
  if (!object.is_object() || !object.at("metadata").has_field("ownerReferences")) return false;
  for (const auto& ref : object.at("metadata").at("ownerReferences").as_array()) {
    if (ref.at("uid").as_string() == uid && ref.at("kind").as_string() == "RedisPersistence" &&
        ref.has_field("controller") && ref.at("controller").as_bool()) {
      return true;
    }
  }
  return false;
}

int OperatorTest::CountEvents(const std::string& name, const std::string& reason,
                              const std::string& type) {
  Json events = Get("/apis/events.k8s.io/v1/namespaces/shop/events");
  int n = 0;
  if (!events.is_object()) return 0;
  for (const auto& e : events.at("items").as_array()) {
    if (e.at("reason").as_string() == reason && e.at("regarding").at("name").as_string() == name &&
        (type.empty() || e.at("type").as_string() == type))
      ++n;
  }
  return n;
}

int OperatorTest::AwaitEvents(const std::string& name, const std::string& reason,
                              const std::string& type, int at_least) {
  WaitFor([&] { return CountEvents(name, reason, type) >= at_least; }, std::chrono::seconds(10));
  return CountEvents(name, reason, type);
}

}  // namespace tidemark::controller
