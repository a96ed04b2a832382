#include "operator/reconcile/desired.h"

#include "core/policy/render_redis_conf.h"
#include "core/policy/render_sidecar_policy.h"
#include "operator/reconcile/peer_objects.h"
#include "operator/reconcile/pod_commands.h"
#include "operator/reconcile/pod_template.h"

namespace tidemark::reconcile {

namespace {

Json OwnerReference(const ResourceMeta& meta) {
  return Obj({{"apiVersion", Str(kGroupVersion)},
              {"kind", Str(kOwnerKind)},
              {"name", Str(meta.name)},
              {"uid", Str(meta.uid)},
              {"controller", Json::boolean(true)},
              {"blockOwnerDeletion", Json::boolean(true)}});
}

Json ServicePort(std::string_view name, int port) {
  return Obj({{"name", Str(name)}, {"port", Json::number(port)}, {"targetPort", Str(name)}});
}

}  // namespace

Json OwnedMetadata(const ResourceMeta& meta, const std::string& name) {
  return Obj({{"name", Str(name)},
              {"namespace", Str(meta.namespace_)},
              {"labels", Labels(meta)},
              {"ownerReferences", Arr({OwnerReference(meta)})}});
}

Json Labels(const ResourceMeta& meta) {
  Json labels = SelectorLabels(meta);
  labels[std::string(kLabelManagedBy)] = Str(kManagedBy);
  labels[std::string(kLabelPartOf)] = Str(kPartOf);
  return labels;
}

Json SelectorLabels(const ResourceMeta& meta) {
  return Obj({{std::string(kLabelName), Str(kAppName)},
              {std::string(kLabelInstance), Str(meta.name)}});
}

void StampDesiredHash(Json& object) {
  const std::string key(kDesiredHashAnnotation);
  Json copy = object;
  if (copy.has_object_field("metadata") && copy["metadata"].has_object_field("annotations")) {
    Json& metadata = copy["metadata"];
    metadata["annotations"].erase(key);
    if (metadata["annotations"].size() == 0) metadata.erase("annotations");
  }
  Json& metadata = object["metadata"];
  if (!metadata.has_object_field("annotations")) metadata["annotations"] = Json::object();
  metadata["annotations"][key] = Str(JsonHash(copy));
}

Json ClaimTemplate(std::string_view volume, const policy::Volume& spec, const ResourceMeta& meta) {
  Json claim_spec = Obj({{"accessModes", StrList(spec.access_modes)},
                         {"resources", Obj({{"requests", Obj({{"storage", Str(spec.size)}})}})},
                         {"volumeMode", Str("Filesystem")}});
  if (spec.storage_class_name) claim_spec["storageClassName"] = Str(*spec.storage_class_name);
  return Obj({{"apiVersion", Str("v1")},
              {"kind", Str("PersistentVolumeClaim")},
              {"metadata", Obj({{"name", Str(volume)}, {"labels", SelectorLabels(meta)}})},
              {"spec", claim_spec}});
}

DesiredObjects RenderDesired(const ResourceMeta& meta, const policy::RedisPersistence& resource,
                             const RenderOptions& options) {
  policy::RedisPersistence r = resource;
  r.name = meta.name;
  r.namespace_ = meta.namespace_;
  DesiredObjects out;

  out.config_map = Obj({{"apiVersion", Str("v1")},
                        {"kind", Str("ConfigMap")},
                        {"metadata", OwnedMetadata(meta, ConfigMapName(meta))},
                        {"data", Obj({{std::string(kConfKey), Str(policy::RenderRedisConf(r))},
                                      {std::string(kPolicyKey),
                                       Str(policy::RenderSidecarPolicy(r))},
                                      // The restore step's --peers (pod_commands.h).
                                      {std::string(kPeersKey),
                                       Str(PeerUrls(meta, r.spec.workload.replicas,
                                                    r.spec.workload.peer_tls_secret_name.has_value()))}})}});

  out.headless_service = Obj(
      {{"apiVersion", Str("v1")},
       {"kind", Str("Service")},
       {"metadata", OwnedMetadata(meta, HeadlessServiceName(meta))},
       {"spec", Obj({{"clusterIP", Str("None")},
                     // Replicas resolve pod 0's name before it is Ready (it becomes Ready only
                     // once its sidecar applied the policy).
                     {"publishNotReadyAddresses", Json::boolean(true)},
                     {"selector", SelectorLabels(meta)},
                     {"ports", Arr({ServicePort(kRedisPortName, kRedisPort),
                                    ServicePort(kSidecarPortName, kSidecarPort),
                                    ServicePort(kPeerPortName, kPeerPort)})}})}});

  Json primary = SelectorLabels(meta);
  primary[std::string(kPodNameLabel)] = Str(PodName(meta, 0));
  out.client_service =
      Obj({{"apiVersion", Str("v1")},
           {"kind", Str("Service")},
           {"metadata", OwnedMetadata(meta, ClientServiceName(meta))},
           {"spec", Obj({{"type", Str("ClusterIP")},
                         {"selector", primary},
                         {"ports", Arr({ServicePort(kRedisPortName, kRedisPort)})}})}});

  std::vector<Json> claims = {ClaimTemplate(kDataVolume, r.spec.storage.data, meta)};
  if (r.spec.storage.backup)
    claims.push_back(ClaimTemplate(kBackupVolume, *r.spec.storage.backup, meta));

  out.stateful_set = Obj(
      {{"apiVersion", Str("apps/v1")},
       {"kind", Str("StatefulSet")},
       {"metadata", OwnedMetadata(meta, StatefulSetName(meta))},
       {"spec", Obj({{"serviceName", Str(HeadlessServiceName(meta))},
                     {"replicas", Json::number(static_cast<int64_t>(r.spec.workload.replicas))},
                     {"selector", Obj({{"matchLabels", SelectorLabels(meta)}})},
                     // Pod 0 (the primary) first; replicas start once it is Ready.
                     {"podManagementPolicy", Str("OrderedReady")},
                     {"updateStrategy", Obj({{"type", Str("RollingUpdate")}})},
                     {"template", PodTemplate(meta, r, options)},
                     {"volumeClaimTemplates", Arr(std::move(claims))}})}});

  if (options.network_policy) out.network_policy = SidecarNetworkPolicy(meta);

  StampDesiredHash(out.config_map);
  StampDesiredHash(out.headless_service);
  StampDesiredHash(out.client_service);
  StampDesiredHash(out.stateful_set);
  if (out.network_policy) StampDesiredHash(*out.network_policy);
  return out;
}

}  // namespace tidemark::reconcile
