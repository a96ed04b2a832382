// Defaults of the RedisPersistence spec.
//
// Most defaults are the default member initializers of model.h, and the CRD declares the same
// values (`default:` in crds/tidemark.dev_redispersistences.yaml; a test compares the two). The
// defaults that depend on another field cannot be written in the CRD and are resolved here:
//   spec.rdb.savePoints   mode rdb or hybrid: Redis's own defaults (3600 1, 300 100, 60 10000)
//                         mode aof or none:   none
//   spec.backup.destinations   both when spec.backup.objectStore is set, local otherwise
#pragma once

#include <array>

#include "core/policy/model.h"

namespace tidemark::policy {

// Redis 7's compiled-in save points.
inline constexpr std::array<SavePoint, 3> kRedisDefaultSavePoints = {
    SavePoint{3600, 1}, SavePoint{300, 100}, SavePoint{60, 10000}};

// Fills every field left unset by the manifest whose default depends on other fields. Idempotent;
// never overrides what the manifest says (an explicit `savePoints: []` stays empty).
void ApplyDefaults(RedisPersistenceSpec& spec);

}  // namespace tidemark::policy
