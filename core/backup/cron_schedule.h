// When a five-field cron schedule (core/policy/cron.h has the syntax and its validation) fires:
// the backup scheduler's pure half. Minutes are UTC, as in the policy.
//
// Day matching follows cron(8): when both day-of-month and day-of-week are restricted (neither
// is "*"), a day matches if EITHER matches; otherwise both must. Pure, thread-safe.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::backup {

class CronSchedule {
 public:
  // kInvalidArgument naming the field for anything ValidateCron would refuse.
  static Result<CronSchedule> Parse(std::string_view text);

  // True when the schedule fires in the minute containing `unix_time`.
  bool Matches(int64_t unix_time) const;
  // The first minute start strictly after `unix_time` that matches (searches up to 5 years;
  // -1 if none, e.g. "0 0 31 2 *").
  int64_t NextAfter(int64_t unix_time) const;

 private:
  std::bitset<60> minute_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;
  std::bitset<13> month_;
  std::bitset<8> dow_;  // 0..6, Sunday = 0 (7 folds into 0)
  bool dom_star_ = false;
  bool dow_star_ = false;
};

}  // namespace tidemark::backup
