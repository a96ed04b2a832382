// The fake API server's pod proxy: what kube-apiserver does for
// /api/v1/namespaces/NS/pods/{name}[:{port}]/proxy/{path} (connect subresource "pods/proxy";
// RBAC verb from the HTTP method: GET get, POST create, PUT update, PATCH patch, DELETE delete).
// The real server resolves the pod, refuses a pod without an IP (400 BadRequest "address not
// allowed"), takes the first container port when none is named, dials podIP:port and relays the
// pod's answer as it is (status, Content-Type, body); a failed dial is 503 ServiceUnavailable
// "error trying to reach service: dial tcp IP:PORT: connect: connection refused"
// (k8s.io/apimachinery pkg/util/proxy/transport.go). The recordings in
// /work/shared/testdata/kube-apiserver-1.26 hold no proxy exchange (no kubelet, no pods there):
// these shapes follow the real server's code, not a recording.
#pragma once

#include <optional>
#include <string>

namespace tidemark::fake {

struct PodProxyRoute {
  std::string ns;
  std::string target;  // "name", "name:port" or "scheme:name:port"
  std::string path;    // "/v1/status" (the part after /proxy; "/" when empty), query included
};

// The route of a pod proxy request path (query appended by the caller), or nullopt.
std::optional<PodProxyRoute> ParsePodProxyPath(const std::string& path);

struct ProxyTarget {
  std::string scheme = "http";
  std::string name;
  std::string port;  // "" : the first container port
};

// apimachinery's SplitSchemeNamePort: nullopt for a malformed target.
std::optional<ProxyTarget> SplitSchemeNamePort(const std::string& target);

struct PodAnswer {
  bool reached = false;
  std::string dial_error;  // when not reached: "connect: connection refused", ...
  int status = 0;
  std::string content_type;
  std::string body;
};

// Sends the request to http://host:port`path` (deadline `timeout_ms`) and returns its answer.
PodAnswer ForwardToPod(const std::string& method, const std::string& host_port,
                       const std::string& path, const std::string& body,
                       const std::string& content_type, int timeout_ms);

}  // namespace tidemark::fake
