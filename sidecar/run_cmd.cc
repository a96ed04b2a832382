// `tidemark-sidecar run`: the long-running container (see agent.h).
#include <signal.h>

#include <atomic>
#include <charconv>
#include <iostream>

#include "sidecar/agent.h"
#include "sidecar/commands.h"
#include "sidecar/flags.h"
#include "sidecar/peer_client.h"
#include "sidecar/peer_server.h"
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
    "         [--replica-unless-pod-0 (the three above only when $POD_NAME does not end in -0)]\n"
    "         [--instance NAMESPACE/NAME [--instance-uid UID] (the lineage each backup records)]\n"
    "         [--peer-listen HOST:PORT (a port of its own for /v1/snapshot and /v1/replication)]\n"
    "         [--peer-tls-cert FILE --peer-tls-key FILE (TLS on the peer port; also presented\n"
    "          to an https --primary-peer)] [--peer-tls-ca FILE (verifies an https --primary-peer;\n"
    "          on the peer port, a client certificate it signed is accepted in place of the token)]\n";

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

// The peer port's requests go to the agent's peer routing.
class PeerPort final : public HttpHandler {
 public:
  explicit PeerPort(Agent& agent) : agent_(agent) {}
  HttpResponse Handle(const std::string& method, const std::string& path) override {
    HttpRequest r;
    r.method = method;
    r.path = path;
    return agent_.HandlePeer(r);
  }
  HttpResponse Handle(const HttpRequest& request) override { return agent_.HandlePeer(request); }

 private:
  Agent& agent_;
};

// --peer-tls-*: nullopt when none is given; kInvalidArgument for a combination that cannot work.
Result<std::optional<PeerTlsFiles>> ParsePeerTlsFlags(const Flags& flags, bool peer_port,
                                                      bool https_primary) {
  PeerTlsFiles f{flags.Get("--peer-tls-cert").value_or(""), flags.Get("--peer-tls-key").value_or(""),
                 flags.Get("--peer-tls-ca").value_or("")};
  auto bad = [](const std::string& why) { return MakeError(ErrorCode::kInvalidArgument, why); };
  if (f.cert.empty() != f.key.empty()) return bad("--peer-tls-cert and --peer-tls-key go together");
  if (https_primary && f.ca.empty())
    return bad("an https --primary-peer needs --peer-tls-ca to verify it");
  if (f.cert.empty() && f.ca.empty()) return std::optional<PeerTlsFiles>();
  if (!peer_port && !https_primary)
    return bad("--peer-tls-* need --peer-listen (TLS on the peer port) or an https --primary-peer");
  if (peer_port && f.cert.empty())
    return bad("--peer-tls-ca on the peer port checks client certificates, which needs TLS: "
               "--peer-tls-cert and --peer-tls-key");
  if (!f.cert.empty())
    if (auto s = CheckPeerTlsFiles(f, true); !s) return std::unexpected(s.error());
  if (!f.ca.empty())
    if (auto s = CheckPeerTlsFiles(f, false); !s) return std::unexpected(s.error());
  return std::optional<PeerTlsFiles>(f);
}

}  // namespace

int RunRunCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--redis", "--password-file", "--store", "--policy", "--redis-conf",
                             "--data-dir", "--listen", "--policy-generation", "--redis-server",
                             "--work-dir", "--peer-token-file", "--primary-peer", "--primary-redis",
                             "--holdback-placeholder", "--instance", "--instance-uid",
                             "--peer-listen", "--peer-tls-cert", "--peer-tls-key", "--peer-tls-ca"},
                            {"--replica-unless-pod-0"});
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
    // One container spec for every ordinal: pod 0 has no primary to be held back from.
    if (!flags->Has("--replica-unless-pod-0") || ReplicaByPodName()) o.replica_guard = *guard;
  }
  const auto peer_listen = flags->Get("--peer-listen");
  auto peer_tls = ParsePeerTlsFlags(*flags, peer_listen.has_value(),
                                    o.replica_guard && o.replica_guard->primary_peer.tls);
  if (!peer_tls) {
    std::cerr << "tidemark-sidecar run: " << peer_tls.error().ToString() << "\n" << kUsage;
    return kExitUsage;
  }
  if (o.replica_guard) o.replica_guard->tls = *peer_tls;
  o.peer_port = peer_listen.has_value();
  o.peer_client_ca = o.peer_port && *peer_tls && !(*peer_tls)->ca.empty();

  Clock& clock = RealClock();
  JsonLog log(std::cout, clock, o.pod);
  if (flags->Has("--primary-peer") && !o.replica_guard)
    log.Info("pod 0: no hold-back (--replica-unless-pod-0), the --primary-* flags are ignored");
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
  PeerPort peer_handler(agent);
  std::unique_ptr<PeerServer> peer_server;
  if (peer_listen) {
    // TLS on the peer port with a certificate; without one the port is plain (the token guards it).
    std::optional<PeerTlsFiles> server_tls;
    if (*peer_tls && !(*peer_tls)->cert.empty()) server_tls = *peer_tls;
    auto started = PeerServer::Start({*peer_listen, server_tls}, peer_handler, log);
    if (!started) {
      log.Error("cannot start the peer port", {LogField::Str("error", started.error().ToString())});
      return kExitFailed;
    }
    peer_server = std::move(*started);
    log.Info("peer port listening", {LogField::Str("listen", *peer_listen),
                                     LogField::Bool("tls", server_tls.has_value()),
                                     LogField::Bool("client_certificates", o.peer_client_ca)});
  }
  agent.Run(g_stop);
  peer_server.reset();
  server->reset();  // stop answering before the agent goes away
  return kExitOk;
}

}  // namespace tidemark::sidecar
