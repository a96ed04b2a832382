// Golden manifests: each example renders to the checked-in objects under
// tests/operator/reconcile/golden/NAME.json. After an intended change, regenerate with
//   TIDEMARK_UPDATE_GOLDEN=1 ./tidemark_reconcile_test --gtest_filter='Golden.*'
// and review the diff (git diff tests/operator/reconcile/golden).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "operator/reconcile/desired.h"
#include "operator/reconcile/peer_objects.h"
#include "tests/operator/reconcile/fixtures.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::reconcile {
namespace {

using namespace testing;

constexpr std::string_view kGoldenPeerSecretHex =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string Rendered(const std::string& stem) {
  auto r = LoadExample(stem);
  DesiredObjects d = RenderDesired(MetaFor(r), r, TestOptions());
  // The token Secret with fixed bytes in place of the random ones the controller draws.
  return PrettyJson(Obj({{"configMap", d.config_map},
                         {"peerTokenSecret", PeerTokenSecret(MetaFor(r), kGoldenPeerSecretHex)},
                         {"headlessService", d.headless_service},
                         {"clientService", d.client_service},
                         {"networkPolicy", d.network_policy.value_or(Json::null())},
                         {"statefulSet", d.stateful_set}}));
}

TEST(Golden, EveryExampleRendersToItsManifests) {
  const auto files = ExampleFiles();
  ASSERT_GE(files.size(), 6u);
  for (const auto& file : files) {
    const std::string stem = Stem(file);
    const std::string golden = SourcePath("tests/operator/reconcile/golden/" + stem + ".json");
    const std::string actual = Rendered(stem);
    if (std::getenv("TIDEMARK_UPDATE_GOLDEN")) tidemark::testing::WriteFile(golden, actual);
    ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " missing; see golden_test.cc";
    EXPECT_EQ(tidemark::testing::ReadFile(golden), actual)
        << golden << " differs; see golden_test.cc to update";
  }
}

TEST(Golden, NoGoldenFileWithoutAnExample) {
  for (const auto& entry :
       std::filesystem::directory_iterator(SourcePath("tests/operator/reconcile/golden"))) {
    const std::string stem = entry.path().stem().string();
    EXPECT_TRUE(std::filesystem::exists(SourcePath("examples/" + stem + ".yaml")))
        << entry.path() << " has no example: delete it";
  }
}

TEST(Golden, RenderingIsDeterministic) {
  for (const auto& file : ExampleFiles()) EXPECT_EQ(Rendered(Stem(file)), Rendered(Stem(file)));
}

}  // namespace
}  // namespace tidemark::reconcile
