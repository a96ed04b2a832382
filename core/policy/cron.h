// Five-field cron schedules (spec.backup.schedule), the syntax of a Kubernetes CronJob without
// names or macros:
//
//   minute hour day-of-month month day-of-week        e.g. "30 2 * * *", "*/15 * * * 1-5"
//   0-59   0-23 1-31         1-12  0-7 (0 and 7 are Sunday)
//
// Each field is a comma-separated list of items; an item is "*", "N" or "N-M", optionally
// followed by "/STEP" (STEP >= 1). Fields are separated by spaces. Pure, thread-safe.
#pragma once

#include <string_view>

#include "core/base/error.h"

namespace tidemark::policy {

// The CRD's pattern for a schedule. It checks the syntax and the range of every number; it
// cannot see a backwards range ("5-2"), which ValidateCron also refuses.
inline constexpr std::string_view kCronPattern =
    R"(^(\*|[0-5]?[0-9](-[0-5]?[0-9])?)(/[1-9][0-9]*)?(,(\*|[0-5]?[0-9](-[0-5]?[0-9])?)(/[1-9][0-9]*)?)* +(\*|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[1-9][0-9]*)?(,(\*|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[1-9][0-9]*)?)* +(\*|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[1-9][0-9]*)?(,(\*|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[1-9][0-9]*)?)* +(\*|(0?[1-9]|1[0-2])(-(0?[1-9]|1[0-2]))?)(/[1-9][0-9]*)?(,(\*|(0?[1-9]|1[0-2])(-(0?[1-9]|1[0-2]))?)(/[1-9][0-9]*)?)* +(\*|[0-7](-[0-7])?)(/[1-9][0-9]*)?(,(\*|[0-7](-[0-7])?)(/[1-9][0-9]*)?)*$)";

// Ok, or kInvalidArgument whose message says which field is wrong and why, e.g.
//   "must have 5 fields (minute hour day-of-month month day-of-week), found 4"
//   "hour: 24 is out of range 0-23"
//   "minute: range 5-2 is backwards"
//   "day-of-week: step must be at least 1"
//   "month: 'x' must be *, a number or a range"
Status ValidateCron(std::string_view schedule);

}  // namespace tidemark::policy
