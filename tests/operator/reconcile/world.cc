#include "tests/operator/reconcile/world.h"

#include "operator/reconcile/names.h"

namespace tidemark::reconcile::testing {

namespace {

void DefaultContainers(Json& pod_spec, const char* list) {
  if (!pod_spec.has_field(list)) return;
  for (auto& c : pod_spec[list].as_array()) {
    c["terminationMessagePath"] = Str("/dev/termination-log");
    c["terminationMessagePolicy"] = Str("File");
    c["imagePullPolicy"] = Str("IfNotPresent");
    if (c.has_field("ports"))
      for (auto& p : c["ports"].as_array()) p["protocol"] = Str("TCP");
    if (c.has_field("env"))
      for (auto& e : c["env"].as_array())
        if (e.has_field("valueFrom") && e["valueFrom"].has_field("fieldRef"))
          e["valueFrom"]["fieldRef"]["apiVersion"] = Str("v1");
  }
}

}  // namespace

Json AsServerReturns(const Json& object) {
  Json o = object;
  Json& md = o["metadata"];
  md["uid"] = Str("0e9d-server-uid");
  md["resourceVersion"] = Str("101");
  md["creationTimestamp"] = Str("2026-11-28T01:31:37Z");
  md["managedFields"] = Arr({Obj({{"manager", Str("tidemark-operator")},
                                  {"operation", Str("Apply")}})});
  const std::string kind = GetString(o, "kind").value_or("");
  if (kind == "StatefulSet") {
    md["generation"] = Json::number(1);
    Json& spec = o["spec"];
    spec["revisionHistoryLimit"] = Json::number(10);
    spec["updateStrategy"]["rollingUpdate"] = Obj({{"partition", Json::number(0)}});
    Json& tmpl = spec["template"];
    tmpl["metadata"]["creationTimestamp"] = Json::null();
    Json& pod = tmpl["spec"];
    pod["restartPolicy"] = Str("Always");
    pod["dnsPolicy"] = Str("ClusterFirst");
    pod["schedulerName"] = Str("default-scheduler");
    DefaultContainers(pod, "initContainers");
    DefaultContainers(pod, "containers");
    for (auto& v : pod["volumes"].as_array()) {
      if (v.has_field("configMap")) v["configMap"]["defaultMode"] = Json::number(420);
    }
    for (auto& t : spec["volumeClaimTemplates"].as_array()) {
      t["metadata"]["creationTimestamp"] = Json::null();
      t["status"] = Obj({{"phase", Str("Pending")}});
    }
    o["status"] = Obj({{"replicas", Json::number(0)}, {"availableReplicas", Json::number(0)}});
  } else if (kind == "Service") {
    Json& spec = o["spec"];
    if (!spec.has_field("clusterIP")) spec["clusterIP"] = Str("10.96.0.17");
    spec["clusterIPs"] = Arr({spec["clusterIP"]});
    spec["sessionAffinity"] = Str("None");
    spec["ipFamilies"] = Arr({Str("IPv4")});
    for (auto& p : spec["ports"].as_array()) p["protocol"] = Str("TCP");
  }
  return o;
}

void World::Perform(const ReconcilePlan& plan) {
  for (const Action& a : plan.actions) {
    switch (a.kind) {
      case ActionKind::kApply: {
        Json live = AsServerReturns(a.body);
        if (a.kind_name == "ConfigMap") {
          observed.config_map = live;
        } else if (a.kind_name == "Service") {
          (a.name == HeadlessServiceName(meta_) ? observed.headless_service
                                                : observed.client_service) = live;
        } else if (a.kind_name == "StatefulSet") {
          if (observed.stateful_set) {
            // An update: the generation moves on, the controller has not caught up yet.
            const int64_t gen =
                GetInt(*Find(*observed.stateful_set, "metadata"), "generation").value_or(1);
            live["metadata"]["generation"] = Json::number(gen + 1);
            live["status"] = (*observed.stateful_set)["status"];
          }
          observed.stateful_set = live;
        } else if (a.kind_name == "NetworkPolicy") {
          observed.network_policy = live;
        }
        break;
      }
      case ActionKind::kCreate:
        // The controller reads the Secret again at the next pass and draws no new bytes.
        if (a.kind_name == "Secret") {
          observed.peer_token_secret = AsServerReturns(a.body);
          observed.new_peer_secret_hex.clear();
        }
        break;
      case ActionKind::kExpandClaim:
        for (auto& c : observed.claims)
          if (FindPath(c, {"metadata", "name"})->as_string() == a.name)
            c["spec"]["resources"]["requests"]["storage"] =
                *FindPath(a.body, {"spec", "resources", "requests", "storage"});
        break;
      case ActionKind::kDeleteOrphan:
        observed.stateful_set.reset();
        break;
      case ActionKind::kPatchStatus:
        observed.status = StatusFromJson(a.body.at("status"));
        break;
    }
  }
}

void World::SettlePods() {
  Json& sts = *observed.stateful_set;
  const int64_t replicas = *GetInt(sts["spec"], "replicas");
  const int64_t gen = *GetInt(sts["metadata"], "generation");
  sts["status"] = Obj({{"observedGeneration", Json::number(gen)},
                       {"replicas", Json::number(replicas)},
                       {"readyReplicas", Json::number(replicas)},
                       {"updatedReplicas", Json::number(replicas)},
                       {"currentRevision", Str(meta_.name + "-rev" + std::to_string(gen))},
                       {"updateRevision", Str(meta_.name + "-rev" + std::to_string(gen))}});
  for (const auto& t : sts["spec"]["volumeClaimTemplates"].as_array()) {
    const std::string volume = FindPath(t, {"metadata", "name"})->as_string();
    for (int64_t i = 0; i < replicas; ++i) {
      const std::string name = ClaimName(volume, meta_, i);
      bool exists = false;
      for (const auto& c : observed.claims)
        exists |= FindPath(c, {"metadata", "name"})->as_string() == name;
      if (exists) continue;
      Json spec = t.at("spec");
      if (!spec.has_field("storageClassName")) spec["storageClassName"] = Str("standard");
      observed.claims.push_back(Obj({{"apiVersion", Str("v1")},
                                     {"kind", Str("PersistentVolumeClaim")},
                                     {"metadata", Obj({{"name", Str(name)},
                                                       {"namespace", Str(meta_.namespace_)}})},
                                     {"spec", spec},
                                     {"status", Obj({{"phase", Str("Bound")}})}}));
    }
  }
  for (int64_t i = 0; i < replicas; ++i) {
    const std::string pod = PodName(meta_, i);
    observed.sidecars[pod] = HealthySidecar(pod);
  }
}

std::string World::HealthySidecar(const std::string& pod) {
  return "{\"pod\":\"" + pod +
         "\",\"redis\":{\"up\":true},\"policy\":{\"applied\":true,\"error\":null,\"drift\":[]},"
         "\"backup\":{\"running\":false,\"pending\":false,\"lastResult\":null,\"lastError\":null,"
         "\"lastSuccess\":null,\"lastSuccessAt\":null,\"nextScheduledAt\":null}}\n";
}

}  // namespace tidemark::reconcile::testing
