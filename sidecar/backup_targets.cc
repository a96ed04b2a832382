#include "sidecar/backup_targets.h"

#include <algorithm>

#include "sidecar/object_store_config.h"

namespace tidemark::sidecar {

BackupTargets OpenBackupTargets(const std::optional<SidecarPolicy>& policy, BackupStore* local,
                                Clock& clock) {
  BackupTargets out;
  if (local && (!policy || policy->backup_local))
    out.targets.push_back({local, policy ? policy->retention : std::nullopt});
  if (policy && policy->object_store && policy->backup_object_store) {
    auto opened = OpenObjectStore(*policy->object_store, clock);
    if (opened) {
      out.object_store = std::move(*opened);
      out.targets.push_back({out.object_store.get(), policy->object_store->retention, "objectStore"});
    } else {
      out.unopened.emplace_back("objectStore",
                                "cannot open the object store: " + opened.error().ToString());
    }
  }
  return out;
}

Result<DrilledStore> OpenDrilledStore(const std::optional<SidecarPolicy>& policy,
                                      BackupStore& local, Clock& clock) {
  DrilledStore out;
  if (!policy || policy->backup_local) {
    out.store = &local;
    out.destination = "local";
    return out;
  }
  if (!policy->backup_object_store || !policy->object_store)
    return MakeError(ErrorCode::kIo, "no backup destination opened");
  auto opened = OpenObjectStore(*policy->object_store, clock);
  if (!opened)
    return MakeError(ErrorCode::kIo,
                     "objectStore: cannot open the object store: " + opened.error().ToString());
  out.object_store = std::move(*opened);
  out.store = out.object_store.get();
  out.destination = "objectStore";
  return out;
}

DestinationOutcomes OutcomesOf(const BackupTargets& targets, const Result<BackupJobResult>& job) {
  DestinationOutcomes out;
  if (job)
    out = job->destinations;
  else
    for (const auto& t : targets.targets) out.emplace_back(t.destination, job.error().ToString());
  out.insert(out.end(), targets.unopened.begin(), targets.unopened.end());
  return out;
}

bool IsPartial(const DestinationOutcomes& outcomes, const Result<BackupJobResult>& job) {
  return job && std::any_of(outcomes.begin(), outcomes.end(),
                            [](const auto& d) { return !d.second.empty(); });
}

std::string NextStepFor(const std::string& destination) {
  if (destination == "objectStore")
    return "check the object store's endpoint, bucket, credentials and permissions (the error "
           "names the request and the answer); the other destination holds this backup, "
           "complete and verified; the next backup uploads again";
  return "check the backup volume (free space, permissions, the mount; the error names the "
         "file); the other destination holds this backup, complete and verified; the next "
         "backup writes the volume again";
}

void LogMissingDestinations(JsonLog& log, const std::string& backup,
                            const DestinationOutcomes& outcomes) {
  for (const auto& [destination, error] : outcomes)
    if (!error.empty())
      log.Error("backup incomplete: not every destination has it",
                {LogField::Str("backup", backup), LogField::Str("destination", destination),
                 LogField::Str("error", error), LogField::Str("next", NextStepFor(destination))});
}

std::string PartialSummary(const std::string& backup, const DestinationOutcomes& outcomes) {
  std::string on, missing;
  for (const auto& [destination, error] : outcomes) {
    if (error.empty()) {
      on += (on.empty() ? "" : ", ") + destination;
    } else {
      missing += std::string(missing.empty() ? "" : "; ") + destination + " (" + error +
                 "): " + NextStepFor(destination);
    }
  }
  return "backup " + backup + " is on " + on + ", not on " + missing;
}

}  // namespace tidemark::sidecar
