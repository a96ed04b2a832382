// The one way to read a RedisPersistence: parse (parse.h), resolve the mode-dependent defaults
// (defaults.h), validate (validate.h). What comes back is safe to render (render_*.h).
// The CLI, the operator and the sidecar all go through here. Pure, thread-safe.
#pragma once

#include <string_view>

#include "core/policy/model.h"
#include "core/policy/problems.h"

namespace tidemark::policy {

// The defaulted, valid resource; or every problem found (parse problems first; validation runs
// only when the text parsed).
Checked<RedisPersistence> LoadRedisPersistence(std::string_view text);

}  // namespace tidemark::policy
