// The StatefulSet's pod template: the restore init container, Redis and the sidecar, their
// volumes, probes and security contexts, and the config-hash annotation. With drills on
// (spec.backup.drill), a second init container in the Redis image copies its redis-server into
// an emptyDir for the sidecar's scratch servers, the drills get a scratch emptyDir, and the
// sidecar's memory limit grows by the drill's memory budget (the scratch server is its child).
//
// Security: the pod runs as the redis user (kRedisUid) with runAsNonRoot, fsGroup for the
// volumes and seccomp RuntimeDefault; every container has allowPrivilegeEscalation false,
// readOnlyRootFilesystem true (Redis writes only /data and its socket directory), all
// capabilities dropped and seccomp RuntimeDefault. No service account token is mounted: the pod
// never talks to the API server. The ConfigMap is mounted as a directory (never subPath), so
// kubelet refreshes it in place and the sidecar picks up live-applicable changes.
// Pure, thread-safe.
#pragma once

#include "core/policy/model.h"
#include "operator/reconcile/json.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile {

// Precondition: a valid, defaulted spec.
Json PodTemplate(const ResourceMeta& meta, const policy::RedisPersistence& resource,
                 const RenderOptions& options);

// The securityContext every container gets.
Json ContainerSecurityContext();

}  // namespace tidemark::reconcile
