#include "operator/reconcile/claims.h"

#include <algorithm>

#include "core/policy/quantity.h"

namespace tidemark::reconcile {

namespace {

struct TemplateShape {
  std::string name, storage_class, access_modes;
  friend bool operator==(const TemplateShape&, const TemplateShape&) = default;
};

std::vector<TemplateShape> Shapes(const Json& sts) {
  std::vector<TemplateShape> out;
  const Json* templates = FindPath(sts, {"spec", "volumeClaimTemplates"});
  if (!templates || !templates->is_array()) return out;
  for (const auto& t : templates->as_array()) {
    TemplateShape s;
    s.name = FindPath(t, {"metadata", "name"}) && FindPath(t, {"metadata", "name"})->is_string()
                 ? FindPath(t, {"metadata", "name"})->as_string()
                 : "";
    if (const Json* spec = Find(t, "spec")) {
      s.storage_class = GetString(*spec, "storageClassName").value_or("");
      if (const Json* modes = Find(*spec, "accessModes")) s.access_modes = modes->serialize();
    }
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string Describe(const std::vector<TemplateShape>& shapes) {
  std::string out;
  for (const auto& s : shapes)
    out += (out.empty() ? "" : ", ") + s.name + "(" +
           (s.storage_class.empty() ? "default class" : s.storage_class) + " " + s.access_modes +
           ")";
  return out.empty() ? "none" : out;
}

std::optional<std::string> RequestedStorage(const Json& object) {
  const Json* v = FindPath(object, {"spec", "resources", "requests", "storage"});
  if (!v || !v->is_string()) return std::nullopt;
  return v->as_string();
}

}  // namespace

std::string ClaimTemplateDifference(const Json& observed_sts, const Json& desired_sts) {
  auto have = Shapes(observed_sts), want = Shapes(desired_sts);
  if (have == want) return "";
  return "claim templates " + Describe(have) + " -> " + Describe(want);
}

void KeepObservedClaimSizes(Json& desired_sts, const Json& observed_sts) {
  const Json* observed = FindPath(observed_sts, {"spec", "volumeClaimTemplates"});
  if (!observed || !observed->is_array()) return;
  Json& templates = desired_sts["spec"]["volumeClaimTemplates"];
  for (auto& t : templates.as_array()) {
    for (const auto& o : observed->as_array()) {
      if (*FindPath(t, {"metadata", "name"}) != *FindPath(o, {"metadata", "name"})) continue;
      if (auto size = RequestedStorage(o))
        t["spec"]["resources"]["requests"]["storage"] = Str(*size);
    }
  }
}

ClaimPlan PlanClaims(const ResourceMeta& meta, const policy::RedisPersistence& r,
                     const Observed& observed) {
  std::vector<std::pair<std::string_view, const policy::Volume*>> volumes = {
      {kDataVolume, &r.spec.storage.data}};
  if (r.spec.storage.backup) volumes.push_back({kBackupVolume, &*r.spec.storage.backup});

  std::vector<const Json*> claims;
  for (const auto& c : observed.claims) claims.push_back(&c);
  auto name_of = [](const Json* c) {
    const Json* n = FindPath(*c, {"metadata", "name"});
    return n && n->is_string() ? n->as_string() : std::string();
  };
  std::sort(claims.begin(), claims.end(),
            [&](const Json* a, const Json* b) { return name_of(a) < name_of(b); });

  ClaimPlan plan;
  for (const Json* claim : claims) {
    const std::string name = name_of(claim);
    for (const auto& [volume, spec] : volumes) {
      const std::string prefix = std::string(volume) + "-" + StatefulSetName(meta) + "-";
      if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
          name.find_first_not_of("0123456789", prefix.size()) != std::string::npos)
        continue;
      auto want = policy::ParseByteQuantity(spec->size);
      auto have_text = RequestedStorage(*claim);
      auto have = have_text ? policy::ParseByteQuantity(*have_text) : Result<int64_t>();
      if (!want || !have_text || !have) break;
      if (*have > *want) {
        plan.blocked.push_back("claim " + name + " is " + *have_text + ", more than the spec's " +
                               spec->size + ": claims never shrink");
      } else if (*have < *want) {
        // An unbound claim cannot be expanded; it is planned once it is bound.
        if (GetString(Find(*claim, "status") ? *Find(*claim, "status") : Json(), "phase") !=
            "Bound")
          break;
        const std::string storage_class =
            Find(*claim, "spec") ? GetString(*Find(*claim, "spec"), "storageClassName").value_or("")
                                 : "";
        auto it = observed.storage_class_expandable.find(storage_class);
        if (storage_class.empty() || it == observed.storage_class_expandable.end() || !it->second) {
          plan.blocked.push_back(
              "claim " + name + " stays " + *have_text + " (spec: " + spec->size + "): StorageClass " +
              (storage_class.empty() ? std::string("<none>") : storage_class) +
              " does not allow volume expansion");
        } else {
          plan.expansions.push_back(Action{
              ActionKind::kExpandClaim, "v1", "PersistentVolumeClaim", meta.namespace_, name,
              Obj({{"spec", Obj({{"resources",
                                  Obj({{"requests", Obj({{"storage", Str(spec->size)}})}})}})}}),
              "grow " + *have_text + " -> " + spec->size});
        }
      }
      break;
    }
  }
  return plan;
}

}  // namespace tidemark::reconcile
