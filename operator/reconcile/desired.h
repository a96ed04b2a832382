// The objects the operator wants for one valid RedisPersistence (names in names.h):
//   ConfigMap    the redis.conf persistence fragment and the sidecar policy
//   Services     headless (stable pod DNS, not-ready pods published) and the client Service
//                (pod 0, the primary)
//   StatefulSet  restore init container, Redis, sidecar; claim templates per the storage
//                layout; hardened security contexts; the config-hash pod-template annotation
//   NetworkPolicy  the sidecar port for the set's pods and the operator (peer_objects.h)
// (The peer token Secret is created once, not applied: peer_objects.h, plan.h.)
// Each carries the app.kubernetes.io labels, a controller owner reference to the resource
// (controller and blockOwnerDeletion true) and the desired-hash annotation (StampDesiredHash).
// Deterministic: the same inputs give the same JSON. Pure, thread-safe.
#pragma once

#include <string>
#include <optional>
#include <string_view>

#include "core/policy/model.h"
#include "operator/reconcile/json.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

struct DesiredObjects {
  Json config_map;
  Json headless_service;
  Json client_service;
  Json stateful_set;
  std::optional<Json> network_policy;  // none with RenderOptions::network_policy off
};

// Precondition: `resource` is valid and defaulted (LoadRedisPersistence succeeded). Its name
// and namespace are taken from `meta`.
DesiredObjects RenderDesired(const ResourceMeta& meta, const policy::RedisPersistence& resource,
                             const RenderOptions& options);

// The claim template for `volume` ("data", "aof", "backup").
Json ClaimTemplate(std::string_view volume, const policy::Volume& spec, const ResourceMeta& meta);

// name, namespace, the labels and the controller owner reference to the resource.
Json OwnedMetadata(const ResourceMeta& meta, const std::string& name);

// Sets metadata.annotations[kDesiredHashAnnotation] to the hash of the object without it.
void StampDesiredHash(Json& object);

// All labels of the objects, and the subset the StatefulSet's selector uses.
Json Labels(const ResourceMeta& meta);
Json SelectorLabels(const ResourceMeta& meta);

}  // namespace tidemark::reconcile
