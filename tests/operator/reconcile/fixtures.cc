#include "tests/operator/reconcile/fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/policy/load.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(TIDEMARK_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("examples")))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

policy::RedisPersistence LoadExample(const std::string& stem) {
  auto r = policy::LoadRedisPersistence(
      tidemark::testing::ReadFile(SourcePath("examples/" + stem + ".yaml")));
  if (!r) {
    ADD_FAILURE() << stem << ": " << policy::FormatProblems(r.error());
    std::abort();
  }
  return *r;
}

ResourceMeta MetaFor(const policy::RedisPersistence& resource) {
  return ResourceMeta{resource.name, resource.namespace_.empty() ? "default" : resource.namespace_,
                      "5f0c1d2e-0000-4000-8000-000000000001", 1};
}

RenderOptions TestOptions() {
  RenderOptions o;
  o.sidecar_image = "tidemark-sidecar:test";
  return o;
}

}  // namespace tidemark::reconcile::testing
