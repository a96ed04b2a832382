#include "kubectl-plugin/follow.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "core/backup/utc_time.h"
#include "kubectl-plugin/resource_view.h"

namespace tidemark::kubectl {

using reconcile::Json;

std::string NewRequestValue(const std::string& previous) {
  const std::string base = backup::FormatIsoUtc(static_cast<int64_t>(std::time(nullptr)));
  if (previous != base && previous.rfind(base + ".", 0) != 0) return base;
  // A second request within the same second must still differ: the operator acts once per value.
  int n = 1;
  if (previous != base) n = std::atoi(previous.c_str() + base.size() + 1);
  return base + "." + std::to_string(n + 1);
}

std::string AnnotationOf(const Json& resource, const std::string& key) {
  const Json* annotations = reconcile::FindPath(resource, {"metadata", "annotations"});
  return annotations ? reconcile::GetString(*annotations, key).value_or("") : "";
}

Outcome Annotate(kube::KubeClient& client, const std::string& ns, const std::string& name,
                 const std::string& key, const std::string& value) {
  Json patch = reconcile::Obj(
      {{"metadata",
        reconcile::Obj({{"annotations", reconcile::Obj({{key, reconcile::Str(value)}})}})}});
  kube::WriteOptions write;
  write.field_manager = "kubectl-tidemark";
  auto patched = client.Patch(kube::resources::RedisPersistences(), ns, name,
                              kube::PatchType::kMerge, patch.serialize(), write);
  if (!patched) {
    return FromKubeError(patched.error(),
                         "patch redispersistences.tidemark.dev " + ns + "/" + name);
  }
  return Ok();
}

Outcome FollowWith(const Fetch& fetch, const std::function<Progress(const Json&)>& check,
                   std::chrono::seconds timeout, std::chrono::milliseconds interval, Json* last) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string shown;
  while (true) {
    auto fetched = fetch();
    if (!fetched) return fetched.error();
    if (last != nullptr) *last = *fetched;
    Progress p = check(*fetched);
    const std::string line = p.phase + (p.message.empty() ? "" : ": " + p.message);
    if (!p.phase.empty() && line != shown) {
      std::fprintf(stderr, "%s\n", line.c_str());
      shown = line;
    }
    if (p.done) return p.failed ? Fail(kExitFailed, line) : Ok();
    if (std::chrono::steady_clock::now() + interval > deadline) {
      return Fail(kExitTimeout, "gave up after " + std::to_string(timeout.count()) +
                                    " s (--timeout); last: " + (line.empty() ? "no answer" : line));
    }
    std::this_thread::sleep_for(interval);
  }
}

Outcome Follow(kube::KubeClient& client, const std::string& ns, const std::string& name,
               const std::function<Progress(const Json&)>& check, std::chrono::seconds timeout,
               std::chrono::milliseconds interval, Json* last) {
  return FollowWith(
      [&]() -> std::expected<Json, Outcome> {
        auto object = GetResource(client, ns, name);
        if (!object) return std::unexpected(object.error());
        return reconcile::ParseJson(object->json, name).value_or(Json::object());
      },
      check, timeout, interval, last);
}

}  // namespace tidemark::kubectl
