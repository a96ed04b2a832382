// tidemark inspect --redis ADDRESS [--password-file FILE] [--policy RESOURCE.yaml] [--json]
// A live Redis's persistence, as the guide's verify and monitor scripts report it. The password
// comes from a file or the environment (TIDEMARK_REDIS_PASSWORD, REDISCLI_AUTH), never argv.
#include <cpprest/json.h>

#include <cstdio>
#include <cstdlib>
#include <set>

#include "cli/commands.h"
#include "core/inspect/persistence_view.h"
#include "core/policy/load.h"
#include "core/policy/render_redis_conf.h"
#include "io/file_source.h"
#include "sidecar/redis_client.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::cli {

namespace {

constexpr const char* kInspectUsage =
    "usage: tidemark inspect --redis ADDRESS [--password-file FILE] [--policy RESOURCE.yaml] [--json]\n"
    "  ADDRESS  unix:/path/redis.sock, tcp://host:port or redis://host:port\n"
    "  the password is read from --password-file or $TIDEMARK_REDIS_PASSWORD / $REDISCLI_AUTH\n"
    "  exit 0 healthy, 1 findings or differences from the policy, 2 usage or cannot connect\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "tidemark inspect: %s\n%s", why.c_str(), kInspectUsage);
  return kExitUsage;
}

int CannotConnect(const Error& e, bool json) {
  if (json) {
    auto j = web::json::value::object();
    j["connected"] = web::json::value::boolean(false);
    j["error"] = web::json::value::string(e.ToString());
    std::printf("%s\n", j.serialize().c_str());
  }
  std::fprintf(stderr, "tidemark inspect: %s\n", e.ToString().c_str());
  return kExitUsage;
}

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

web::json::value OptJson(const std::optional<int64_t>& v) {
  return v ? web::json::value::number(*v) : web::json::value::null();
}

web::json::value ViewJson(const inspect::PersistenceView& v) {
  auto j = web::json::value::object();
  j["connected"] = web::json::value::boolean(true);
  j["healthy"] = web::json::value::boolean(v.healthy());
  j["save"] = web::json::value::string(v.save);
  j["appendonly"] = web::json::value::boolean(v.aof);
  j["appendfsync"] = web::json::value::string(v.appendfsync);
  j["rdbPreamble"] = web::json::value::boolean(v.rdb_preamble);
  j["lastSaveUnix"] = OptJson(v.last_save_unix);
  j["lastBgsaveStatus"] = web::json::value::string(v.last_bgsave_status);
  j["changesSinceLastSave"] = OptJson(v.changes_since_save);
  j["bgsaveInProgress"] = web::json::value::boolean(v.bgsave_in_progress);
  j["rewriteInProgress"] = web::json::value::boolean(v.rewrite_in_progress);
  j["lastRewriteStatus"] = web::json::value::string(v.last_rewrite_status);
  j["aofSize"] = OptJson(v.aof_size);
  j["aofBaseSize"] = OptJson(v.aof_base_size);
  j["rewritePercentage"] = web::json::value::number(v.rewrite_percentage);
  j["rewriteMinSize"] = web::json::value::number(v.rewrite_min_size);
  auto findings = web::json::value::array();
  for (size_t i = 0; i < v.findings.size(); ++i) {
    auto f = web::json::value::object();
    f["code"] = web::json::value::string(v.findings[i].code);
    f["message"] = web::json::value::string(v.findings[i].message);
    findings[i] = f;
  }
  j["findings"] = findings;
  auto diffs = web::json::value::array();
  for (size_t i = 0; i < v.policy_differences.size(); ++i) diffs[i] = web::json::value::string(v.policy_differences[i]);
  j["policyDifferences"] = diffs;
  return j;
}

void PrintText(const inspect::PersistenceView& v, const std::string& address) {
  std::printf("%s: %s\n", address.c_str(), v.healthy() ? "healthy" : "FINDINGS");
  std::printf("  RDB        save \"%s\"; last save %s (status %s), %s changes since%s\n", v.save.c_str(),
              Opt(v.last_save_unix).c_str(), v.last_bgsave_status.c_str(), Opt(v.changes_since_save).c_str(),
              v.bgsave_in_progress ? "; BGSAVE in progress" : "");
  std::printf("  AOF        appendonly %s, appendfsync %s, RDB preamble %s\n", v.aof ? "yes" : "no",
              v.appendfsync.c_str(), v.rdb_preamble ? "yes" : "no");
  if (v.aof)
    std::printf("  AOF size   %s bytes over a base of %s; rewrite at +%lld%% (min %lld bytes); last rewrite %s%s\n",
                Opt(v.aof_size).c_str(), Opt(v.aof_base_size).c_str(), static_cast<long long>(v.rewrite_percentage),
                static_cast<long long>(v.rewrite_min_size), v.last_rewrite_status.c_str(),
                v.rewrite_in_progress ? "; rewrite in progress" : "");
  for (const auto& f : v.findings) std::printf("  warning    %s: %s\n", f.code.c_str(), f.message.c_str());
  for (const auto& d : v.policy_differences) std::printf("  differs    %s\n", d.c_str());
}

}  // namespace

int RunInspect(const Args& args) {
  std::string address, password_file, policy_file;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--redis" || a == "--password-file" || a == "--policy") {
      if (i + 1 == args.size()) return Usage(a + " needs a value");
      (a == "--redis" ? address : a == "--password-file" ? password_file : policy_file) = args[++i];
    } else if (a == "--password") {
      return Usage("a password on the command line is visible to every user (ps); use --password-file or "
                   "$TIDEMARK_REDIS_PASSWORD");
    } else {
      return Usage("unknown argument '" + a + "'");
    }
  }
  if (address.empty()) return Usage("--redis ADDRESS is required");
  if (address.starts_with("redis://")) address = "tcp://" + address.substr(8);

  std::optional<std::vector<std::pair<std::string, std::string>>> policy;
  if (!policy_file.empty()) {
    auto text = ReadSmallFile(policy_file);
    if (!text) return Usage(text.error().ToString());
    auto resource = policy::LoadRedisPersistence(*text);
    if (!resource) {
      std::fprintf(stderr, "tidemark inspect: %s: invalid RedisPersistence:\n", policy_file.c_str());
      for (const Error& e : resource.error()) std::fprintf(stderr, "  %s\n", e.ToString().c_str());
      return kExitUsage;
    }
    policy = policy::RedisConfDirectives(*resource);
  }

  auto endpoint = sidecar::ParseRedisEndpoint(address);
  if (!endpoint) return Usage(endpoint.error().message);
  std::optional<std::string> password;
  if (!password_file.empty()) {
    auto p = sidecar::ReadPasswordFile(password_file);
    if (!p) return CannotConnect(p.error(), json);
    password = *p;
  } else if (const char* env = std::getenv("TIDEMARK_REDIS_PASSWORD")) {
    password = env;
  } else if (const char* cli_env = std::getenv("REDISCLI_AUTH")) {
    password = cli_env;
  }
  auto redis = sidecar::RedisClient::Connect(*endpoint, password);
  if (!redis) return CannotConnect(redis.error(), json);

  inspect::Facts facts;
  auto info = sidecar::Info(*redis, "persistence");
  if (!info) return CannotConnect(info.error(), json);
  facts.info = std::move(*info);
  std::set<std::string> keys(std::begin(inspect::kConfigKeys), std::end(inspect::kConfigKeys));
  if (policy)
    for (const auto& [k, v] : *policy) keys.insert(k);
  for (const auto& key : keys) {
    auto got = redis->Command({"CONFIG", "GET", key});
    if (!got) return CannotConnect(got.error(), json);
    if (got->type == sidecar::RedisReply::Type::kArray && got->elements.size() == 2)
      facts.config[key] = got->elements[1].str;
  }
  inspect::PersistenceView view = inspect::Inspect(facts, policy ? &*policy : nullptr);
  if (json) std::printf("%s\n", ViewJson(view).serialize().c_str());
  else PrintText(view, endpoint->ToString());
  return view.healthy() ? kExitOk : kExitInvalid;
}

}  // namespace tidemark::cli
