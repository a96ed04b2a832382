// The observe steps of a reconcile that reach beyond the informers' caches: each pod's sidecar
// (GET /v1/status at the pod IP), the StorageClasses of the claims (can they grow?), and the
// on-demand backup the annotation asks for (claimed in the status, then POSTed to pod 0's
// sidecar). Each fills reconcile::Observed for the pure Plan. Called on the worker thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "operator/controller/sidecar_client.h"
#include "operator/kube/client.h"
#include "operator/kube/informer.h"
#include "operator/reconcile/plan.h"

namespace tidemark::controller {

// Pod name -> IP, for the resource's pods that have one.
using PodIps = std::map<std::string, std::string>;

// Asks the sidecar of pods 0..replicas-1 (from the pods cache) for /v1/status, several at once
// (sidecar_poll.h). A pod with an IP whose sidecar answers goes into observed.sidecars; one that
// does not answer is there as nullopt, with the reason in observed.sidecar_errors; a pod without
// an IP (not scheduled yet, absent) is only in sidecar_errors. Returns the IPs it used.
PodIps ReadSidecars(const kube::Informer& pods, const reconcile::ResourceMeta& meta,
                    int64_t replicas, SidecarClient& sidecars, reconcile::Observed& observed);

// GETs the peer token Secret (reconcile/peer_objects.h) into observed.peer_token_secret; when it
// is absent (404), draws 32 random bytes (OpenSSL RAND_bytes) into observed.new_peer_secret_hex
// for the one the plan creates. Any other failure is returned (the pass is retried).
kube::KubeStatus ReadPeerTokenSecret(kube::KubeClient& client, const reconcile::ResourceMeta& meta,
                                     reconcile::Observed& observed);

// GETs each StorageClass the observed claims name (once each) into
// observed.storage_class_expandable. A class that does not exist, or may not be read (403), is
// not expandable; any other failure is returned (the pass is retried).
kube::KubeStatus ReadStorageClasses(kube::KubeClient& client, reconcile::Observed& observed);

// When the annotation tidemark.dev/backup-now holds a value not yet handled
// (reconcile/backup_request.h): claims it in the status with the resource's resourceVersion as
// precondition (kConflict: someone else wrote first; re-read and retry), then POSTs to pod 0's
// sidecar and leaves the outcome in observed.backup_request for the plan to record. Gives the
// resource as the claim's write answered it (nullopt when nothing was claimed).
kube::KubeResult<std::optional<kube::Object>> RequestBackupIfAsked(kube::KubeClient& client, SidecarClient& sidecars,
    const kube::Object& resource, const reconcile::Json& resource_json,
    const reconcile::ResourceMeta& meta, const PodIps& ips, int64_t now_unix,
    reconcile::Observed& observed);

}  // namespace tidemark::controller
