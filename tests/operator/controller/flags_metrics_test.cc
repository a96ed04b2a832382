// The operator's command line (as the Helm chart writes it) and its /metrics, /healthz, /readyz
// answers, without sockets.
#include <gtest/gtest.h>

#include <sstream>

#include "operator/controller/flags.h"
#include "operator/controller/log.h"
#include "operator/controller/metrics.h"
#include "operator/controller/utc_now.h"

namespace tidemark::controller {
namespace {

TEST(OperatorFlags, TheHelmChartsCommandLineParses) {
  auto f = ParseFlags({"--metrics-bind-address=:8080", "--health-probe-bind-address=:8081",
                       "--log-level=info", "--leader-elect", "--leader-election-namespace=ops",
                       "--watch-namespace=shop", "--sidecar-image=ghcr.io/t/sidecar:1",
                       "--network-policy=false"});
  ASSERT_TRUE(f) << f.error().ToString();
  EXPECT_FALSE(f->network_policy);
  EXPECT_EQ(f->metrics_address, ":8080");
  EXPECT_EQ(f->health_address, ":8081");
  EXPECT_TRUE(f->leader_elect);
  EXPECT_EQ(f->leader_election_namespace, "ops");
  EXPECT_EQ(f->watch_namespace, "shop");
  EXPECT_EQ(f->sidecar_image, "ghcr.io/t/sidecar:1");
  EXPECT_EQ(ListenAddress(":8080"), "0.0.0.0:8080");
  EXPECT_EQ(ListenAddress("127.0.0.1:9"), "127.0.0.1:9");
}

TEST(OperatorFlags, KubeconfigAndContextTakeTheNextArgument) {
  auto f = ParseFlags({"--sidecar-image", "img", "--kubeconfig", "/k", "--context", "dev"});
  ASSERT_TRUE(f) << f.error().ToString();
  EXPECT_EQ(f->kubeconfig, "/k");
  EXPECT_EQ(f->context, "dev");
  EXPECT_FALSE(f->leader_elect);
  EXPECT_TRUE(f->network_policy);
}

TEST(OperatorFlags, MistakesAreNamed) {
  EXPECT_EQ(ParseFlags({"--sidecar-image=i", "--bogus=1"}).error().where, "--bogus");
  EXPECT_EQ(ParseFlags({"--metrics-bind-address=:1"}).error().where, "--sidecar-image");
  EXPECT_EQ(ParseFlags({"--sidecar-image=i", "--log-level=loud"}).error().where, "--log-level");
  EXPECT_EQ(ParseFlags({"--sidecar-image=i", "--kubeconfig"}).error().where, "--kubeconfig");
  EXPECT_EQ(ParseFlags({"--sidecar-image=i", "--network-policy=no"}).error().where,
            "--network-policy");
  EXPECT_FALSE(ParseFlags({"--sidecar-image=i", "--leader-election-lease-duration=1",
                           "--leader-election-renew-deadline=2"}));
}

TEST(OperatorMetrics, EndpointsAnswerInPrometheusText) {
  Metrics metrics;
  metrics.reconciles_success = 3;
  metrics.reconciles_error = 1;
  metrics.queue_depth = [] { return int64_t{7}; };
  bool ready = false;
  MetricsHandler handler(metrics, [&] { return ready; });
  EXPECT_EQ(handler.Handle("GET", "/healthz").status, 200);
  EXPECT_EQ(handler.Handle("GET", "/readyz").status, 503);
  ready = true;
  EXPECT_EQ(handler.Handle("GET", "/readyz").status, 200);
  EXPECT_EQ(handler.Handle("GET", "/nope").status, 404);
  auto m = handler.Handle("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("tidemark_operator_reconciles_total{result=\"success\"} 3\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("tidemark_operator_reconciles_total{result=\"error\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("tidemark_operator_queue_depth 7\n"), std::string::npos);
  EXPECT_NE(m.body.find("# TYPE tidemark_operator_watch_restarts_total counter\n"),
            std::string::npos);
}

TEST(OperatorLog, OneJsonObjectPerLineWithTheResource) {
  std::ostringstream out;
  Logger log(out, LogLevel::kInfo);
  log.Debug("hidden");
  log.Error("apply \"failed\"\n", "shop/catalog", {{"kind", "StatefulSet"}});
  std::string line = out.str();
  EXPECT_EQ(line.find("hidden"), std::string::npos);
  EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
  EXPECT_NE(
      line.find(
          R"("level":"error","msg":"apply \"failed\"\n","resource":"shop/catalog","kind":"StatefulSet"})"),
      std::string::npos)
      << line;
  EXPECT_EQ(line.back(), '\n');
}

// Logs carry milliseconds, Leases and Events metav1.MicroTime: the same instant, two widths.
TEST(OperatorTime, UtcNowHasTheRequestedFractionDigits) {
  auto shape = [](const std::string& t, size_t digits) {
    if (t.size() != 20 + digits + 1) return false;
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      bool ok = i == 4 || i == 7 ? c == '-'
                : i == 10        ? c == 'T'
                : i == 13 || i == 16 ? c == ':'
                : i == 19        ? c == '.'
                : i == t.size() - 1 ? c == 'Z'
                                    : c >= '0' && c <= '9';
      if (!ok) return false;
    }
    return true;
  };
  EXPECT_TRUE(shape(UtcNow(3), 3)) << UtcNow(3);
  EXPECT_TRUE(shape(MicroTimeNow(), 6)) << MicroTimeNow();
  // Seconds and milliseconds of the two agree (taken moments apart, so compare the date only).
  EXPECT_EQ(UtcNow(3).substr(0, 10), MicroTimeNow().substr(0, 10));
}

}  // namespace
}  // namespace tidemark::controller
