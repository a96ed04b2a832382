#include "operator/controller/metrics.h"

namespace tidemark::controller {

namespace {

void Metric(std::string& out, const std::string& name, const std::string& type,
            const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string RenderMetrics(const Metrics& m) {
  std::string out;
  Metric(out, "tidemark_operator_reconciles_total", "counter",
         "Reconcile passes of RedisPersistence resources by result.");
  out += "tidemark_operator_reconciles_total{result=\"success\"} " +
         std::to_string(m.reconciles_success.load()) + "\n";
  out += "tidemark_operator_reconciles_total{result=\"error\"} " +
         std::to_string(m.reconciles_error.load()) + "\n";
  out += "tidemark_operator_reconciles_total{result=\"requeue\"} " +
         std::to_string(m.reconciles_requeue.load()) + "\n";
  Metric(out, "tidemark_operator_errors_total", "counter",
         "Failed API requests during reconciles.");
  out += "tidemark_operator_errors_total " + std::to_string(m.errors.load()) + "\n";
  Metric(out, "tidemark_operator_queue_depth", "gauge", "Keys waiting in the work queue.");
  out +=
      "tidemark_operator_queue_depth " + std::to_string(m.queue_depth ? m.queue_depth() : 0) + "\n";
  Metric(out, "tidemark_operator_watch_restarts_total", "counter",
         "Watch streams resumed or restarted by the informers.");
  out += "tidemark_operator_watch_restarts_total " +
         std::to_string(m.watch_restarts ? m.watch_restarts() : 0) + "\n";
  Metric(out, "tidemark_operator_leader", "gauge", "1 while this process runs the workers.");
  out += "tidemark_operator_leader " + std::to_string(m.leader.load()) + "\n";
  return out;
}

sidecar::HttpResponse MetricsHandler::Handle(const std::string& method, const std::string& path) {
  if (method != "GET" && method != "HEAD") return {405, "text/plain; charset=utf-8", "GET only\n"};
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (path == "/readyz") {
    if (ready_ && ready_()) return {200, "text/plain; charset=utf-8", "ok\n"};
    return {503, "text/plain; charset=utf-8", "caches not synced\n"};
  }
  if (path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", RenderMetrics(metrics_)};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace tidemark::controller
