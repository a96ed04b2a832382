#include "operator/kube/client.h"

namespace tidemark::kube {

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
    case EventType::kBookmark:
      return "BOOKMARK";
  }
  return "?";
}

KubeResult<ProxyAnswer> KubeClient::ProxyPod(const std::string& ns, const std::string& pod,
                                             const std::string& port, const std::string&,
                                             const std::string& path, const std::string&) {
  return MakeKubeError(Reason::kMethodNotAllowed, "this client does not proxy to pods",
                       "pods/proxy " + ns + "/" + pod + ":" + port + path);
}

KubeResult<ObjectList> ListAll(KubeClient& client, const ResourceType& type, const std::string& ns,
                               ListOptions options) {
  ObjectList all;
  bool first = true;
  while (true) {
    auto page = client.List(type, ns, options);
    if (!page) return std::unexpected(page.error());
    if (first) all.resource_version = page->resource_version;
    first = false;
    for (auto& item : page->items) all.items.push_back(std::move(item));
    if (page->continue_token.empty()) return all;
    options.continue_token = page->continue_token;
  }
}

}  // namespace tidemark::kube
