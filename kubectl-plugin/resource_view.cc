#include "kubectl-plugin/resource_view.h"

#include <algorithm>

#include "core/policy/load.h"
#include "operator/reconcile/names.h"

namespace tidemark::kubectl {

using reconcile::Arr;
using reconcile::Json;
using reconcile::Obj;
using reconcile::Str;

namespace {

int64_t Ordinal(const std::string& pod) {
  size_t dash = pod.rfind('-');
  if (dash == std::string::npos) return -1;
  try {
    return std::stoll(pod.substr(dash + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

Json SavePoints(const std::vector<policy::SavePoint>& points) {
  std::vector<Json> out;
  for (const auto& p : points)
    out.push_back(
        Obj({{"seconds", Json::number(p.seconds)}, {"changes", Json::number(p.changes)}}));
  return Arr(std::move(out));
}

}  // namespace

std::expected<kube::Object, Outcome> GetResource(kube::KubeClient& client, const std::string& ns,
                                                 const std::string& name) {
  auto object = client.Get(kube::resources::RedisPersistences(), ns, name);
  if (!object) {
    const std::string what = "redispersistences.tidemark.dev " + ns + "/" + name;
    if (object.error().IsNotFound())
      return std::unexpected(Fail(kExitNotFound, what + " not found"));
    return std::unexpected(FromKubeError(object.error(), "get " + what));
  }
  return *object;
}

const kube::Object* Target::PodZero() const {
  for (const kube::Object& p : pods)
    if (p.name == name + "-0") return &p;
  return nullptr;
}

std::expected<const kube::Object*, Outcome> RequirePodZero(const Target& target) {
  if (const kube::Object* p = target.PodZero()) return p;
  return std::unexpected(Fail(kExitNotFound, "pod " + target.name + "-0 does not exist (yet)"));
}

std::expected<Target, Outcome> LoadTarget(kube::KubeClient& client, const std::string& ns,
                                          const std::string& name) {
  auto resource = GetResource(client, ns, name);
  if (!resource) return std::unexpected(resource.error());
  auto pods = ListResourcePods(client, ns, name);
  if (!pods) return std::unexpected(pods.error());
  return Target{name, std::move(*resource), std::move(*pods)};
}

std::expected<std::vector<kube::Object>, Outcome> ListResourcePods(kube::KubeClient& client,
                                                                   const std::string& ns,
                                                                   const std::string& name) {
  kube::ListOptions options;
  options.label_selector = std::string(reconcile::kLabelName) + "=" +
                           std::string(reconcile::kAppName) + "," +
                           std::string(reconcile::kLabelInstance) + "=" + name;
  auto list = kube::ListAll(client, kube::resources::Pods(), ns, options);
  if (!list) return std::unexpected(FromKubeError(list.error(), "list pods in " + ns));
  std::vector<kube::Object> pods = std::move(list->items);
  std::sort(pods.begin(), pods.end(), [](const kube::Object& a, const kube::Object& b) {
    return Ordinal(a.name) < Ordinal(b.name);
  });
  return pods;
}

Json PolicyView(const std::string& resource_json) {
  auto loaded = policy::LoadRedisPersistence(resource_json);
  if (!loaded) return Obj({{"policyError", Str(policy::FormatProblems(loaded.error()))}});
  const policy::RedisPersistenceSpec& s = loaded->spec;
  const bool aof = s.mode == policy::Mode::kAof || s.mode == policy::Mode::kHybrid;
  const bool rdb = s.mode == policy::Mode::kRdb || s.mode == policy::Mode::kHybrid;
  Json out = Obj({{"mode", Str(policy::ModeName(s.mode))},
                  {"replicas", Json::number(s.workload.replicas)},
                  {"image", Str(s.workload.image)}});
  if (rdb)
    out["savePoints"] = SavePoints(s.rdb.save_points.value_or(std::vector<policy::SavePoint>{}));
  if (aof) {
    Json rewrite = Obj({{"growthPercent", Json::number(s.aof.rewrite.growth_percent)},
                        {"minSize", Str(s.aof.rewrite.min_size)}});
    if (s.aof.rewrite.max_size) rewrite["maxSize"] = Str(*s.aof.rewrite.max_size);
    if (s.aof.rewrite.window)
      rewrite["window"] =
          Str(s.aof.rewrite.window->start + "-" + s.aof.rewrite.window->end + " UTC");
    out["aof"] = Obj({{"fsync", Str(policy::FsyncName(s.aof.fsync))},
                      {"rdbPreamble", Json::boolean(s.aof.rdb_preamble)},
                      {"rewrite", rewrite}});
  }
  if (s.backup) {
    out["backup"] = Obj({{"schedule", Str(s.backup->schedule)},
                         {"keepLast", Json::number(s.backup->retention.keep_last)},
                         {"keepDaily", Json::number(s.backup->retention.keep_daily)},
                         {"keepWeekly", Json::number(s.backup->retention.keep_weekly)},
                         {"verifyAfterCopy", Json::boolean(s.backup->verify_after_copy)}});
  }
  Json restore = Obj({{"when", Str(policy::RestoreWhenName(s.restore.when))},
                      {"source", Str(policy::RestoreSourceTypeName(s.restore.source.type))}});
  if (s.restore.source.backup_name) restore["backup"] = Str(*s.restore.source.backup_name);
  if (s.restore.source.point_in_time) restore["pointInTime"] = Str(*s.restore.source.point_in_time);
  out["restore"] = restore;
  return out;
}

std::expected<Json, Outcome> BackupsView(SidecarApi& api, const std::string& resource_name,
                                         const std::vector<kube::Object>& pods) {
  Target target{resource_name, {}, pods};
  auto pod0 = RequirePodZero(target);
  if (!pod0) return std::unexpected(pod0.error());
  auto reply = api.CallPod(**pod0, "GET", "/v1/backups");
  if (!reply) return std::unexpected(reply.error());
  if (reply->http_status != 200 || reconcile::Find(reply->json, "backups") == nullptr) {
    return std::unexpected(Fail(kExitFailed, "the sidecar of " + (*pod0)->name + " answered HTTP " +
                                                 std::to_string(reply->http_status) + ": " +
                                                 reply->body.substr(0, 200)));
  }
  std::vector<Json> items;
  for (const Json& b : reply->json.at("backups").as_array()) items.push_back(b);
  // Names and times are fixed-width UTC, so text order is time order.
  std::stable_sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
    return reconcile::GetString(a, "createdAt").value_or("") >
           reconcile::GetString(b, "createdAt").value_or("");
  });
  reconcile::ResourceMeta meta;
  meta.name = resource_name;
  const std::string& pod0_name = (*pod0)->name;
  Json out = Obj(
      {{"from", Str(pod0_name)},
       {"store", Str("volume claim " + reconcile::ClaimName(reconcile::kBackupVolume, meta, 0) +
                     ", mounted at " + std::string(reconcile::kBackupDir) + " in " + pod0_name)},
       {"items", Arr(std::move(items))}});
  if (const Json* problems = reconcile::Find(reply->json, "problems")) out["problems"] = *problems;
  return out;
}

std::expected<Json, Outcome> GatherView(kube::KubeClient& client, const std::string& ns,
                                        const std::string& name) {
  auto object = GetResource(client, ns, name);
  if (!object) return std::unexpected(object.error());
  auto parsed = reconcile::ParseJson(object->json, name);
  Json resource = parsed ? *parsed : Json::object();
  Json view = Obj({{"name", Str(name)}, {"namespace", Str(ns)}});
  view["policy"] = PolicyView(object->json);
  const Json* status = reconcile::Find(resource, "status");
  view["status"] = status ? *status : Json::object();

  auto pods = ListResourcePods(client, ns, name);
  if (!pods) {
    view["podsError"] = Str(pods.error().message);
    return view;
  }
  SidecarApi api(client, ns);
  std::vector<Json> pod_views;
  for (const kube::Object& p : *pods) {
    Json pod = reconcile::ParseJson(p.json, p.name).value_or(Json::object());
    const Json* pod_status = reconcile::Find(pod, "status");
    Json v = Obj({{"name", Str(p.name)},
                  {"phase", Str(pod_status ? reconcile::GetString(*pod_status, "phase").value_or("")
                                           : "")}});
    auto reply = api.CallPod(p, "GET", "/v1/status");
    if (!reply) {
      v["sidecarError"] = Str(reply.error().message);
    } else if (reply->http_status != 200 || !reply->json.is_object()) {
      v["sidecarError"] = Str("the sidecar answered HTTP " + std::to_string(reply->http_status));
    } else {
      v["sidecar"] = reply->json;
    }
    pod_views.push_back(v);
  }
  view["pods"] = Arr(std::move(pod_views));
  auto backups = BackupsView(api, name, *pods);
  view["backups"] = backups ? *backups : Obj({{"error", Str(backups.error().message)}});
  return view;
}

}  // namespace tidemark::kubectl
