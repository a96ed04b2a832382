#include "core/policy/load.h"

#include "core/policy/defaults.h"
#include "core/policy/parse.h"
#include "core/policy/validate.h"

namespace tidemark::policy {

Checked<RedisPersistence> LoadRedisPersistence(std::string_view text) {
  Checked<RedisPersistence> resource = ParseRedisPersistence(text);
  if (!resource) return resource;
  ApplyDefaults(resource->spec);
  if (Problems problems = Validate(*resource); !problems.empty())
    return std::unexpected(std::move(problems));
  return resource;
}

}  // namespace tidemark::policy
