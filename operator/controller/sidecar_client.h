// How the operator talks to a pod's sidecar: plain HTTP to the pod IP on the sidecar port
// (9121), as CloudNativePG's operator reaches its instance manager. This needs only pods
// get/list/watch to learn the IPs; the API server's pods/proxy (which would let the operator
// reach any port of any pod) is not used. Every call has a short deadline: a sidecar that does
// not answer makes that pod "unreachable" in the status, never a stuck reconcile.
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/base/error.h"

namespace tidemark::controller {

struct SidecarAnswer {
  int http_status = 0;
  std::string body;
};

class SidecarClient {
 public:
  virtual ~SidecarClient() = default;
  // GET /v1/status. kIo (with the address and what failed: connection refused, no answer within
  // the deadline) when no HTTP answer came, or when the answer is not 200.
  virtual Result<std::string> Status(const std::string& pod_ip) = 0;
  // POST /v1/backups. Any HTTP answer is returned as it is (202 accepted, 409 busy); kIo when
  // none came.
  virtual Result<SidecarAnswer> RequestBackup(const std::string& pod_ip) = 0;
};

// `port`: the sidecar's port on every pod; `timeout`: each call's deadline (connect included).
std::unique_ptr<SidecarClient> MakeHttpSidecarClient(int port, std::chrono::milliseconds timeout);

}  // namespace tidemark::controller
