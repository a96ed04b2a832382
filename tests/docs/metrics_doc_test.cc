// docs/metrics.md lists every metric the sidecar and the operator export, with its type, and
// nothing else: the sets are rendered by the code that serves /metrics (DeclareSidecarMetrics,
// RenderMetrics) and compared with the doc's table rows "| `name` | type | ...". And every
// metric name the alert rules, the dashboard, the chart or any doc mentions is one of them.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>
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

// Every "tidemark_<name>" token in the files under `dir` (recursively) whose name ends with one
// of `extensions`, with the file it was found in.
std::map<std::string, std::string> MentionedNames(const std::string& dir,
                                                  const std::set<std::string>& extensions) {
  std::map<std::string, std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || !extensions.count(entry.path().extension().string())) continue;
    const std::string text = testing::ReadFile(entry.path().string());
    for (size_t at = text.find("tidemark_"); at != std::string::npos;
         at = text.find("tidemark_", at + 1)) {
      if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_'))
        continue;  // inside a longer word
      size_t end = at;
      while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) ||
                                   std::isdigit(static_cast<unsigned char>(text[end])) ||
                                   text[end] == '_'))
        ++end;
      out.emplace(text.substr(at, end - at), entry.path().string());
    }
  }
  return out;
}

TEST(MetricsDoc, EveryMetricNamedInRulesDashboardChartAndDocsIsExported) {
  const auto exported = Exported();
  const std::string root = TIDEMARK_SOURCE_DIR;
  size_t seen = 0;
  for (const auto& [dir, extensions] :
       std::vector<std::pair<std::string, std::set<std::string>>>{
           {root + "/helm/tidemark", {".yaml", ".json", ".txt", ".tpl"}},
           {root + "/docs", {".md"}},
           {root + "/examples", {".yaml", ".md"}}}) {
    for (const auto& [name, file] : MentionedNames(dir, extensions)) {
      ++seen;
      EXPECT_TRUE(exported.count(name)) << file << " names " << name << ", which neither binary exports";
    }
  }
  ASSERT_GT(seen, 20u);  // the rules and docs were found and read
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
