#include "core/backup/lineage.h"

#include <gtest/gtest.h>

namespace tidemark::backup {
namespace {

const Lineage kSelf{"shop/cache", "uid-1"};

LineageMatch Match(Lineage theirs, std::vector<std::string> accepted = {}) {
  return MatchLineage(kSelf, accepted, theirs);
}

TEST(Lineage, SameInstanceAndUidIsTheSame) {
  EXPECT_EQ(Match({"shop/cache", "uid-1"}), LineageMatch::kSame);
  EXPECT_EQ(Match({"shop/cache", ""}), LineageMatch::kSame);
}

TEST(Lineage, TheSameNameWithAnotherUidIsAnEarlierResourceNotAnotherInstance) {
  EXPECT_EQ(Match({"shop/cache", "uid-0"}), LineageMatch::kSameNameOtherUid);
}

TEST(Lineage, NothingRecordedOnEitherSideIsUnrecorded) {
  EXPECT_EQ(Match({"", ""}), LineageMatch::kUnrecorded);
  EXPECT_EQ(MatchLineage({}, {}, {"shop/other", "uid-9"}), LineageMatch::kUnrecorded);
}

TEST(Lineage, AnotherInstanceIsRefusedUnlessAcceptedByName) {
  EXPECT_EQ(Match({"shop/other", "uid-9"}), LineageMatch::kOther);
  EXPECT_EQ(Match({"other/cache", "uid-1"}), LineageMatch::kOther);  // the namespace counts
  EXPECT_EQ(Match({"shop/other", "uid-9"}, {"billing/x", "shop/other"}), LineageMatch::kAccepted);
}

}  // namespace
}  // namespace tidemark::backup
