// The control loop of RedisPersistence: informers feed a work queue, a worker reconciles one
// key at a time.
//
//   RedisPersistence informer ──────────────┐
//   ConfigMap / Service / StatefulSet /      ├─> WorkQueue("ns/name") ─> Reconcile(key)
//   NetworkPolicy informers (managed-by) ───┤        ^
//   Pod informer (managed-by) ─ instance ───┘        └─ again after resync_period
//
// Reconcile(key) = observe → plan → act:
//  - the resource from the cache (gone or being deleted: nothing to do; what it owned is
//    garbage-collected by Kubernetes through the ownerReferences);
//  - LoadRedisPersistence on the whole object (an invalid spec is a status, never a crash);
//  - the owned objects from the caches, the peer token Secret by a GET of its name (no
//    informer: that would read every Secret of the namespace), the claims by a LIST with the
//    selector labels, their
//    StorageClasses by GET, each pod's sidecar /v1/status at its pod IP (observe.h);
//  - the on-demand backup when the annotation tidemark.dev/backup-now asks for one;
//  - reconcile::Plan, then its actions in order (server-side apply with the field manager
//    "tidemark-operator", force; merge patch for claims; the status subresource by apply; the
//    StatefulSet deleted with propagationPolicy=Orphan when its claim templates must change),
//    stopping at the first failure; then the plan's events (events.k8s.io/v1, best effort).
// A 409 Conflict, or any failed request, puts the key back with the queue's per-key backoff;
// a pass that succeeds forgets the backoff.
//
// Threads: StartInformers() starts one thread per informer; RunWorker() is called by the thread
// that does the reconciles (only on the leader). The informers use their own client
// (`watch_client`), so that stopping it cuts the watches short while the reconcile in progress
// (on `client`) still completes. Stop order: set `stop`, watch_client.Stop(), ShutDown().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "operator/controller/log.h"
#include "operator/controller/metrics.h"
#include "operator/controller/own_writes.h"
#include "operator/controller/sidecar_client.h"
#include "operator/kube/client.h"
#include "operator/kube/informer.h"
#include "operator/kube/work_queue.h"
#include "operator/reconcile/plan.h"

namespace tidemark::controller {

struct ControllerOptions {
  std::string watch_namespace;  // "" : all namespaces
  reconcile::RenderOptions render;
  std::string instance;  // reportingInstance of the events (the pod's name)
  kube::WorkQueueOptions queue{std::chrono::milliseconds(200), std::chrono::milliseconds(60000)};
  // The sidecars: every pod's sidecar listens on this port of the pod IP (sidecar_client.h).
  int sidecar_port = 9121;
  std::chrono::milliseconds sidecar_timeout{2000};
  // Every resource is reconciled again this long after a pass, to read its sidecars (their
  // status changes without any API object changing).
  std::chrono::milliseconds resync_period{30000};
  // Asked before every write of a pass (and before an on-demand backup is requested): false
  // means this process no longer leads (LeaderElector::Leading), and the pass stops without
  // acting. Empty: always (no leader election).
  std::function<bool()> may_act;
};

enum class ReconcileResult { kDone, kConflict, kError };

class Controller {
 public:
  // Both clients must outlive the controller.
  Controller(kube::KubeClient& client, kube::KubeClient& watch_client, ControllerOptions options,
             Logger& log, Metrics& metrics);
  ~Controller();  // joins the informer threads (after Stop)

  // Starts the informers on their own threads; they run until `stop` is set.
  void StartInformers(const std::atomic<bool>& stop);
  bool Synced() const;
  // Reconciles keys until the queue is shut down. Waits for the caches to sync first.
  void RunWorker(const std::atomic<bool>& stop);
  // Wakes RunWorker; the reconcile in progress finishes. Then joins the informers.
  void ShutDown();

  // One pass for "namespace/name" (exposed for tests).
  ReconcileResult Reconcile(const std::string& key);

  kube::WorkQueue& queue() { return queue_; }

 private:
  void EnqueueOwner(const kube::Object& object);
  // The versions a pass read of what it may write, so that its writes are recorded against
  // them (own_writes.h): the resource's, and each owned object's by OwnedId.
  struct PassReads {
    std::string resource;
    std::map<std::string, std::string> owned;
  };
  // An owned object as the pass should see it (the cache, or the operator's own write the
  // cache has not delivered yet); its version goes into `reads`.
  std::optional<reconcile::Json> ReadOwned(const kube::Informer& informer, const std::string& kind,
                                           const std::string& key, PassReads& reads);
  kube::KubeStatus Execute(const std::string& key, const reconcile::Action& action,
                           const PassReads& reads);
  // False (logged) when options_.may_act says this process must not write any more.
  bool MayAct(const std::string& key);
  // Counts and logs a failed observe step; kConflict for a 409, else kError.
  ReconcileResult Failed(const std::string& key, const std::string& step,
                         const kube::KubeError& error);

  kube::KubeClient& client_;
  ControllerOptions options_;
  Logger& log_;
  Metrics& metrics_;
  kube::WorkQueue queue_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;  // [0] RedisPersistence
  kube::Informer* resources_ = nullptr;
  kube::Informer* config_maps_ = nullptr;
  kube::Informer* services_ = nullptr;
  kube::Informer* stateful_sets_ = nullptr;
  kube::Informer* network_policies_ = nullptr;
  kube::Informer* pods_ = nullptr;
  std::unique_ptr<SidecarClient> sidecars_;
  OwnWrites own_writes_;  // the resources' status writes the informer has not delivered yet
  std::vector<std::thread> threads_;
};

}  // namespace tidemark::controller
