// Any text through the AOF manifest parser: never crash; and what it accepts survives a
// round trip through FormatManifestLine (the quoting Redis writes) unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/aof/aof_format.h"
#include "core/aof/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark::aof;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = ParseManifest(text, "fuzz.manifest");
  if (!m) {
    if (m.error().offset < 0 || static_cast<size_t>(m.error().offset) > size) std::abort();
    return 0;
  }
  if (!m->base && m->incrs.empty()) std::abort();
  std::string again;
  auto add = [&](const ManifestEntry& e) {
    std::string line = FormatManifestLine(e);
    // Escaping can push a line past the 1024 bytes Redis reads back (Redis has the same
    // limit when it rewrites its manifest); the round trip is only promised below it.
    if (line.size() > kManifestMaxLine) return false;
    again += line;
    return true;
  };
  for (const auto* e : m->LoadOrder())
    if (!add(*e)) return 0;
  for (const auto& e : m->history)
    if (!add(e)) return 0;
  auto m2 = ParseManifest(again, "formatted");
  if (!m2) std::abort();
  if (m2->LoadOrder().size() != m->LoadOrder().size()) std::abort();
  for (size_t i = 0; i < m->LoadOrder().size(); ++i) {
    if (m2->LoadOrder()[i]->name != m->LoadOrder()[i]->name) std::abort();
    if (m2->LoadOrder()[i]->seq != m->LoadOrder()[i]->seq) std::abort();
    if (!IsPlainFileName(m->LoadOrder()[i]->name)) std::abort();
  }
  return 0;
}
