#include "operator/controller/observe.h"

#include <openssl/rand.h>

#include <set>

#include "core/backup/utc_time.h"
#include "operator/controller/sidecar_poll.h"
#include "operator/reconcile/backup_request.h"
#include "operator/reconcile/sidecar_report.h"

namespace tidemark::controller {

namespace {

using reconcile::Json;

std::string ClaimClass(const Json& claim) {
  const Json* spec = reconcile::Find(claim, "spec");
  return spec ? reconcile::GetString(*spec, "storageClassName").value_or("") : "";
}

}  // namespace

PodIps ReadSidecars(const kube::Informer& pods, const reconcile::ResourceMeta& meta,
                    int64_t replicas, SidecarClient& sidecars, reconcile::Observed& observed) {
  PodIps ips;
  for (int64_t i = 0; i < replicas; ++i) {
    const std::string name = reconcile::PodName(meta, i);
    auto pod = pods.Get(meta.namespace_ + "/" + name);
    if (!pod) {
      observed.sidecar_errors[name] = "no such pod yet";
      continue;
    }
    auto json = reconcile::ParseJson(pod->json, name);
    const Json* status = json ? reconcile::Find(*json, "status") : nullptr;
    const std::string ip = status ? reconcile::GetString(*status, "podIP").value_or("") : "";
    if (ip.empty()) {
      const std::string phase = status ? reconcile::GetString(*status, "phase").value_or("") : "";
      observed.sidecar_errors[name] =
          "the pod has no IP yet" + (phase.empty() ? std::string() : " (phase " + phase + ")");
      continue;
    }
    ips[name] = ip;
  }
  std::vector<std::string> names, addresses;
  for (const auto& [name, ip] : ips) {
    names.push_back(name);
    addresses.push_back(ip);
  }
  auto answers = PollSidecarStatus(sidecars, addresses);
  for (size_t i = 0; i < names.size(); ++i) {
    if (answers[i]) {
      observed.sidecars[names[i]] = std::move(*answers[i]);
    } else {
      observed.sidecars[names[i]] = std::nullopt;
      observed.sidecar_errors[names[i]] =
          "its sidecar did not answer: " + answers[i].error().ToString();
    }
  }
  return ips;
}

kube::KubeStatus ReadPeerTokenSecret(kube::KubeClient& client, const reconcile::ResourceMeta& meta,
                                     reconcile::Observed& observed) {
  auto secret = client.Get(kube::resources::Secrets(), meta.namespace_,
                           reconcile::PeerTokenSecretName(meta));
  if (secret) {
    // Only its presence matters: the operator never compares or rewrites it.
    observed.peer_token_secret = Json::object();
    return {};
  }
  if (!secret.error().IsNotFound()) return std::unexpected(secret.error());
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return kube::MakeKubeError(kube::Reason::kUnknown,
                               "no random bytes for the peer token (RAND_bytes failed)",
                               reconcile::PeerTokenSecretName(meta));
  static constexpr char kHex[] = "0123456789abcdef";
  observed.new_peer_secret_hex.clear();
  for (unsigned char b : bytes) {
    observed.new_peer_secret_hex += kHex[b >> 4];
    observed.new_peer_secret_hex += kHex[b & 15];
  }
  return {};
}

kube::KubeStatus ReadStorageClasses(kube::KubeClient& client, reconcile::Observed& observed) {
  std::set<std::string> classes;
  for (const Json& claim : observed.claims)
    if (std::string c = ClaimClass(claim); !c.empty()) classes.insert(c);
  for (const std::string& name : classes) {
    auto sc = client.Get(kube::resources::StorageClasses(), "", name);
    if (!sc) {
      // Absent, or not readable (a namespace-scoped install without the ClusterRole for
      // StorageClasses): not known to allow expansion, so the claim is reported, not patched.
      if (!sc.error().IsNotFound() && sc.error().reason != kube::Reason::kForbidden)
        return std::unexpected(sc.error());
      observed.storage_class_expandable[name] = false;
      continue;
    }
    auto json = reconcile::ParseJson(sc->json, name);
    observed.storage_class_expandable[name] =
        json && reconcile::GetBool(*json, "allowVolumeExpansion").value_or(false);
  }
  return {};
}

kube::KubeResult<std::optional<kube::Object>> RequestBackupIfAsked(
    kube::KubeClient& client, SidecarClient& sidecars, const kube::Object& resource,
    const Json& resource_json, const reconcile::ResourceMeta& meta, const PodIps& ips,
    int64_t now_unix, reconcile::Observed& observed) {
  const Json* value = reconcile::FindPath(
      resource_json, {"metadata", "annotations", reconcile::kBackupNowAnnotation});
  const std::string annotation = value && value->is_string() ? value->as_string() : "";
  const std::string primary = reconcile::PodName(meta, 0);

  std::optional<reconcile::SidecarReport> report;
  if (auto it = observed.sidecars.find(primary); it != observed.sidecars.end() && it->second)
    if (auto r = reconcile::ParseSidecarReport(*it->second, primary)) report = std::move(*r);
  auto recorded =
      reconcile::AdvanceBackupRequest(observed.status.backup_request, report ? &*report : nullptr);
  if (!reconcile::BackupRequestNeeded(annotation, recorded)) return std::nullopt;

  std::optional<kube::Object> claimed;
  reconcile::BackupRequest request;
  if (recorded && recorded->value == annotation) {
    request = *recorded;  // claimed earlier, not known to have arrived: ask again
  } else {
    // The claim comes first, guarded by the resourceVersion: of two operators (a leader change,
    // a stale cache) only one gets to ask, and a restart never asks for the same value twice
    // once the sidecar took it.
    request = reconcile::BackupRequest{annotation, std::string(reconcile::kRequestRequested),
                                       backup::FormatIsoUtc(now_unix), primary,
                                       "claimed by the operator"};
    reconcile::RedisPersistenceStatus claim;
    claim.backup_request = request;
    Json patch = reconcile::Obj(
        {{"metadata", reconcile::Obj({{"resourceVersion", reconcile::Str(resource.resource_version)}})},
         {"status", reconcile::StatusToJson(claim)}});
    auto written = client.Patch(kube::resources::RedisPersistences(), meta.namespace_, meta.name,
                                kube::PatchType::kMerge, patch.serialize(), {}, "status");
    if (!written) return std::unexpected(written.error());
    claimed = std::move(*written);
  }

  reconcile::BackupPost post;
  if (auto ip = ips.find(primary); ip == ips.end()) {
    auto why = observed.sidecar_errors.find(primary);
    post.detail = why != observed.sidecar_errors.end() ? why->second : "no pod IP";
  } else if (auto answer = sidecars.RequestBackup(ip->second); !answer) {
    post.detail = answer.error().ToString();
  } else {
    post = reconcile::BackupPost{true, answer->http_status, answer->body};
    while (!post.detail.empty() && (post.detail.back() == '\n' || post.detail.back() == ' '))
      post.detail.pop_back();
  }
  observed.backup_request = reconcile::AfterBackupPost(request, post);
  return claimed;
}

}  // namespace tidemark::controller
