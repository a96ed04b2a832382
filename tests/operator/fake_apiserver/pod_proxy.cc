#include "tests/operator/fake_apiserver/pod_proxy.h"

#include <cpprest/http_client.h>

#include <vector>

namespace tidemark::fake {

std::optional<PodProxyRoute> ParsePodProxyPath(const std::string& path) {
  static const std::string kPrefix = "/api/v1/namespaces/";
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::vector<std::string> seg;
  size_t pos = kPrefix.size();
  // namespace, "pods", target, "proxy": the rest is the pod's path.
  for (int i = 0; i < 4; ++i) {
    size_t slash = path.find('/', pos);
    seg.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) {
      pos = path.size();
      break;
    }
    pos = slash + 1;
  }
  if (seg.size() != 4 || seg[1] != "pods" || seg[3] != "proxy" || seg[0].empty() ||
      seg[2].empty()) {
    return std::nullopt;
  }
  PodProxyRoute r;
  r.ns = seg[0];
  r.target = seg[2];
  const size_t proxy_end = kPrefix.size() + seg[0].size() + seg[1].size() + seg[2].size() + 8;
  r.path = proxy_end < path.size() ? path.substr(proxy_end) : "/";
  if (r.path.empty() || r.path[0] != '/') r.path = "/" + r.path;
  return r;
}

std::optional<ProxyTarget> SplitSchemeNamePort(const std::string& target) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = target.find(':', start);
    parts.push_back(target.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  ProxyTarget t;
  if (parts.size() == 1) {
    t.name = parts[0];
  } else if (parts.size() == 2) {
    t.name = parts[0];
    t.port = parts[1];
  } else if (parts.size() == 3) {
    if (parts[0] != "http" && parts[0] != "https" && !parts[0].empty()) return std::nullopt;
    if (!parts[0].empty()) t.scheme = parts[0];
    t.name = parts[1];
    t.port = parts[2];
  } else {
    return std::nullopt;
  }
  if (t.name.empty()) return std::nullopt;
  return t;
}

PodAnswer ForwardToPod(const std::string& method, const std::string& host_port,
                       const std::string& path, const std::string& body,
                       const std::string& content_type, int timeout_ms) {
  PodAnswer out;
  try {
    web::http::client::http_client_config cfg;
    cfg.set_timeout(std::chrono::milliseconds(timeout_ms));
    web::http::client::http_client client("http://" + host_port, cfg);
    web::http::http_request req(method);
    req.set_request_uri(web::uri(path));
    if (!body.empty()) req.set_body(body, content_type.empty() ? "application/json" : content_type);
    web::http::http_response r = client.request(req).get();
    out.reached = true;
    out.status = r.status_code();
    out.content_type = r.headers().content_type();
    out.body = r.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    // The message the real server relays is Go's dial error; cpprestsdk's differ in wording.
    const std::string what = e.what();
    out.dial_error =
        what.find("refused") != std::string::npos ? "connect: connection refused" : "i/o timeout";
  }
  return out;
}

}  // namespace tidemark::fake
