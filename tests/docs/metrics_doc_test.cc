// docs/metrics.md lists every metric the sidecar and the operator export, with its type, and
// nothing else: the sets are rendered by the code that serves /metrics (DeclareSidecarMetrics,
// RenderMetrics) and compared with the doc's table rows "| `name` | type | ...".
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "operator/controller/metrics.h"
#include "sidecar/metrics.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

// name -> type from "# TYPE name type" lines. (No std::regex: GCC 12's warns
// maybe-uninitialized inside it under the sanitizer build's -O1.)
std::map<std::string, std::string> Types(const std::string& exposition) {
  std::map<std::string, std::string> out;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string hash, keyword, name, type;
    if (words >> hash >> keyword >> name >> type && hash == "#" && keyword == "TYPE")
      out[name] = type;
  }
  return out;
}

std::map<std::string, std::string> Exported() {
  sidecar::Metrics sidecar_metrics;
  sidecar::DeclareSidecarMetrics(sidecar_metrics);
  auto out = Types(sidecar_metrics.Render());
  controller::Metrics operator_metrics;
  for (auto& [name, type] : Types(controller::RenderMetrics(operator_metrics))) {
    EXPECT_FALSE(out.count(name)) << name << " is exported by both binaries";
    out[name] = type;
  }
  return out;
}

std::map<std::string, std::string> Documented() {
  std::map<std::string, std::string> out;
  std::istringstream in(testing::ReadFile(std::string(TIDEMARK_SOURCE_DIR) + "/docs/metrics.md"));
  std::string line;
  // A table row: "| `tidemark_name` | type | ...".
  const std::string open = "| `tidemark_";
  while (std::getline(in, line)) {
    if (line.rfind(open, 0) != 0) continue;
    const size_t name_end = line.find("` | ", 3);
    if (name_end == std::string::npos) continue;
    const std::string name = line.substr(3, name_end - 3);
    const size_t type_begin = name_end + 4;
    const std::string type = line.substr(type_begin, line.find(" |", type_begin) - type_begin);
    EXPECT_FALSE(out.count(name)) << name << " has two rows";
    out[name] = type;
  }
  return out;
}

TEST(MetricsDoc, EveryExportedMetricIsDocumentedWithItsType) {
  auto exported = Exported();
  auto documented = Documented();
  ASSERT_GT(exported.size(), 10u);  // both sets rendered
  for (const auto& [name, type] : exported) {
    auto it = documented.find(name);
    ASSERT_NE(it, documented.end()) << name << " (" << type << ") is missing from docs/metrics.md";
    EXPECT_EQ(it->second, type) << name;
  }
}

TEST(MetricsDoc, TheDocNamesNoMetricTheCodeDoesNotExport) {
  auto exported = Exported();
  for (const auto& [name, type] : Documented())
    EXPECT_TRUE(exported.count(name)) << name << " is in docs/metrics.md but not exported";
}

}  // namespace
}  // namespace tidemark
