// Reads /v1/status from several sidecars at once. A pass used to ask one pod after another, so
// each pod whose packets are dropped (a node gone, a network policy) added a whole deadline
// to the pass, and the passes of every other resource waited behind it. Now the pass costs at
// most one deadline per `max_parallel` silent pods. Bounded, so a resource with many
// replicas does not open a connection per pod at once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "operator/controller/sidecar_client.h"

namespace tidemark::controller {

// How many sidecars of one resource are asked at the same time.
inline constexpr size_t kSidecarPollParallel = 8;

// answers[i] is what the sidecar at ips[i] answered (SidecarClient::Status). Returns after every
// call did; `sidecars` must be thread-safe (it is, see sidecar_client.h).
std::vector<Result<std::string>> PollSidecarStatus(SidecarClient& sidecars,
                                                   const std::vector<std::string>& ips,
                                                   size_t max_parallel = kSidecarPollParallel);

}  // namespace tidemark::controller
