// `tidemark-sidecar run`: the long-running container (see agent.h).
#include <signal.h>

#include <atomic>
#include <charconv>
#include <iostream>

#include "sidecar/agent.h"
#include "sidecar/commands.h"
#include "sidecar/flags.h"
#include "sidecar/peer_client.h"
#include "sidecar/peer_token.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kUsage =
    "usage: tidemark-sidecar run --redis unix:/path/redis.sock|tcp://host:port --store DIR\n"
    "         [--password-file FILE] [--policy FILE] [--redis-conf FILE] [--data-dir DIR]\n"
    "         [--listen HOST:PORT (default 0.0.0.0:9121)] [--policy-generation N]\n"
    "         [--redis-server PATH (drills; default redis-server on PATH)] [--work-dir DIR]\n"
    "         [--peer-token-file FILE (the set's token: serves GET /v1/snapshot to peers)]\n"
    "         [--primary-peer http://HOST:PORT --primary-redis HOST:PORT (a replica: pod 0's\n"
    "          sidecar and Redis; holds Redis back while pod 0 is away)]\n"
    "         [--holdback-placeholder HOST:PORT (default 127.0.0.1:1)]\n"
    "         [--instance NAMESPACE/NAME [--instance-uid UID] (the lineage each backup records)]\n";

std::atomic<bool> g_stop{false};

extern "C" void OnSignal(int) { g_stop.store(true); }

// "HOST:PORT" through the endpoint parser's TCP form.
Result<RedisEndpoint> HostPort(const std::string& flag, const std::string& text) {
  auto e = ParseRedisEndpoint("tcp://" + text);
  if (!e) return MakeError(ErrorCode::kInvalidArgument, flag + " takes HOST:PORT, not '" + text + "'");
  return e;
}

Result<ReplicaGuardOptions> ParseGuardFlags(const Flags& flags) {
  if (!flags.Has("--primary-peer") || !flags.Has("--primary-redis"))
    return MakeError(ErrorCode::kInvalidArgument, "--primary-peer and --primary-redis go together");
  ReplicaGuardOptions g;
  auto peer = ParsePeerUrl(*flags.Get("--primary-peer"));
  if (!peer) return std::unexpected(peer.error());
  g.primary_peer = *peer;
  auto primary = HostPort("--primary-redis", *flags.Get("--primary-redis"));
  if (!primary) return std::unexpected(primary.error());
  g.primary_host = primary->host;
  g.primary_port = primary->port;
  if (auto p = flags.Get("--holdback-placeholder")) {
    auto placeholder = HostPort("--holdback-placeholder", *p);
    if (!placeholder) return std::unexpected(placeholder.error());
    g.placeholder_host = placeholder->host;
    g.placeholder_port = placeholder->port;
  }
  return g;
}

}  // namespace

int RunRunCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--redis", "--password-file", "--store", "--policy", "--redis-conf",
                             "--data-dir", "--listen", "--policy-generation", "--redis-server",
                             "--work-dir", "--peer-token-file", "--primary-peer", "--primary-redis",
                             "--holdback-placeholder", "--instance", "--instance-uid"},
                            {});
  if (!flags || !flags->Has("--redis") || !flags->Has("--store")) {
    std::cerr << "tidemark-sidecar run: "
              << (flags ? "--redis and --store are required" : flags.error().message) << "\n"
              << kUsage;
    return kExitUsage;
  }
  auto endpoint = ParseRedisEndpoint(*flags->Get("--redis"));
  if (!endpoint) {
    std::cerr << "tidemark-sidecar run: " << endpoint.error().message << "\n" << kUsage;
    return kExitUsage;
  }
  AgentOptions o;
  o.endpoint = *endpoint;
  o.password_file = flags->Get("--password-file");
  o.policy_path = flags->Get("--policy");
  o.conf_path = flags->Get("--redis-conf");
  o.data_dir = flags->Get("--data-dir");
  o.pod = PodName();
  o.redis_server = flags->Get("--redis-server").value_or("redis-server");
  o.work_dir = flags->Get("--work-dir").value_or(DefaultWorkDir());
  o.lineage.instance = flags->Get("--instance").value_or("");
  o.lineage.uid = flags->Get("--instance-uid").value_or("");
  if (auto g = flags->Get("--policy-generation")) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(g->data(), g->data() + g->size(), v);
    if (ec != std::errc() || end != g->data() + g->size()) {
      std::cerr << "tidemark-sidecar run: --policy-generation takes a number\n" << kUsage;
      return kExitUsage;
    }
    o.policy_generation = v;
  }

  if (flags->Has("--primary-peer") || flags->Has("--primary-redis")) {
    auto guard = ParseGuardFlags(*flags);
    if (!guard) {
      std::cerr << "tidemark-sidecar run: " << guard.error().message << "\n" << kUsage;
      return kExitUsage;
    }
    o.replica_guard = *guard;
  }

  Clock& clock = RealClock();
  JsonLog log(std::cout, clock, o.pod);
  if (auto path = flags->Get("--peer-token-file")) {
    auto token = LoadPeerToken(*path);
    if (!token) {
      log.Error("cannot read the peer token", {LogField::Str("error", token.error().ToString())});
      return kExitFailed;
    }
    o.peer_token = *token;
    if (o.replica_guard) o.replica_guard->token = *token;
  }
  auto store = DirBackupStore::Open(*flags->Get("--store"));
  if (!store) {
    log.Error("cannot open the backup store", {LogField::Str("error", store.error().ToString())});
    return kExitFailed;
  }
  Metrics metrics;
  DeclareSidecarMetrics(metrics);
  Agent agent(o, *store, log, clock, metrics);

  struct sigaction sa{};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  const std::string listen = flags->Get("--listen").value_or("0.0.0.0:9121");
  auto server = HttpServer::Start(listen, agent);
  if (!server) {
    log.Error("cannot start the HTTP endpoint", {LogField::Str("error", server.error().ToString())});
    return kExitFailed;
  }
  log.Info("HTTP endpoint listening", {LogField::Str("listen", listen)});
  agent.Run(g_stop);
  server->reset();  // stop answering before the agent goes away
  return kExitOk;
}

}  // namespace tidemark::sidecar
