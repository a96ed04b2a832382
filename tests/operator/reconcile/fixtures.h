// Shared by the reconcile tests: the checked-in examples loaded as resources with fixed
// metadata, and paths in the source tree.
#pragma once

#include <string>
#include <vector>

#include "core/policy/model.h"
#include "operator/reconcile/names.h"

namespace tidemark::reconcile::testing {

std::string SourcePath(const std::string& relative);
std::vector<std::string> ExampleFiles();                    // examples/*.yaml, sorted
std::string Stem(const std::string& path);                  // ".../hybrid.yaml" -> "hybrid"
policy::RedisPersistence LoadExample(const std::string& stem);  // aborts the test when invalid
// name/namespace from the resource ("default" when it has none), a fixed uid, generation 1.
ResourceMeta MetaFor(const policy::RedisPersistence& resource);
RenderOptions TestOptions();  // sidecar image "tidemark-sidecar:test"

}  // namespace tidemark::reconcile::testing
