// A tiny stand-in for the API server and the cluster, for plan tests: it applies a plan's
// actions the way the real server would answer them (server-side defaults added, quantities
// canonical, claims created per pod, status subresource), and can mark the StatefulSet's pods
// ready with healthy sidecars. Not a fake API server: just enough state to run passes.
#pragma once

#include <string>

#include "operator/reconcile/plan.h"

namespace tidemark::reconcile::testing {

// The object as a 1.26 API server returns it after an apply: metadata it sets, and the defaults
// recorded in /work/shared/testdata/kube-apiserver-1.26/11-statefulset-pvc.json.
Json AsServerReturns(const Json& object);

class World {
 public:
  // The peer token Secret is absent at first: the controller would have drawn these bytes.
  explicit World(ResourceMeta meta) : meta_(std::move(meta)) {
    observed.new_peer_secret_hex = std::string(64, 'a');
  }
  // Performs the actions (each like the API server would).
  void Perform(const ReconcilePlan& plan);
  // The StatefulSet controller and kubelet caught up: every pod ready on the current revision,
  // one bound claim per template and pod, each sidecar healthy.
  void SettlePods();
  // A healthy sidecar /v1/status body.
  static std::string HealthySidecar(const std::string& pod);

  Observed observed;

 private:
  ResourceMeta meta_;
};

}  // namespace tidemark::reconcile::testing
