// What the operator counts, and the HTTP handler that serves /metrics (Prometheus text format
// 0.0.4), /healthz and /readyz. Counters are atomics: any thread may bump them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "sidecar/http_server.h"

namespace tidemark::controller {

struct Metrics {
  std::atomic<int64_t> reconciles_success{0};
  std::atomic<int64_t> reconciles_error{0};
  std::atomic<int64_t> reconciles_requeue{0};  // 409 Conflict: re-read and retried
  std::atomic<int64_t> errors{0};              // every failed API call of a reconcile
  std::atomic<int64_t> leader{0};              // 1 while this process leads (or needs no lease)
  std::function<int64_t()> queue_depth;        // keys ready plus delayed
  std::function<int64_t()> watch_restarts;     // sum over the informers
};

std::string RenderMetrics(const Metrics& metrics);

// /healthz: 200 while the process runs. /readyz: 200 once `ready()` says so (the caches have
// synced), else 503. /metrics: RenderMetrics. Anything else: 404.
class MetricsHandler final : public sidecar::HttpHandler {
 public:
  MetricsHandler(const Metrics& metrics, std::function<bool()> ready)
      : metrics_(metrics), ready_(std::move(ready)) {}
  sidecar::HttpResponse Handle(const std::string& method, const std::string& path) override;

 private:
  const Metrics& metrics_;
  std::function<bool()> ready_;
};

}  // namespace tidemark::controller
