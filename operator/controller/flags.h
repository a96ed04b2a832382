// The operator's command line (fixed by helm/tidemark/templates/deployment.yaml):
//
//   tidemark-operator --metrics-bind-address=:8080 --health-probe-bind-address=:8081
//       --log-level=info [--leader-elect --leader-election-namespace=NS] [--watch-namespace=NS]
//       --sidecar-image=IMAGE [--kubeconfig FILE [--context NAME]] [--sidecar-port=9121]
//       [--sidecar-timeout=SECONDS] [--resync-period=SECONDS]
//       [--network-policy=true|false]
//   tidemark-operator --print-rbac
//
// Both "--flag=value" and "--flag value" are accepted. An address ":8080" means every
// interface; "0" as the port (":0", "127.0.0.1:0") lets the kernel choose (tests), and the
// chosen address is logged. Pure; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark::controller {

struct Flags {
  std::string metrics_address = ":8080";
  std::string health_address = ":8081";
  std::string log_level = "info";
  bool leader_elect = false;
  std::string leader_election_namespace;  // "" : POD_NAMESPACE, else the config's namespace
  std::string leader_election_id = "tidemark-operator-leader";  // the Lease's name
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  std::string watch_namespace;  // "" : all namespaces
  std::string sidecar_image;
  std::string kubeconfig;  // "" : $KUBECONFIG when set, else in-cluster
  std::string context;
  int sidecar_port = 9121;                     // every pod's sidecar, at the pod IP
  std::chrono::milliseconds sidecar_timeout{2000};  // each request to a sidecar
  std::chrono::milliseconds resync_period{30000};   // each resource again, to read its sidecars
  // Render each set's NetworkPolicy (operator/reconcile/peer_objects.h); off where the
  // cluster's own policies deny by default.
  bool network_policy = true;
  int workers = 1;
  bool help = false;
  bool print_rbac = false;  // print the RBAC table (operator/kube/rbac_table.h) and exit
};

// kInvalidArgument naming the flag on an unknown flag, a missing or bad value.
Result<Flags> ParseFlags(const std::vector<std::string>& args);

// "[host]:port" -> "host:port" for a listener; an empty host is "0.0.0.0".
std::string ListenAddress(const std::string& bind_address);

extern const char kUsage[];

}  // namespace tidemark::controller
