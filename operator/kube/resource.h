// Where a Kubernetes object lives on the API server: the REST path built from (group, version,
// resource, namespace, name, subresource). Every name and namespace is checked before it becomes a
// path segment (DNS-1123), so no caller-supplied string can walk the URL ("..", "/", "?", "%").
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "operator/kube/api_error.h"

namespace tidemark::kube {

// One served resource: {"apps", "v1", "statefulsets", true}. group is "" for the core API.
struct ResourceType {
  std::string group;
  std::string version;
  std::string resource;  // plural, lower case
  bool namespaced = true;

  // "statefulsets.apps" or "configmaps": how the API server names it in messages.
  std::string Qualified() const;
  // "apps/v1" or "v1".
  std::string ApiVersion() const;
};

// The resources the operator talks to (GA APIs only, plus its own CRD).
namespace resources {
const ResourceType& ConfigMaps();
const ResourceType& Secrets();
const ResourceType& Services();
const ResourceType& Events();  // events.k8s.io/v1
const ResourceType& PersistentVolumeClaims();
const ResourceType& StatefulSets();
const ResourceType& NetworkPolicies();  // networking.k8s.io/v1
const ResourceType& Leases();
const ResourceType& Pods();
const ResourceType& StorageClasses();  // storage.k8s.io/v1, cluster-scoped
const ResourceType& RedisPersistences();  // tidemark.dev/v1alpha1
}  // namespace resources

// RFC 1123 subdomain (max 253): lower-case alphanumerics, '-' and '.', alphanumeric at both ends
// of every dot-separated part. Object names of most kinds.
bool IsDns1123Subdomain(std::string_view name);
// RFC 1123 label (max 63): lower-case alphanumerics and '-', alphanumeric at both ends.
// Namespaces.
bool IsDns1123Label(std::string_view name);

// "/apis/apps/v1/namespaces/ns/statefulsets" (namespace "" on a namespaced type: all namespaces).
KubeResult<std::string> CollectionPath(const ResourceType& type, std::string_view ns);
// ".../statefulsets/name" or ".../statefulsets/name/status". subresource is "" or "status".
KubeResult<std::string> ObjectPath(const ResourceType& type, std::string_view ns,
                                   std::string_view name, std::string_view subresource = {});

// "/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH": the API server's proxy to a port of a pod
// (the real server's form is pods/{name}[:{port}]/proxy/{path}; it does not resolve port
// names, so `port` must be a number). `path` starts with '/' and holds only unreserved
// characters and '/', with no ".." segment: nothing a caller passes can leave the pod's
// proxy. kInvalidName otherwise.
KubeResult<std::string> PodProxyPath(std::string_view ns, std::string_view pod,
                                     std::string_view port, std::string_view path);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters pass through).
std::string QueryEscape(std::string_view value);

}  // namespace tidemark::kube
