#include "operator/controller/controller.h"

#include <chrono>

#include "core/policy/load.h"
#include "operator/controller/observe.h"
#include "operator/controller/utc_now.h"
#include "operator/reconcile/desired.h"

namespace tidemark::controller {

namespace {

using reconcile::Json;

const char kManagedSelector[] = "app.kubernetes.io/managed-by=tidemark-operator";

std::optional<Json> Parsed(const std::optional<kube::Object>& object) {
  if (!object) return std::nullopt;
  auto json = reconcile::ParseJson(object->json, object->name);
  if (!json) return std::nullopt;
  return std::move(*json);
}

const kube::ResourceType* TypeOf(const std::string& kind) {
  if (kind == "ConfigMap") return &kube::resources::ConfigMaps();
  if (kind == "Service") return &kube::resources::Services();
  if (kind == "StatefulSet") return &kube::resources::StatefulSets();
  if (kind == "NetworkPolicy") return &kube::resources::NetworkPolicies();
  if (kind == "Secret") return &kube::resources::Secrets();
  if (kind == "PersistentVolumeClaim") return &kube::resources::PersistentVolumeClaims();
  if (kind == reconcile::kOwnerKind) return &kube::resources::RedisPersistences();
  return nullptr;
}

// An owned object's key in OwnWrites ("ConfigMap shop/catalog-persistence"); the resource's
// own is its cache key ("shop/catalog").
std::string OwnedId(const std::string& kind, const std::string& key) { return kind + " " + key; }

// "k=v,k=v" from a labels object.
std::string Selector(const Json& labels) {
  std::string out;
  if (!labels.is_object()) return out;
  for (const auto& [k, v] : labels.as_object()) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += ",";
    out += k + "=" + v.as_string();
  }
  return out;
}

}  // namespace

Controller::Controller(kube::KubeClient& client, kube::KubeClient& watch_client,
                       ControllerOptions options, Logger& log, Metrics& metrics)
    : client_(client),
      options_(std::move(options)),
      log_(log),
      metrics_(metrics),
      queue_(options_.queue) {
  kube::InformerOptions resource_options;
  resource_options.namespace_ = options_.watch_namespace;
  // The caches hold every object the operator watches, so they keep only what a reconcile
  // reads: managedFields (the API server's field ownership, as large as the spec it describes)
  // never, and of a pod its labels, IP and phase (observe.h).
  resource_options.drop_fields = {"metadata.managedFields"};
  kube::InformerOptions owned_options = resource_options;
  owned_options.label_selector = kManagedSelector;
  kube::InformerOptions pod_options = owned_options;
  pod_options.drop_fields = {"metadata.managedFields",       "metadata.annotations",
                             "metadata.ownerReferences",     "spec",
                             "status.conditions",            "status.containerStatuses",
                             "status.initContainerStatuses", "status.ephemeralContainerStatuses"};
  informers_.push_back(std::make_unique<kube::Informer>(
      watch_client, kube::resources::RedisPersistences(), resource_options,
      [this](kube::EventType type, const kube::Object& object) {
        if (type == kube::EventType::kBookmark) return;
        queue_.Add(kube::ObjectKey(object));
      }));
  auto owned = [this](kube::EventType type, const kube::Object& object) {
    if (type != kube::EventType::kBookmark) EnqueueOwner(object);
  };
  for (const auto* type : {&kube::resources::ConfigMaps(), &kube::resources::Services(),
                           &kube::resources::StatefulSets(), &kube::resources::NetworkPolicies()}) {
    informers_.push_back(
        std::make_unique<kube::Informer>(watch_client, *type, owned_options, owned));
  }
  // Pods are the StatefulSet's, not ours: they name their resource in the instance label.
  informers_.push_back(std::make_unique<kube::Informer>(
      watch_client, kube::resources::Pods(), pod_options,
      [this](kube::EventType type, const kube::Object& pod) {
        auto instance = pod.labels.find(std::string(reconcile::kLabelInstance));
        if (type != kube::EventType::kBookmark && instance != pod.labels.end())
          queue_.Add(pod.namespace_ + "/" + instance->second);
      }));
  resources_ = informers_[0].get();
  config_maps_ = informers_[1].get();
  services_ = informers_[2].get();
  stateful_sets_ = informers_[3].get();
  network_policies_ = informers_[4].get();
  pods_ = informers_[5].get();
  sidecars_ = MakeHttpSidecarClient(options_.sidecar_port, options_.sidecar_timeout);
  // As client-go's workqueue_depth: the keys ready now. The resync keeps every resource in the
  // delayed set, which is no backlog.
  metrics_.queue_depth = [this] { return static_cast<int64_t>(queue_.Len()); };
  metrics_.watch_restarts = [this] {
    int64_t n = 0;
    for (const auto& informer : informers_) n += informer->watch_restarts();
    return n;
  };
}

Controller::~Controller() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  metrics_.queue_depth = nullptr;
  metrics_.watch_restarts = nullptr;
}

void Controller::StartInformers(const std::atomic<bool>& stop) {
  for (auto& informer : informers_) {
    threads_.emplace_back([&stop, informer = informer.get()] { informer->Run(stop); });
  }
}

bool Controller::Synced() const {
  for (const auto& informer : informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

void Controller::ShutDown() {
  queue_.ShutDown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Controller::EnqueueOwner(const kube::Object& object) {
  auto json = reconcile::ParseJson(object.json, object.name);
  if (!json) return;
  const Json* refs = reconcile::FindPath(*json, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return;
  for (const Json& ref : refs->as_array()) {
    if (reconcile::GetString(ref, "kind") != std::string(reconcile::kOwnerKind)) continue;
    if (reconcile::GetString(ref, "apiVersion") != std::string(reconcile::kGroupVersion)) continue;
    auto name = reconcile::GetString(ref, "name");
    if (name) queue_.Add(object.namespace_ + "/" + *name);
  }
}

void Controller::RunWorker(const std::atomic<bool>& stop) {
  while (!stop.load() && !Synced()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (stop.load()) return;
  log_.Info("caches synced; reconciling");
  while (auto key = queue_.Get()) {
    ReconcileResult result = ReconcileResult::kError;
    try {
      result = Reconcile(*key);
    } catch (const std::exception& e) {  // cpprestsdk's json throws on a type mismatch
      log_.Error("reconcile threw", *key, {{"error", e.what()}});
    }
    switch (result) {
      case ReconcileResult::kDone:
        metrics_.reconciles_success++;
        queue_.Forget(*key);
        if (resources_->Get(*key)) queue_.AddAfter(*key, options_.resync_period);
        break;
      case ReconcileResult::kConflict:
        metrics_.reconciles_requeue++;
        queue_.AddRateLimited(*key);
        break;
      case ReconcileResult::kError:
        metrics_.reconciles_error++;
        queue_.AddRateLimited(*key);
        break;
    }
    queue_.Done(*key);
  }
}

ReconcileResult Controller::Reconcile(const std::string& key) {
  auto object = resources_->Get(key);
  if (!object) {
    own_writes_.Forget(key);
    log_.Debug("resource gone; its objects are garbage-collected by their owner references", key);
    return ReconcileResult::kDone;
  }
  object = own_writes_.Freshest(key, std::move(*object));
  if (object->deleting) return ReconcileResult::kDone;
  auto json = reconcile::ParseJson(object->json, key);
  if (!json) {
    log_.Error("resource is not JSON", key, {{"error", json.error().ToString()}});
    return ReconcileResult::kDone;  // the next change of it brings it back
  }
  reconcile::ResourceMeta meta{object->name, object->namespace_, object->uid, object->generation};
  auto spec = policy::LoadRedisPersistence(object->json);

  reconcile::Observed observed;
  const std::string prefix = meta.namespace_ + "/";
  PassReads reads;
  reads.resource = object->resource_version;
  observed.config_map =
      ReadOwned(*config_maps_, "ConfigMap", prefix + reconcile::ConfigMapName(meta), reads);
  observed.headless_service =
      ReadOwned(*services_, "Service", prefix + reconcile::HeadlessServiceName(meta), reads);
  observed.client_service =
      ReadOwned(*services_, "Service", prefix + reconcile::ClientServiceName(meta), reads);
  observed.stateful_set =
      ReadOwned(*stateful_sets_, "StatefulSet", prefix + reconcile::StatefulSetName(meta), reads);
  observed.network_policy = ReadOwned(*network_policies_, "NetworkPolicy",
                                      prefix + reconcile::NetworkPolicyName(meta), reads);
  if (spec) {
    auto token = ReadPeerTokenSecret(client_, meta, observed);
    if (!token) return Failed(key, "reading the peer token Secret", token.error());
  }
  if (observed.stateful_set) {
    kube::ListOptions list;
    list.label_selector = Selector(reconcile::SelectorLabels(meta));
    auto claims =
        kube::ListAll(client_, kube::resources::PersistentVolumeClaims(), meta.namespace_, list);
    if (!claims) return Failed(key, "listing claims", claims.error());
    for (const auto& claim : claims->items) {
      if (auto c = reconcile::ParseJson(claim.json, claim.name)) observed.claims.push_back(*c);
    }
  }
  if (const Json* status = reconcile::Find(*json, "status")) {
    observed.status = reconcile::StatusFromJson(*status);
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (spec) {
    auto classes = ReadStorageClasses(client_, observed);
    if (!classes) return Failed(key, "reading StorageClasses", classes.error());
    PodIps ips = ReadSidecars(*pods_, meta, spec->spec.workload.replicas, *sidecars_, observed);
    if (!MayAct(key)) return ReconcileResult::kError;
    auto asked = RequestBackupIfAsked(client_, *sidecars_, *object, *json, meta, ips, now, observed);
    if (!asked) return Failed(key, "the on-demand backup", asked.error());
    if (*asked) {
      // The claim is the version the rest of this pass's writes follow.
      std::string claimed_version = (*asked)->resource_version;
      own_writes_.Record(key, reads.resource, std::move(**asked));
      reads.resource = std::move(claimed_version);
    }
  }

  reconcile::ReconcilePlan plan = reconcile::Plan(meta, spec, observed, options_.render, now);
  if (!spec) {
    std::string problems;
    for (const Error& e : spec.error()) problems += (problems.empty() ? "" : "; ") + e.ToString();
    // Once when it is found (the status changes), not at every resync.
    log_.Log(plan.actions.empty() ? LogLevel::kDebug : LogLevel::kWarn, "invalid spec", key,
             {{"problems", problems}});
  }

  for (const auto& action : plan.actions) {
    if (!MayAct(key)) return ReconcileResult::kError;
    auto done = Execute(key, action, reads);
    if (!done) {
      metrics_.errors++;
      bool conflict = done.error().IsConflict();
      log_.Log(conflict ? LogLevel::kInfo : LogLevel::kError,
               conflict ? "conflict; re-reading" : "action failed", key,
               {{"action", std::string(reconcile::ActionKindName(action.kind))},
                {"kind", action.kind_name},
                {"name", action.name},
                {"error", done.error().ToString()}});
      return conflict ? ReconcileResult::kConflict : ReconcileResult::kError;
    }
    log_.Info("done", key,
              {{"action", std::string(reconcile::ActionKindName(action.kind))},
               {"kind", action.kind_name},
               {"name", action.name},
               {"why", action.why}});
  }

  for (const auto& event : plan.events) {
    if (!MayAct(key)) return ReconcileResult::kError;
    std::string note = event.note.substr(0, 1024);
    Json body = reconcile::Obj({
        {"apiVersion", reconcile::Str("events.k8s.io/v1")},
        {"kind", reconcile::Str("Event")},
        {"metadata",
         reconcile::Obj({{"name", reconcile::Str(meta.name + "." +
                                                 reconcile::HashHex(MicroTimeNow() + event.reason))},
                         {"namespace", reconcile::Str(meta.namespace_)}})},
        {"eventTime", reconcile::Str(MicroTimeNow())},
        {"reportingController", reconcile::Str("tidemark.dev/tidemark-operator")},
        {"reportingInstance", reconcile::Str(options_.instance)},
        {"action", reconcile::Str("Reconcile")},
        {"reason", reconcile::Str(event.reason)},
        {"note", reconcile::Str(note)},
        {"type", reconcile::Str(event.type)},
        {"regarding", reconcile::Obj({{"apiVersion", reconcile::Str(reconcile::kGroupVersion)},
                                      {"kind", reconcile::Str(reconcile::kOwnerKind)},
                                      {"name", reconcile::Str(meta.name)},
                                      {"namespace", reconcile::Str(meta.namespace_)},
                                      {"uid", reconcile::Str(meta.uid)}})},
    });
    auto made = client_.Create(kube::resources::Events(), meta.namespace_, body.serialize());
    if (!made) log_.Warn("recording an event failed", key, {{"error", made.error().ToString()}});
  }
  return ReconcileResult::kDone;
}

bool Controller::MayAct(const std::string& key) {
  if (!options_.may_act || options_.may_act()) return true;
  log_.Warn("not leading any more; the pass stops before acting", key);
  return false;
}

ReconcileResult Controller::Failed(const std::string& key, const std::string& step,
                                   const kube::KubeError& error) {
  metrics_.errors++;
  const bool conflict = error.IsConflict();
  log_.Log(conflict ? LogLevel::kInfo : LogLevel::kError,
           conflict ? "conflict; re-reading" : "observing failed", key,
           {{"step", step}, {"error", error.ToString()}});
  return conflict ? ReconcileResult::kConflict : ReconcileResult::kError;
}

std::optional<Json> Controller::ReadOwned(const kube::Informer& informer, const std::string& kind,
                                          const std::string& key, PassReads& reads) {
  const std::string id = OwnedId(kind, key);
  auto cached = informer.Get(key);
  if (!cached) {
    // Created by an earlier pass whose ADDED event has not arrived: that object. Else gone (or
    // never made): the next write starts afresh.
    auto created = own_writes_.Created(id);
    if (!created) {
      reads.owned[id] = OwnWrites::kAbsent;
      return std::nullopt;
    }
    reads.owned[id] = created->resource_version;
    return Parsed(*created);
  }
  kube::Object object = own_writes_.Freshest(id, std::move(*cached));
  reads.owned[id] = object.resource_version;
  return Parsed(object);
}

kube::KubeStatus Controller::Execute(const std::string& key, const reconcile::Action& action,
                                     const PassReads& reads) {
  const kube::ResourceType* type = TypeOf(action.kind_name);
  if (type == nullptr) {
    return kube::MakeKubeError(kube::Reason::kUnknown, "no resource for kind " + action.kind_name,
                               key);
  }
  const std::string body = action.body.serialize();
  switch (action.kind) {
    case reconcile::ActionKind::kApply: {
      auto r = client_.Apply(*type, action.namespace_, action.name, body, /*force=*/true);
      if (!r) return std::unexpected(r.error());
      // Also a create (read as kAbsent): kept for a while only (OwnWrites::Created).
      const std::string id = OwnedId(action.kind_name, action.namespace_ + "/" + action.name);
      if (auto read = reads.owned.find(id); read != reads.owned.end())
        own_writes_.Record(id, read->second, std::move(*r));
      return {};
    }
    case reconcile::ActionKind::kCreate: {
      // Made once; one made meanwhile (another operator, a retried pass) is the one to keep.
      auto r = client_.Create(*type, action.namespace_, body);
      if (!r && !r.error().IsAlreadyExists()) return std::unexpected(r.error());
      return {};
    }
    case reconcile::ActionKind::kExpandClaim: {
      auto r = client_.Patch(*type, action.namespace_, action.name, kube::PatchType::kMerge, body);
      if (!r) return std::unexpected(r.error());
      return {};
    }
    case reconcile::ActionKind::kPatchStatus: {
      auto r =
          client_.Apply(*type, action.namespace_, action.name, body, /*force=*/true, {}, "status");
      if (!r) return std::unexpected(r.error());
      own_writes_.Record(key, reads.resource, std::move(*r));
      return {};
    }
    case reconcile::ActionKind::kDeleteOrphan: {
      // The operator's only delete. Orphan: the garbage collector must not take the pods with
      // the StatefulSet (claims have no owner and are never deleted); the uid precondition
      // keeps it from deleting a StatefulSet re-created since it was observed.
      auto live = stateful_sets_->Get(action.namespace_ + "/" + action.name);
      if (type != &kube::resources::StatefulSets() || !live) {
        return kube::MakeKubeError(kube::Reason::kUnknown,
                                   "delete-orphan of " + action.kind_name + " " + action.name +
                                       " not in the cache",
                                   key);
      }
      return client_.Delete(*type, action.namespace_, action.name, live->uid,
                            kube::Propagation::kOrphan);
    }
  }
  return {};
}

}  // namespace tidemark::controller
