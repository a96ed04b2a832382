#include "operator/reconcile/sidecar_report.h"

namespace tidemark::reconcile {

namespace {

// The status.lastRestore of a restore record; nullopt when the restore step kept the local data
// (no restore happened) or the record lacks its time.
std::optional<LastRestore> LastRestoreOf(const Json& record, const std::string& pod) {
  auto at = GetString(record, "at");
  auto kind = GetString(record, "sourceKind");
  if (!at || !kind || GetString(record, "decision") == "kept-local-data") return std::nullopt;
  std::string source = *kind;
  if (*kind == "replica") {
    // "http://cache-1.cache-headless.ns.svc:9122" -> the pod's name.
    std::string peer = GetString(record, "peer").value_or("");
    if (auto p = peer.find("://"); p != std::string::npos) peer.erase(0, p + 3);
    source += "/" + peer.substr(0, peer.find_first_of(".:/"));
  } else if (*kind == "backup") {
    source += "/" + GetString(record, "source").value_or("");
  }  // "local" (a local snapshot installed as the AOF base, an AOF rewound) and "empty" alone
  std::string reason = GetString(record, "reason").value_or("");
  if (const Json* compared = Find(record, "compared"); compared && compared->is_array()) {
    std::string list;
    for (const auto& c : compared->as_array())
      if (c.is_string()) list += (list.empty() ? "" : "; ") + c.as_string();
    if (!list.empty()) reason += (reason.empty() ? "compared: " : "; compared: ") + list;
  }
  constexpr size_t kMaxReason = 1024;  // a status stays small whatever the number of backups
  if (reason.size() > kMaxReason) reason = reason.substr(0, kMaxReason - 3) + "...";
  LastRestore out{*at, pod, source, reason, GetInt(record, "keys")};
  if (const Json* c = Find(record, "check"); c && c->is_object())
    out.check = RestoreProofFromJson(*c, "expected", "actual");
  return out;
}

// "replid R offset N, K keys" of a /v1/status replication object; "unknown" without one.
std::string Position(const Json* replication) {
  if (!replication || !replication->is_object()) return "unknown";
  std::string out = "replid " + GetString(*replication, "replid").value_or("?") + " offset " +
                    std::to_string(GetInt(*replication, "offset").value_or(0));
  const std::string replid2 = GetString(*replication, "replid2").value_or("");
  if (!replid2.empty() && replid2.find_first_not_of('0') != std::string::npos)
    out += ", replid2 " + replid2 + " up to offset " +
           std::to_string(GetInt(*replication, "secondOffset").value_or(0) - 1);
  return out + ", " + std::to_string(GetInt(*replication, "keys").value_or(0)) + " keys";
}

// A replica held because pod 0 is older: what an administrator must decide on (a transient hold
// while pod 0 is away or loading is not reported: it resolves itself).
std::optional<std::string> HeldBackOlder(const Json& hold) {
  if (!GetBool(hold, "heldBack").value_or(false) || !GetBool(hold, "primaryOlder").value_or(false))
    return std::nullopt;
  return GetString(hold, "reason").value_or("pod 0 is older than this replica") +
         " (this replica: " + Position(Find(hold, "replica")) +
         "; pod 0: " + Position(Find(hold, "primary")) + ")";
}

}  // namespace

Result<SidecarReport> ParseSidecarReport(std::string_view body, const std::string& pod) {
  auto json = ParseJson(body, pod + " /v1/status");
  if (!json) return std::unexpected(json.error());
  if (!json->is_object())
    return MakeError(ErrorCode::kInvalidArgument, "not a JSON object", -1, pod + " /v1/status");
  const Json& j = *json;
  SidecarReport r;
  r.health.name = pod;
  if (const Json* redis = Find(j, "redis")) {
    r.redis_up = GetBool(*redis, "up");
    r.health.role = GetString(*redis, "role");
  }
  if (const Json* policy = Find(j, "policy")) {
    r.policy_applied = GetBool(*policy, "applied").value_or(false);
    r.policy_error = GetString(*policy, "error");
    if (const Json* drift = Find(*policy, "drift"); drift && drift->is_array())
      for (const auto& d : drift->as_array())
        if (d.is_string()) r.drift.push_back(d.as_string());
  }
  if (const Json* backup = Find(j, "backup")) {
    r.last_backup_result = GetString(*backup, "lastResult");
    r.last_backup_error = GetString(*backup, "lastError");
    r.last_backup_name = GetString(*backup, "lastSuccess");
    r.last_backup_time = GetString(*backup, "lastSuccessAt");
    r.next_backup_time = GetString(*backup, "nextScheduledAt");
    r.backup_pending = GetBool(*backup, "pending").value_or(false);
    r.backup_running = GetBool(*backup, "running").value_or(false);
    if (const Json* list = Find(*backup, "destinations"); list && list->is_array())
      for (const auto& d : list->as_array())
        if (auto name = GetString(d, "destination"))
          r.last_backup_destinations.push_back(
              {*name, GetString(d, "result") == "success" ? "Succeeded" : "Failed",
               GetString(d, "error")});
  }
  if (const Json* p = Find(j, "persistence")) {
    r.health.last_save_time = GetString(*p, "lastSaveTime");
    r.health.last_save_ok = GetBool(*p, "lastSaveOk");
    r.health.aof_size_bytes = GetInt(*p, "aofSizeBytes");
    r.health.aof_base_size_bytes = GetInt(*p, "aofBaseSizeBytes");
    r.health.aof_rewrite_in_progress = GetBool(*p, "aofRewriteInProgress");
  }
  if (const Json* v = Find(j, "verification")) {
    r.health.verification = GetString(*v, "result");
    r.health.verification_message = GetString(*v, "message");
  }
  if (const Json* aof = Find(j, "aof"); aof && !r.health.verification) {
    if (auto problem = GetString(*aof, "problem")) {
      r.health.verification = "Failed";
      r.health.verification_message = "AOF: " + *problem;
    }
  }
  if (const Json* d = Find(j, "lastDrill"); d && d->is_object())
    if (GetString(*d, "result")) r.last_drill = LastDrillFromJson(*d, pod);
  if (const Json* rec = Find(j, "lastRestore"); rec && rec->is_object()) {
    r.last_restore = LastRestoreOf(*rec, pod);
    const Json* backup = Find(*rec, "backup");
    const Json* c = Find(*rec, "check");
    if (c && c->is_object()) {
      if (auto result = GetString(*c, "result"))
        r.restore = SidecarReport::RestoreCheck{
            backup && backup->is_object() ? GetString(*backup, "name").value_or("") : "", *result,
            GetString(*c, "expected").value_or(""), GetString(*c, "actual").value_or(""),
            GetString(*c, "reason").value_or("")};
    }
  }
  if (const Json* hold = Find(j, "holdBack"); hold && hold->is_object())
    r.held_back_older = HeldBackOlder(*hold);
  r.health.reachable = true;
  r.health.redis_up = r.redis_up;
  return r;
}

}  // namespace tidemark::reconcile
