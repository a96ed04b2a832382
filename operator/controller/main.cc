// tidemark-operator: flags (flags.h), configuration (kubeconfig or in-cluster), the control loop
// (controller.h), leader election (leader.h), /healthz /readyz /metrics (metrics.h).
//
// Threads: main waits for SIGTERM/SIGINT (blocked everywhere, taken with sigtimedwait); one
// thread per informer; one worker (started when this process leads); one elector.
// Shutdown: stop flag, cut the watches, shut the queue (the reconcile in progress finishes),
// release the Lease, exit 0. A lost Lease exits 1 at once (another process may already lead).
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include "operator/controller/controller.h"
#include "operator/controller/flags.h"
#include "operator/controller/leader.h"
#include "operator/controller/log.h"
#include "operator/controller/metrics.h"
#include "operator/kube/config.h"
#include "operator/kube/http_client.h"
#include "operator/kube/rbac_table.h"
#include "sidecar/http_server.h"

// LeakSanitizer (make test-asan): cpprestsdk keeps a cancelled request's task and its stored
// exception in a reference cycle when a watch is cut short at shutdown (inside libcpprest and
// pplx, not in Tidemark's code). Suppressed for those frames only; unused without LSan.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcpprest\nleak:pplx::\nleak:__cxa_allocate_exception\nleak:libstdc++.so\n";
}

namespace tc = tidemark::controller;
namespace kube = tidemark::kube;

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string Identity() {
  std::string base = Env("POD_NAME");
  if (base.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    base = host;
  }
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_%08x", rd());
  return base + suffix;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena, up to 8 per core: with an informer
  // thread per kind, the worker and cpprestsdk's pool, the caches' objects end up spread over
  // many arenas, each holding its own free space (measured: 5 MB of the peak RSS at 1,000
  // resources, docs/benchmarks.md). The operator allocates little in parallel, so two arenas
  // cost no measurable time. Before any thread starts; MALLOC_ARENA_MAX still overrides it.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  auto flags = tc::ParseFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags) {
    std::cerr << "tidemark-operator: " << flags.error().ToString();
    return 2;
  }
  if (flags->help) {
    std::cout << tc::kUsage;
    return 0;
  }
  if (flags->print_rbac) {
    std::cout << kube::RbacRulesYaml();
    return 0;
  }
  tc::LogLevel level = tc::LogLevel::kInfo;
  tc::ParseLogLevel(flags->log_level, &level);
  tc::Logger log(std::cerr, level);

  // Block the stop signals in every thread; main takes them with sigtimedwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  kube::KubeResult<kube::Config> config = std::unexpected(kube::KubeError{});
  std::string kubeconfig = flags->kubeconfig.empty() ? Env("KUBECONFIG") : flags->kubeconfig;
  if (!kubeconfig.empty()) {
    config = kube::LoadKubeconfig(kubeconfig, {flags->context, false});
  } else {
    config = kube::LoadInClusterConfig([](const char* name) { return std::getenv(name); });
  }
  if (!config) {
    log.Error("no usable API server configuration", "", {{"error", config.error().ToString()}});
    return 1;
  }
  // Two clients: the informers' (stopped at shutdown to cut the watches) and the one for
  // reconciles and the Lease (still usable while the last reconcile and the release finish).
  auto client = kube::MakeHttpKubeClient(*config);
  auto watch_client = kube::MakeHttpKubeClient(*config);
  if (!watch_client) client = std::unexpected(watch_client.error());
  if (!client) {
    log.Error("cannot make the API client", "", {{"error", client.error().ToString()}});
    return 1;
  }
  log.Info("starting", "",
           {{"server", config->server},
            {"watchNamespace", flags->watch_namespace.empty() ? "(all)" : flags->watch_namespace},
            {"leaderElect", flags->leader_elect ? "true" : "false"}});

  tc::Metrics metrics;
  tc::ControllerOptions options;
  options.watch_namespace = flags->watch_namespace;
  options.render.sidecar_image = flags->sidecar_image;
  options.render.network_policy = flags->network_policy;
  options.sidecar_port = flags->sidecar_port;
  options.sidecar_timeout = flags->sidecar_timeout;
  options.resync_period = flags->resync_period;
  options.instance = Env("POD_NAME").empty() ? "tidemark-operator" : Env("POD_NAME");
  std::atomic<bool> stop{false};
  std::atomic<int> exit_code{0};
  // Every call goes through the RBAC table: one the chart does not grant is refused here, with a
  // message naming the table, instead of as a 403 from the cluster.
  kube::RbacCheckedClient checked_client(**client), checked_watch_client(**watch_client);
  std::unique_ptr<tc::LeaderElector> elector;
  if (flags->leader_elect) {
    tc::LeaseOptions lease;
    lease.namespace_ = !flags->leader_election_namespace.empty() ? flags->leader_election_namespace
                       : !Env("POD_NAMESPACE").empty()           ? Env("POD_NAMESPACE")
                       : !config->default_namespace.empty()      ? config->default_namespace
                                                                 : "default";
    lease.name = flags->leader_election_id;
    lease.identity = Identity();
    lease.lease_duration = flags->lease_duration;
    lease.renew_deadline = flags->renew_deadline;
    lease.retry_period = flags->retry_period;
    elector = std::make_unique<tc::LeaderElector>(checked_client, lease, log);
    options.may_act = [e = elector.get()] { return e->Leading(); };
  }
  auto controller =
      std::make_unique<tc::Controller>(checked_client, checked_watch_client, options, log, metrics);

  tc::MetricsHandler handler(metrics, [&] { return controller->Synced(); });
  std::vector<std::unique_ptr<tidemark::sidecar::HttpServer>> servers;
  for (const std::string* address : {&flags->metrics_address, &flags->health_address}) {
    if (*address == "0" ||
        (address == &flags->health_address && *address == flags->metrics_address)) {
      continue;
    }
    auto server = tidemark::sidecar::HttpServer::Start(tc::ListenAddress(*address), handler);
    if (!server) {
      log.Error("cannot listen", "", {{"address", *address}, {"error", server.error().ToString()}});
      return 1;
    }
    servers.push_back(std::move(*server));
    log.Info("serving", "", {{"address", *address}});
  }

  controller->StartInformers(stop);

  std::thread worker;
  std::thread elector_thread;
  if (elector) {
    elector_thread = std::thread([&] {
      if (!elector->Acquire(stop)) return;
      metrics.leader = 1;
      worker = std::thread([&] { controller->RunWorker(stop); });
      if (!elector->Renew(stop)) {
        metrics.leader = 0;
        exit_code = 1;
        stop = true;  // main sees it and shuts down
      }
    });
  } else {
    metrics.leader = 1;
    worker = std::thread([&] { controller->RunWorker(stop); });
  }

  const timespec tick{0, 100 * 1000 * 1000};
  while (!stop.load()) {
    int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      log.Info("stopping", "", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      break;
    }
  }
  stop = true;
  (*watch_client)->Stop();
  if (elector_thread.joinable()) elector_thread.join();  // before `worker` may be read
  controller->ShutDown();  // the reconcile in progress finishes; informers joined
  if (worker.joinable()) worker.join();
  if (elector && exit_code.load() == 0) elector->Release();
  servers.clear();
  controller.reset();
  log.Info("stopped", "", {{"exitCode", std::to_string(exit_code.load())}});
  return exit_code.load();
}
