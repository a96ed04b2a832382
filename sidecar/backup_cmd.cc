// `tidemark-sidecar backup`: one on-demand snapshot backup of the local Redis.
#include <charconv>
#include <cstdio>
#include <iostream>

#include "sidecar/backup_job.h"
#include "sidecar/backup_targets.h"
#include "sidecar/commands.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/flags.h"
#include "sidecar/json_log.h"
#include "sidecar/sidecar_policy.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kUsage =
    "usage: tidemark-sidecar backup --redis unix:/path/redis.sock|tcp://host:port\n"
    "         [--password-file FILE] [--store DIR] [--policy FILE] [--data-dir DIR]\n"
    "         [--policy-generation N] [--timeout SECONDS]\n"
    "         [--instance NAMESPACE/NAME [--instance-uid UID] (the lineage the backup records)]\n"
    "  The backup goes where the policy's backup.destinations says: the --store directory,\n"
    "  the policy's objectStore, or both (without a policy: --store).\n"
    "  Exit codes: 0 done, 1 failed, 2 usage, 4 partial (on some destinations, not all).\n";

std::optional<int64_t> ParseInt(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size() || v < 0) return std::nullopt;
  return v;
}

int Fail(JsonLog& log, const std::string& msg, const Error& e) {
  log.Error(msg, {LogField::Str("error", e.ToString())});
  return kExitFailed;
}

}  // namespace

int RunBackupCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--redis", "--password-file", "--store", "--policy", "--data-dir",
                             "--policy-generation", "--timeout", "--instance", "--instance-uid"},
                            {});
  if (!flags || !flags->Has("--redis") || (!flags->Has("--store") && !flags->Has("--policy"))) {
    std::cerr << "tidemark-sidecar backup: "
              << (flags ? "--redis and --store (or a --policy with an objectStore) are required"
                        : flags.error().message)
              << "\n"
              << kUsage;
    return kExitUsage;
  }
  auto generation = ParseInt(flags->Get("--policy-generation"));
  auto timeout = ParseInt(flags->Get("--timeout"));
  if ((flags->Has("--policy-generation") && !generation) || (flags->Has("--timeout") && !timeout)) {
    std::cerr << "tidemark-sidecar backup: --policy-generation and --timeout take a number\n"
              << kUsage;
    return kExitUsage;
  }
  auto endpoint = ParseRedisEndpoint(*flags->Get("--redis"));
  if (!endpoint) {
    std::cerr << "tidemark-sidecar backup: " << endpoint.error().message << "\n" << kUsage;
    return kExitUsage;
  }

  Clock& clock = RealClock();
  JsonLog log(std::cout, clock, PodName());
  std::optional<SidecarPolicy> policy;
  if (auto path = flags->Get("--policy")) {
    auto p = LoadSidecarPolicy(*path);
    if (!p) return Fail(log, "policy file refused", p.error());
    policy = *p;
  }
  std::optional<std::string> password;
  if (auto path = flags->Get("--password-file")) {
    auto pw = ReadPasswordFile(*path);
    if (!pw) return Fail(log, "cannot read the password file", pw.error());
    password = *pw;
  }
  std::optional<DirBackupStore> store;
  if (auto dir = flags->Get("--store")) {
    auto s = DirBackupStore::Open(*dir);
    if (!s) return Fail(log, "cannot open the backup store", s.error());
    store.emplace(std::move(*s));
  }
  BackupTargets opened = OpenBackupTargets(policy, store ? &*store : nullptr, clock);
  if (opened.targets.empty())
    return Fail(log, "no backup store",
                !opened.unopened.empty()
                    ? Error{ErrorCode::kIo, "", -1, opened.unopened.front().second}
                    : Error{ErrorCode::kInvalidArgument, "", -1,
                            "the policy's backup.destinations names no store this command was "
                            "given (--store for local)"});
  auto redis = RedisClient::Connect(*endpoint, password);
  if (!redis) return Fail(log, "cannot reach Redis", redis.error());
  log.Info("connected", {LogField::Str("redis", endpoint->ToString()),
                         LogField::Str("store", store ? store->dir() : ""),
                         LogField::Str("object_store", opened.object_store
                                                           ? opened.object_store->Location()
                                                           : "")});

  BackupJobOptions o;
  o.data_dir = flags->Get("--data-dir");
  if (timeout) o.bgsave_timeout_ms = *timeout * 1000;
  o.source_pod = PodName();
  o.policy_generation = generation;
  o.lineage = {flags->Get("--instance").value_or(""), flags->Get("--instance-uid").value_or("")};
  if (policy) o.verify_after_copy = policy->verify_after_copy;
  auto done = RunBackupJob(*redis, opened.targets, o, log, clock);
  const DestinationOutcomes outcomes = OutcomesOf(opened, done);
  if (!done) return Fail(log, "backup failed", done.error());
  if (IsPartial(outcomes, done)) {
    // The backup stays where it was published (complete and verified); the exit code and the
    // last line say that it is not everywhere the policy wants it.
    LogMissingDestinations(log, done->metadata.name, outcomes);
    log.Error("backup partial", {LogField::Str("backup", done->metadata.name),
                                 LogField::Str("error", PartialSummary(done->metadata.name, outcomes))});
    return kExitPartial;
  }
  return kExitOk;
}

}  // namespace tidemark::sidecar
