// `backup NAME [--wait]`: the operator's on-demand backup (operator/reconcile/backup_request.h):
// a new value of the annotation tidemark.dev/backup-now; the operator asks pod 0's sidecar once
// per value and records the request's phase in status.backupRequest (Requested, Accepted,
// Succeeded, Failed); status.lastBackup then names the backup.
#include <cstdio>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/follow.h"
#include "kubectl-plugin/output.h"
#include "kubectl-plugin/resource_view.h"
#include "operator/reconcile/backup_request.h"

namespace tidemark::kubectl {

using reconcile::Json;

Outcome RunBackup(const Options& options, Connection& c) {
  auto name = OneName(options);
  if (!name) return name.error();
  auto object = GetResource(*c.client, c.namespace_, *name);
  if (!object) return object.error();
  Json resource = reconcile::ParseJson(object->json, *name).value_or(Json::object());
  const std::string key(reconcile::kBackupNowAnnotation);
  const std::string value = NewRequestValue(AnnotationOf(resource, key));
  if (Outcome o = Annotate(*c.client, c.namespace_, *name, key, value); o.code != kExitOk) return o;
  std::fprintf(stderr, "backup of %s/%s requested (%s=%s)\n", c.namespace_.c_str(), name->c_str(),
               key.c_str(), value.c_str());
  if (!options.wait) {
    if (options.output != OutputFormat::kText)
      std::fputs(
          Render(reconcile::Obj({{"requested", reconcile::Str(value)}}), options.output).c_str(),
          stdout);
    return Ok();
  }
  Json last;
  Outcome followed = Follow(
      *c.client, c.namespace_, *name,
      [&value](const Json& r) {
        Progress p;
        const Json* request = reconcile::FindPath(r, {"status", "backupRequest"});
        if (request == nullptr || reconcile::GetString(*request, "value") != value) {
          p.phase = "waiting for the operator";
          return p;
        }
        p.phase = reconcile::GetString(*request, "phase").value_or("");
        p.message = reconcile::GetString(*request, "message").value_or("");
        p.done = p.phase == reconcile::kRequestSucceeded || p.phase == reconcile::kRequestFailed;
        p.failed = p.phase == reconcile::kRequestFailed;
        return p;
      },
      options.timeout, std::chrono::milliseconds(500), &last);
  if (followed.code != kExitOk) return followed;
  // status.lastBackup names the backup; its size, keys and verification are in the store.
  const Json* recorded = reconcile::FindPath(last, {"status", "lastBackup"});
  const std::string made =
      recorded ? reconcile::GetString(*recorded, "name").value_or("") : std::string();
  const std::string when =
      recorded ? reconcile::GetString(*recorded, "time").value_or("?") : std::string("?");
  Json backup = recorded ? *recorded : Json::object();
  if (auto target = LoadTarget(*c.client, c.namespace_, *name)) {
    SidecarApi api(*c.client, c.namespace_);
    if (auto listing = BackupsView(api, *name, target->pods)) {
      for (const Json& b : listing->at("items").as_array())
        if (reconcile::GetString(b, "name") == made) backup = b;
    }
  }
  if (options.output != OutputFormat::kText) {
    std::fputs(Render(backup, options.output).c_str(), stdout);
  } else {
    std::printf("backup %s completed at %s", made.c_str(), when.c_str());
    if (auto keys = reconcile::GetInt(backup, "keys"))
      std::printf(
          ": %s, %lld keys, %s",
          HumanBytes(reconcile::GetInt(backup, "sizeBytes").value_or(0)).c_str(),
          static_cast<long long>(*keys),
          reconcile::GetBool(backup, "verified").value_or(false) ? "verified" : "NOT verified");
    std::printf("\n");
  }
  return followed;
}

}  // namespace tidemark::kubectl
