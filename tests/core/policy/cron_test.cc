#include "core/policy/cron.h"

#include <gtest/gtest.h>

#include <regex>

namespace tidemark::policy {
namespace {

std::string Message(const char* schedule) {
  Status s = ValidateCron(schedule);
  return s ? "ok" : s.error().message;
}

TEST(Cron, AcceptsFiveFieldSchedules) {
  for (const char* s :
       {"0 * * * *", "*/15 * * * *", "30 2 * * *", "0 0 1,15 * *", "0 9-17 * * 1-5", "5 4 * * 0",
        "5 4 * * 7", "0 0 29 2 *", "0-59/5 0-23/2 1-31 1-12 0-7", "0  3  *  *  *"})
    EXPECT_EQ(Message(s), "ok") << s;
}

TEST(Cron, NamesTheFieldAndTheProblem) {
  EXPECT_EQ(Message("0 * * *"),
            "must have 5 fields (minute hour day-of-month month day-of-week), found 4");
  EXPECT_EQ(Message("0 * * * * *"),
            "must have 5 fields (minute hour day-of-month month day-of-week), found 6");
  EXPECT_EQ(Message(""),
            "must have 5 fields (minute hour day-of-month month day-of-week), found 0");
  EXPECT_EQ(Message("60 * * * *"), "minute: 60 is out of range 0-59");
  EXPECT_EQ(Message("0 24 * * *"), "hour: 24 is out of range 0-23");
  EXPECT_EQ(Message("0 0 0 * *"), "day-of-month: 0 is out of range 1-31");
  EXPECT_EQ(Message("0 0 * 13 *"), "month: 13 is out of range 1-12");
  EXPECT_EQ(Message("0 0 * * 8"), "day-of-week: 8 is out of range 0-7");
  EXPECT_EQ(Message("0 5-2 * * *"), "hour: range 5-2 is backwards");
  EXPECT_EQ(Message("*/0 * * * *"), "minute: step must be at least 1");
  EXPECT_EQ(Message("*/x * * * *"), "minute: step 'x' must be a number");
  EXPECT_EQ(Message("0 0 * JAN *"), "month: 'JAN' must be *, a number or a range");
  EXPECT_EQ(Message("0 0 * * 1,"), "day-of-week: '' must be *, a number or a range");
  EXPECT_EQ(Message("@daily"),
            "must have 5 fields (minute hour day-of-month month day-of-week), found 1");
}

// The CRD's pattern and ValidateCron agree, except for backwards ranges (the pattern cannot see
// them; documented).
TEST(Cron, CrdPatternAgreesWithValidateCron) {
  const std::regex pattern{std::string(kCronPattern)};
  for (const char* s : {"0 * * * *", "*/15 1-5 * * 1-5", "0 0 1,15 * 0", "60 * * * *", "0 24 * * *",
                        "0 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "*/0 * * * *",
                        "0 0 * JAN *", "0,5,10 */2 1-31/3 */1 0-7"}) {
    EXPECT_EQ(std::regex_search(std::string(s), pattern), ValidateCron(s).has_value()) << s;
  }
  EXPECT_TRUE(std::regex_search(std::string("0 5-2 * * *"), pattern));
  EXPECT_FALSE(ValidateCron("0 5-2 * * *"));
}

}  // namespace
}  // namespace tidemark::policy
