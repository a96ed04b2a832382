// Any text as a RedisPersistence: parsing, defaulting and validation must return the resource or
// problems, never crash or hang; whatever validates must render, and render the same twice.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/policy/load.h"
#include "core/policy/render_redis_conf.h"
#include "core/policy/render_sidecar_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto resource = tidemark::policy::LoadRedisPersistence(text);
  if (!resource) return 0;
  if (tidemark::policy::RenderRedisConf(*resource) != tidemark::policy::RenderRedisConf(*resource))
    __builtin_trap();
  (void)tidemark::policy::RenderSidecarPolicy(*resource);
  return 0;
}
