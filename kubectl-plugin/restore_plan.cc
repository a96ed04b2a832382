#include "kubectl-plugin/restore_plan.h"

#include "core/backup/utc_time.h"

namespace tidemark::kubectl {

using reconcile::Find;
using reconcile::GetBool;
using reconcile::GetString;
using reconcile::Json;
using reconcile::Obj;
using reconcile::Str;

namespace {

std::string SourceText(const Json& policy) {
  const Json* r = Find(policy, "restore");
  if (r == nullptr) return "latest";
  std::string out = GetString(*r, "source").value_or("latest");
  if (auto b = GetString(*r, "backup")) out += " " + *b;
  if (auto t = GetString(*r, "pointInTime")) out += " " + *t;
  return out;
}

}  // namespace

std::expected<RestorePlan, std::string> PlanRestore(const Json& view, const std::string& backup_id,
                                                    const std::string& to_time, int64_t now_unix,
                                                    const std::string& pod0_uid) {
  if (backup_id.empty() == to_time.empty())
    return std::unexpected("restore needs exactly one of --backup ID and --to-time T");
  RestorePlan plan;
  plan.ns = GetString(view, "namespace").value_or("");
  plan.name = GetString(view, "name").value_or("");
  plan.backup_id = backup_id;
  plan.to_time = to_time;
  plan.pod0 = plan.name + "-0";
  plan.pod0_uid = pod0_uid;
  plan.data_claim = "data-" + plan.pod0;
  const Json policy = Find(view, "policy") ? *Find(view, "policy") : Json::object();
  if (auto error = GetString(policy, "policyError"))
    return std::unexpected("the resource's spec does not validate: " + *error);
  plan.mode = GetString(policy, "mode").value_or("?");
  plan.current_source = SourceText(policy);
  bool has_pod0 = false;
  if (const Json* pods = Find(view, "pods")) {
    for (const Json& p : pods->as_array()) {
      const std::string name = GetString(p, "name").value_or("");
      if (name == plan.pod0)
        has_pod0 = true;
      else if (!name.empty())
        plan.replicas.push_back(name);
    }
  }
  if (!has_pod0) return std::unexpected("pod " + plan.pod0 + " does not exist");
  const Json* backups = reconcile::FindPath(view, {"backups", "items"});
  if (!backup_id.empty()) {
    if (backups == nullptr) {
      const Json* listing = Find(view, "backups");
      return std::unexpected("cannot list the backups of " + plan.pod0 + " to check " + backup_id +
                             ": " + (listing ? GetString(*listing, "error").value_or("") : ""));
    }
    const Json* found = nullptr;
    for (const Json& b : backups->as_array())
      if (GetString(b, "name") == backup_id) found = &b;
    if (found == nullptr)
      return std::unexpected("no backup named " + backup_id + " in the store of " + plan.pod0 +
                             " (kubectl tidemark backups " + plan.name + ")");
    if (!GetBool(*found, "verified").value_or(false))
      return std::unexpected("backup " + backup_id +
                             " is not verified; the restore step would refuse it");
    plan.source_patch = Obj(
        {{"type", Str("backup")}, {"backupName", Str(backup_id)}, {"pointInTime", Json::null()}});
    return plan;
  }
  auto t = backup::ParseRfc3339(to_time);
  if (!t) return std::unexpected("--to-time \"" + to_time + "\" is not an RFC 3339 time");
  if (*t > now_unix) return std::unexpected("--to-time " + to_time + " is in the future");
  if (backups != nullptr) {
    for (const Json& b : backups->as_array()) {  // newest first
      auto created = backup::ParseRfc3339(GetString(b, "createdAt").value_or(""));
      if (created && *created <= *t && GetBool(b, "verified").value_or(false)) {
        plan.fallback = GetString(b, "name").value_or("") + " (taken " +
                        GetString(b, "createdAt").value_or("") + ")";
        break;
      }
    }
  }
  plan.source_patch = Obj(
      {{"type", Str("pointInTime")}, {"pointInTime", Str(to_time)}, {"backupName", Json::null()}});
  return plan;
}

std::string DescribeRestore(const RestorePlan& p, const Paint& paint) {
  const bool aof = p.mode == "aof" || p.mode == "hybrid";
  std::string out =
      paint.Bold("Restore " + p.ns + "/" + p.name + " to " +
                 (p.backup_id.empty() ? "the state at " + p.to_time : "backup " + p.backup_id)) +
      "\n\n";
  out += "  1. spec.restore.source becomes " +
         (p.backup_id.empty() ? "{type: pointInTime, pointInTime: " + p.to_time + "}"
                              : "{type: backup, backupName: " + p.backup_id + "}") +
         " (now: " + p.current_source + "); the operator renders it into policy.json.\n";
  if (p.backup_id.empty()) {
    out += "  2. Pod " + p.pod0 +
           " is deleted once the operator has applied it; the StatefulSet recreates it on the\n"
           "     same volumes and its restore init container runs before Redis starts:\n";
    if (aof) {
      out += "     - the local AOF is cut before the first write after " + p.to_time +
             "; the original\n       files are " + paint.Good("kept") +
             " as hard links in appendonlydir.before-pitr-<time>/ on the data volume;\n";
      out += "     - if the local AOF cannot reach that time (rewritten since, timestamps off), ";
    } else {
      out += "     - mode " + p.mode + " keeps no AOF to rewind: ";
    }
    out += "the newest verified\n       snapshot at or before it is installed: " +
           (p.fallback ? paint.Bold(*p.fallback) : paint.Bad("none in the store")) +
           ";\n       the data it replaces is " + paint.Good("kept") +
           " as <path>.before-pitr-<time>; writes after the snapshot are not restored;\n";
    out +=
        "     - with no snapshot at or before that time the init container fails, the pod does"
        " not\n       start and " +
        paint.Good("nothing is changed") + ".\n";
  } else {
    out += "  2. " + paint.Bad("The data volume claim " + p.data_claim + " is deleted") +
           " (its data is NOT kept: what happens to\n     the volume is its StorageClass's reclaim"
           " policy), then pod " +
           p.pod0 +
           "; the StatefulSet recreates both,\n"
           "     and the restore init container installs backup " +
           p.backup_id +
           " on the empty volume.\n     Local data that verifies would otherwise outrank any "
           "backup. To keep the current data\n     aside instead, restore with --to-time and the "
           "backup's time.\n";
  }
  out += "  3. " +
         (p.replicas.empty()
              ? std::string("No replicas.")
              : "Replicas (" + std::to_string(p.replicas.size()) + ": " + p.replicas.front() +
                    (p.replicas.size() > 1 ? ", ..." : "") + ") follow " + p.pod0 +
                    " and resynchronise from it: their data is replaced.") +
         "\n";
  out += "  4. With --wait: once " + p.pod0 +
         " is running again, spec.restore.source goes back to {type: latest}\n"
         "     (else a pod that later starts on an empty volume would restore to this again).\n";
  return out;
}

}  // namespace tidemark::kubectl
