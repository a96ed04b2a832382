// Paths and helpers shared by the policy tests: the checked-in examples, negative examples and
// golden files, found from the source tree.
#pragma once

#include <string>
#include <vector>

namespace tidemark::policy::testing {

std::string SourcePath(const std::string& relative);  // TIDEMARK_SOURCE_DIR/relative
std::vector<std::string> YamlFiles(const std::string& relative_dir);  // sorted full paths
std::string Stem(const std::string& path);  // "examples/hybrid.yaml" -> "hybrid"
// The value of a "# NAME: value" header line, or "" when absent.
std::string Header(const std::string& text, const std::string& name);

}  // namespace tidemark::policy::testing
