#include "operator/kube/resource.h"

namespace tidemark::kube {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string Prefix(const ResourceType& type) {
  return type.group.empty() ? "/api/" + type.version : "/apis/" + type.group + "/" + type.version;
}

}  // namespace

std::string ResourceType::Qualified() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string ResourceType::ApiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

namespace resources {
const ResourceType& ConfigMaps() {
  static const ResourceType t{"", "v1", "configmaps", true};
  return t;
}
const ResourceType& Secrets() {
  static const ResourceType t{"", "v1", "secrets", true};
  return t;
}
const ResourceType& Services() {
  static const ResourceType t{"", "v1", "services", true};
  return t;
}
const ResourceType& Events() {
  static const ResourceType t{"events.k8s.io", "v1", "events", true};
  return t;
}
const ResourceType& PersistentVolumeClaims() {
  static const ResourceType t{"", "v1", "persistentvolumeclaims", true};
  return t;
}
const ResourceType& StatefulSets() {
  static const ResourceType t{"apps", "v1", "statefulsets", true};
  return t;
}
const ResourceType& NetworkPolicies() {
  static const ResourceType t{"networking.k8s.io", "v1", "networkpolicies", true};
  return t;
}
const ResourceType& Leases() {
  static const ResourceType t{"coordination.k8s.io", "v1", "leases", true};
  return t;
}
const ResourceType& Pods() {
  static const ResourceType t{"", "v1", "pods", true};
  return t;
}
const ResourceType& StorageClasses() {
  static const ResourceType t{"storage.k8s.io", "v1", "storageclasses", false};
  return t;
}
const ResourceType& RedisPersistences() {
  static const ResourceType t{"tidemark.dev", "v1alpha1", "redispersistences", true};
  return t;
}
}  // namespace resources

bool IsDns1123Label(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) return false;
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDns1123Subdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !IsLowerAlnum(part.front()) || !IsLowerAlnum(part.back())) return false;
    for (char c : part) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

KubeResult<std::string> CollectionPath(const ResourceType& type, std::string_view ns) {
  if (type.resource.empty() || !IsDns1123Subdomain(type.resource) ||
      !IsDns1123Subdomain(type.version) ||
      (!type.group.empty() && !IsDns1123Subdomain(type.group))) {
    return MakeKubeError(Reason::kInvalidName, "not a resource type", type.Qualified());
  }
  if (!type.namespaced) {
    if (!ns.empty()) {
      return MakeKubeError(Reason::kInvalidName, "cluster-scoped resource given a namespace",
                           type.Qualified());
    }
    return Prefix(type) + "/" + type.resource;
  }
  if (ns.empty()) return Prefix(type) + "/" + type.resource;  // all namespaces
  if (!IsDns1123Label(ns)) {
    return MakeKubeError(Reason::kInvalidName,
                         "namespace \"" + std::string(ns) + "\" is not a DNS-1123 label",
                         type.Qualified());
  }
  return Prefix(type) + "/namespaces/" + std::string(ns) + "/" + type.resource;
}

KubeResult<std::string> ObjectPath(const ResourceType& type, std::string_view ns,
                                   std::string_view name, std::string_view subresource) {
  std::string where =
      type.Qualified() + " " + (ns.empty() ? "" : std::string(ns) + "/") + std::string(name);
  if (type.namespaced && ns.empty()) {
    return MakeKubeError(Reason::kInvalidName, "namespaced resource needs a namespace", where);
  }
  auto collection = CollectionPath(type, ns);
  if (!collection) return std::unexpected(collection.error());
  if (!IsDns1123Subdomain(name)) {
    return MakeKubeError(Reason::kInvalidName,
                         "name \"" + std::string(name) + "\" is not a DNS-1123 subdomain", where);
  }
  if (!subresource.empty() && subresource != "status") {
    return MakeKubeError(Reason::kInvalidName,
                         "unsupported subresource \"" + std::string(subresource) + "\"", where);
  }
  std::string path = *collection + "/" + std::string(name);
  if (!subresource.empty()) path += "/" + std::string(subresource);
  return path;
}

KubeResult<std::string> PodProxyPath(std::string_view ns, std::string_view pod,
                                     std::string_view port, std::string_view path) {
  auto object = ObjectPath(resources::Pods(), ns, pod);
  if (!object) return std::unexpected(object.error());
  const std::string where = "pods/proxy " + std::string(ns) + "/" + std::string(pod);
  const bool numeric = !port.empty() && port.size() <= 5 &&
                       port.find_first_not_of("0123456789") == std::string_view::npos;
  if (!numeric || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
    return MakeKubeError(Reason::kInvalidName,
                         "port \"" + std::string(port) + "\" is not a number from 1 to 65535",
                         where);
  }
  bool safe = !path.empty() && path.front() == '/' && path.find("..") == std::string_view::npos;
  for (char c : path) {
    safe = safe && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == '/');
  }
  if (!safe) {
    return MakeKubeError(Reason::kInvalidName, "proxy path \"" + std::string(path) +
                                                    "\" is not a plain absolute path", where);
  }
  return *object + ":" + std::string(port) + "/proxy" + std::string(path);
}

std::string QueryEscape(std::string_view value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tidemark::kube
