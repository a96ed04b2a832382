#include "core/policy/defaults.h"

namespace tidemark::policy {

void ApplyDefaults(RedisPersistenceSpec& spec) {
  if (!spec.rdb.save_points) {
    if (spec.mode == Mode::kRdb || spec.mode == Mode::kHybrid)
      spec.rdb.save_points.emplace(kRedisDefaultSavePoints.begin(), kRedisDefaultSavePoints.end());
    else
      spec.rdb.save_points.emplace();
  }
  if (spec.backup && !spec.backup->destinations)
    spec.backup->destinations =
        spec.backup->object_store ? BackupDestinations::kBoth : BackupDestinations::kLocal;
}

}  // namespace tidemark::policy
