// The fixture of the operator binary tests: a fake API server in this process (HTTP on
// 127.0.0.1, port 0), a kubeconfig for it, and the real tidemark-operator binary as a child
// process configured by that kubeconfig. The operator's token holds exactly the rights of the
// RBAC table (operator/kube/rbac_table.h), as the chart grants them, and every test ends by
// checking that each request the operator sent is covered by the table. Helpers read and write
// the fake as an admin would.
#pragma once

#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/operator/controller/child_process.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::controller {

using Json = web::json::value;
using testing::ChildProcess;
using testing::WaitFor;

inline constexpr char kRp[] = "/apis/tidemark.dev/v1alpha1/namespaces/shop/redispersistences/";

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Whatever the test did, every request the operator sent is covered by the RBAC table (the
  // fake refuses the others with 403, which a test may not notice: this says which).
  void TearDown() override;
  std::vector<fake::RecordedRequest> OperatorRequests();

  // The operator's flags: no listeners, this kubeconfig, plus `extra`.
  std::vector<std::string> Args(std::vector<std::string> extra = {});
  // The operator with `args`, as pod `pod_name`, its log in `log_name` under the temp dir.
  std::unique_ptr<ChildProcess> StartOperator(const std::vector<std::string>& args,
                                              const std::string& pod_name = "op-a",
                                              const std::string& log_name = "operator.log");

  fake::FakeResponse Call(const std::string& method, const std::string& path,
                          const std::string& body = {}, const std::string& type = {});
  // The object at `path`, or null.
  Json Get(const std::string& path);
  void ApplyYaml(const std::string& name, const std::string& yaml);
  // The condition `type` of the resource's status, or null.
  static Json Condition(const Json& object, const std::string& type);
  static bool OwnedBy(const Json& object, const std::string& uid);
  // The events.k8s.io events about `name` with `reason` (and `type`, when given).
  int CountEvents(const std::string& name, const std::string& reason,
                  const std::string& type = {});
  // The count, once it reached `at_least` or after 10 s: the operator records a pass's events
  // after its actions, so they may trail the change a test waited for.
  int AwaitEvents(const std::string& name, const std::string& reason, const std::string& type,
                  int at_least);

  testing::TempDir dir_;
  std::unique_ptr<fake::FakeApiServer> server_;
  std::string kubeconfig_;
};

}  // namespace tidemark::controller
