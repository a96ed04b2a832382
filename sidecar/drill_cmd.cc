// `tidemark-sidecar drill`: one restore drill now (see drill.h), from the command line.
#include <cstdlib>
#include <iostream>

#include "core/policy/quantity.h"
#include "sidecar/commands.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/drill.h"
#include "sidecar/flags.h"
#include "sidecar/redis_persistence.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kUsage =
    "usage: tidemark-sidecar drill --store DIR [--backup NAME] [--redis-server PATH]\n"
    "         [--work-dir DIR] [--memory-budget QUANTITY] [--redis unix:PATH|tcp://HOST:PORT\n"
    "         [--password-file FILE]]\n"
    "  Loads a backup (default: the newest) into a scratch redis-server and compares it with its\n"
    "  metadata. --redis names the pod's Redis, whose version is logged beside the scratch\n"
    "  server's. Exit 0 passed, 1 failed, 3 skipped (over the memory budget), 2 usage.\n";

int Usage(const std::string& why) {
  std::cerr << "tidemark-sidecar drill: " << why << "\n" << kUsage;
  return kExitUsage;
}

// INFO server's redis_version of the pod's Redis; nullopt (and a log line) when unreachable.
std::optional<std::string> LiveVersion(const RedisEndpoint& endpoint,
                                       const std::optional<std::string>& password_file, JsonLog& log) {
  std::optional<std::string> password;
  if (password_file) {
    auto pw = ReadPasswordFile(*password_file);
    if (!pw) {
      log.Warn("cannot read the password file; the live Redis version stays unknown",
               {LogField::Str("error", pw.error().ToString())});
      return std::nullopt;
    }
    password = *pw;
  }
  auto client = RedisClient::Connect(endpoint, password, 5000);
  auto info = client ? Info(*client, "server") : Result<InfoFields>(std::unexpected(client.error()));
  if (!info || !info->count("redis_version")) {
    log.Warn("cannot read the live Redis version",
             {LogField::Str("error", info ? "no redis_version in INFO server" : info.error().ToString())});
    return std::nullopt;
  }
  return info->at("redis_version");
}

}  // namespace

std::string DefaultWorkDir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

int RunDrillCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--store", "--backup", "--redis-server", "--work-dir",
                             "--memory-budget", "--redis", "--password-file"},
                            {});
  if (!flags) return Usage(flags.error().message);
  if (!flags->Has("--store")) return Usage("--store is required");
  DrillOptions o;
  o.redis_server = flags->Get("--redis-server").value_or("redis-server");
  o.work_dir = flags->Get("--work-dir").value_or(DefaultWorkDir());
  if (auto q = flags->Get("--memory-budget")) {
    auto bytes = policy::ParseByteQuantity(*q);
    if (!bytes) return Usage("--memory-budget " + bytes.error().message);
    o.memory_budget_bytes = static_cast<uint64_t>(*bytes);
  }
  std::optional<RedisEndpoint> endpoint;
  if (auto e = flags->Get("--redis")) {
    auto parsed = ParseRedisEndpoint(*e);
    if (!parsed) return Usage(parsed.error().message);
    endpoint = *parsed;
  }

  Clock& clock = RealClock();
  JsonLog log(std::cout, clock, PodName());
  auto store = DirBackupStore::Open(*flags->Get("--store"));
  if (!store) {
    log.Error("cannot open the backup store", {LogField::Str("error", store.error().ToString())});
    return kExitFailed;
  }
  auto listing = store->List();
  if (!listing) {
    log.Error("cannot list the backup store", {LogField::Str("error", listing.error().ToString())});
    return kExitFailed;
  }
  std::optional<backup::BackupMetadata> chosen;
  if (auto name = flags->Get("--backup")) {
    for (const auto& m : listing->backups)
      if (m.name == *name) chosen = m;
    if (!chosen) {
      log.Error("no such backup in the store (or its metadata does not parse)",
                {LogField::Str("backup", *name), LogField::Str("store", store->dir())});
      return kExitFailed;
    }
  } else if (!listing->backups.empty()) {
    chosen = listing->backups.front();
  } else {
    log.Warn("drill skipped: the store holds no backup", {LogField::Str("store", store->dir())});
    return kExitSkipped;
  }
  if (endpoint) o.live_redis_version = LiveVersion(*endpoint, flags->Get("--password-file"), log);
  DrillReport report = RunDrill(*store, *chosen, o, log, clock);
  if (report.result == "success") return kExitOk;
  return report.result == "skipped" ? kExitSkipped : kExitFailed;
}

}  // namespace tidemark::sidecar
