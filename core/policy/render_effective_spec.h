// Rendering the effective resource: the manifest as the model understands it, every field
// present with its defaulted value, in the CRD's field names (JSON, which kubectl also reads).
// `tidemark render --effective` prints it; a test checks its defaults against the CRD's.
// Optional sections that are off (backup, storage.aof, ...) are omitted, as in the manifest.
// Deterministic. Pure, thread-safe.
#pragma once

#include <string>

#include "core/policy/model.h"

namespace tidemark::policy {

// Precondition: ApplyDefaults ran on the spec (else: a bug; aborts).
std::string RenderEffectiveResource(const RedisPersistence& resource);

}  // namespace tidemark::policy
