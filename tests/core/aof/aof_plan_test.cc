#include "core/aof/aof_plan.h"

#include <gtest/gtest.h>

#include "tests/core/aof/memory_opener.h"

namespace tidemark::aof {
namespace {

AofReport Legacy(const std::string& data, std::optional<int64_t> t = std::nullopt) {
  MemoryOpener o;
  o.files["appendonly.aof"] = data;
  AofVerifyOptions opt;
  opt.truncate_after_timestamp = t;
  return VerifyLegacyAof(o, "appendonly.aof", opt);
}

const std::string kGood = Cmd({"SET", "a", "1"}) + Cmd({"SET", "b", "2"});

TEST(AofPlan, FixCutsATruncatedTailAtTheLastGoodOffset) {
  auto plan = PlanAofCut(Legacy(kGood + "*3\r\n$3"), AofCutMode::kFixTruncatedTail);
  ASSERT_TRUE(plan && *plan);
  EXPECT_EQ((*plan)->file, "appendonly.aof");
  EXPECT_EQ((*plan)->new_size, kGood.size());
  EXPECT_EQ((*plan)->original_size, kGood.size() + 6);
}

TEST(AofPlan, FixHasNothingToDoOnAValidFile) {
  auto plan = PlanAofCut(Legacy(kGood), AofCutMode::kFixTruncatedTail);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(*plan);
}

TEST(AofPlan, FixRefusesCorruptionInTheMiddle) {
  auto plan = PlanAofCut(Legacy(Cmd({"SET", "a", "1"}) + "junk\r\n" + kGood),
                         AofCutMode::kFixTruncatedTail);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("middle"), std::string::npos);
  EXPECT_EQ(plan.error().offset, 27);
}

TEST(AofPlan, TimestampCutKeepsOnlyEarlierWrites) {
  const std::string early = "#TS:100\r\n" + kGood;
  auto plan = PlanAofCut(Legacy(early + "#TS:200\r\n" + kGood, 150),
                         AofCutMode::kTruncateToTimestamp, 150);
  ASSERT_TRUE(plan && *plan) << (plan ? "" : plan.error().ToString());
  EXPECT_EQ((*plan)->new_size, early.size());
}

TEST(AofPlan, TimestampCutRefusesToEmptyALegacyFile) {
  auto plan = PlanAofCut(Legacy("#TS:200\r\n" + kGood, 150), AofCutMode::kTruncateToTimestamp, 150);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("nothing before"), std::string::npos);
}

TEST(AofPlan, TimestampCutRefusesACorruptFile) {
  auto plan = PlanAofCut(Legacy("#TS:100\r\n" + Cmd({"NOPE"}) + "#TS:200\r\n", 150),
                         AofCutMode::kTruncateToTimestamp, 150);
  EXPECT_FALSE(plan);
}

TEST(AofPlan, TimestampCutInAnEarlierFileIsRefused) {
  MemoryOpener o;
  o.files["b.aof"] = "#TS:100\r\n" + kGood;
  o.files["i1.aof"] = "#TS:200\r\n" + kGood;
  o.files["i2.aof"] = "#TS:300\r\n" + kGood;
  AofVerifyOptions opt;
  opt.truncate_after_timestamp = 150;
  AofReport r = VerifyAofDirectory(
      "file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile i2.aof seq 2 type i\n", "m", o, opt);
  auto plan = PlanAofCut(r, AofCutMode::kTruncateToTimestamp, 150);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("not the last file"), std::string::npos);
  // Cutting the last incr file to empty is fine.
  opt.truncate_after_timestamp = 250;
  r = VerifyAofDirectory(
      "file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile i2.aof seq 2 type i\n", "m", o, opt);
  plan = PlanAofCut(r, AofCutMode::kTruncateToTimestamp, 250);
  ASSERT_TRUE(plan && *plan);
  EXPECT_EQ((*plan)->file, "i2.aof");
  EXPECT_EQ((*plan)->new_size, 0u);
}

// The restore step's rewind: an AOF-format base starts with the #TS its rewrite wrote.
AofReport Dir(const std::string& base, const std::string& i1, const std::string& i2, int64_t t) {
  MemoryOpener o;
  o.files["b.aof"] = base;
  o.files["i1.aof"] = i1;
  o.files["i2.aof"] = i2;
  AofVerifyOptions opt;
  opt.truncate_after_timestamp = t;
  return VerifyAofDirectory(
      "file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile i2.aof seq 2 type i\n", "m", o, opt);
}

TEST(AofPlan, RewindCutsAnEarlierFileAndListsTheLaterOnes) {
  const std::string i1_head = "#TS:150\r\n" + kGood;
  auto plan = PlanAofCut(Dir("#TS:100\r\n" + kGood, i1_head + "#TS:200\r\n" + kGood,
                             "#TS:300\r\n" + kGood, 160),
                         AofCutMode::kRewindToTimestamp, 160);
  ASSERT_TRUE(plan && *plan) << (plan ? "" : plan.error().ToString());
  EXPECT_EQ((*plan)->file, "i1.aof");
  EXPECT_EQ((*plan)->new_size, i1_head.size());
  EXPECT_EQ((*plan)->later_files, std::vector<std::string>{"i2.aof"});
}

TEST(AofPlan, RewindHasNothingToCutWhenEveryWriteIsAtOrBeforeT) {
  auto plan = PlanAofCut(Dir("#TS:100\r\n" + kGood, "#TS:150\r\n" + kGood, "", 150),
                         AofCutMode::kRewindToTimestamp, 150);
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_FALSE(*plan);
}

TEST(AofPlan, RewindRefusesWhatCannotBePlacedInTime) {
  auto why = [](const AofReport& r, int64_t t) {
    auto plan = PlanAofCut(r, AofCutMode::kRewindToTimestamp, t);
    return plan ? std::string("no refusal") : plan.error().message;
  };
  // The base was written after T.
  EXPECT_NE(why(Dir("#TS:200\r\n" + kGood, "", "", 150), 150).find("after 150"), std::string::npos);
  // A base without its #TS: no time at all.
  EXPECT_NE(why(Dir(kGood, "#TS:200\r\n" + kGood, "", 250), 250).find("carries no time"),
            std::string::npos);
  // Commands and no #TS anywhere after the base: timestamps were off.
  EXPECT_NE(why(Dir("#TS:100\r\n" + kGood, kGood, "", 150), 150).find("aof-timestamp-enabled off"),
            std::string::npos);
  // Commands before the first #TS after the base, and T before that #TS: they may be later
  // than T. T at or after it: they are not.
  const AofReport late = Dir("#TS:100\r\n" + kGood, kGood + "#TS:200\r\n" + kGood, "", 150);
  EXPECT_NE(why(late, 150).find("cannot tell which came before 150"), std::string::npos);
  auto plan = PlanAofCut(Dir("#TS:100\r\n" + kGood, kGood + "#TS:200\r\n" + kGood,
                             "#TS:300\r\n" + kGood, 250),
                         AofCutMode::kRewindToTimestamp, 250);
  ASSERT_TRUE(plan && *plan) << (plan ? "" : plan.error().ToString());
  EXPECT_EQ((*plan)->file, "i2.aof");
  EXPECT_EQ((*plan)->new_size, 0u);
}

}  // namespace
}  // namespace tidemark::aof
