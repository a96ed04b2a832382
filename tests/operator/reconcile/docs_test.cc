// docs/operator.md prints the restart classification and the conditions from the code's own
// tables (between marker comments). A stale copy fails; regenerate with
//   TIDEMARK_UPDATE_GOLDEN=1 ./tidemark_reconcile_test --gtest_filter='Docs.*'
#include <gtest/gtest.h>

#include <cstdlib>

#include "operator/reconcile/conditions.h"
#include "operator/reconcile/restart_table.h"
#include "tests/operator/reconcile/fixtures.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;

void CheckSection(const std::string& marker, const std::string& generated) {
  const std::string path = SourcePath("docs/operator.md");
  std::string doc = tidemark::testing::ReadFile(path);
  const std::string open = "<!-- " + marker + " (generated) -->\n";
  const std::string close = "<!-- /" + marker + " -->";
  const size_t begin = doc.find(open);
  size_t end = doc.find(close);
  ASSERT_NE(begin, std::string::npos) << path << " lacks " << open;
  ASSERT_NE(end, std::string::npos) << path << " lacks " << close;
  const size_t from = begin + open.size();
  if (std::getenv("TIDEMARK_UPDATE_GOLDEN")) {
    doc.replace(from, end - from, generated);
    tidemark::testing::WriteFile(path, doc);
    end = from + generated.size();
  }
  EXPECT_EQ(doc.substr(from, end - from), generated) << path << ": " << marker << " is stale";
}

TEST(Docs, RestartTableIsTheCodes) { CheckSection("restart-table", SettingRulesMarkdown()); }
TEST(Docs, ConditionsTableIsTheCodes) { CheckSection("conditions-table", ConditionsMarkdown()); }

}  // namespace
}  // namespace tidemark::reconcile
