// docs/metrics.md lists every metric the sidecar and the operator export, with its type, and
// nothing else: the sets are rendered by the code that serves /metrics (DeclareSidecarMetrics,
// RenderMetrics) and compared with the doc's table rows "| `name` | type | ...".
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "operator/controller/metrics.h"
#include "sidecar/metrics.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

// name -> type from "# TYPE name type" lines.
std::map<std::string, std::string> Types(const std::string& exposition) {
  std::map<std::string, std::string> out;
  std::istringstream in(exposition);
  std::string line;
  const std::regex type_line(R"(^# TYPE (\S+) (\S+)$)");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, type_line)) out[m[1]] = m[2];
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
  const std::regex row(R"(^\| `(tidemark_[a-z_]+)` \| (counter|gauge|histogram|summary) \|)");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, row)) {
      EXPECT_FALSE(out.count(m[1])) << m[1] << " has two rows";
      out[m[1]] = m[2];
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
