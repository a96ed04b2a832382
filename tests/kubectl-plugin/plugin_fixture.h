// The fixture of the kubectl-tidemark tests: the operator tests' fake API server (in this
// process, with the pod proxy of tests/operator/fake_apiserver/pod_proxy.h), a kubeconfig for a
// plugin user whose token holds exactly the permissions docs/kubectl-plugin.md lists, and the
// real kubectl-tidemark binary run as a child process with stdout and stderr kept apart.
#pragma once

#include <string>
#include <vector>

#include "tests/operator/controller/operator_fixture.h"

namespace tidemark::kubectl {

using controller::Json;
using testing::WaitFor;

struct PluginRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class PluginTest : public controller::OperatorTest {
 protected:
  void SetUp() override;

  // kubectl-tidemark with `args`, as the user of `kubeconfig` ("" : the plugin user's).
  PluginRun Plugin(const std::vector<std::string>& args, const std::string& kubeconfig = {});

  // A pod of the resource `resource` as the StatefulSet controller and kubelet would leave it:
  // its sidecar container's port "sidecar" is `sidecar_port`; podIP `ip` ("" : not scheduled).
  void AddPod(const std::string& resource, const std::string& name, const std::string& ip,
              int sidecar_port);
  // A kubeconfig for a user with token `token`.
  std::string KubeconfigFor(const std::string& token, const std::string& file);

  std::string plugin_kubeconfig_;
};

// The permissions docs/kubectl-plugin.md gives a plugin user (its Role example).
std::vector<fake::Permission> PluginUserPermissions();

}  // namespace tidemark::kubectl
