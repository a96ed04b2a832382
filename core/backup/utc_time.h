// UTC calendar arithmetic for backup names, metadata and retention (days, ISO weeks), without
// the process's time zone or clock. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::backup {

// "2026-11-28T02:15:00Z"
std::string FormatIsoUtc(int64_t unix_time);
// "20261128T021500Z"
std::string FormatCompactUtc(int64_t unix_time);
// Parses the two forms above exactly (no offsets, no fractions); nullopt otherwise, also for
// impossible dates (2026-02-30) and times before 1970.
std::optional<int64_t> ParseIsoUtc(std::string_view text);
std::optional<int64_t> ParseCompactUtc(std::string_view text);
// An RFC 3339 date-time ("2026-11-28T02:15:00.25+01:00", "...Z"): the second it falls in, as
// Unix time (fractions are dropped: Redis stamps its AOF by whole seconds). A leap second (:60)
// counts as :59. nullopt when it is not RFC 3339 or an impossible date.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Days since 1970-01-01 (UTC) of `unix_time`; "2026-11-28" form for messages.
int64_t UtcDayNumber(int64_t unix_time);
std::string FormatUtcDay(int64_t unix_time);
// ISO 8601 week, numbered from Monday 1969-12-29, and its "2026-W48" label.
int64_t UtcIsoWeekNumber(int64_t unix_time);
std::string FormatIsoWeek(int64_t unix_time);

}  // namespace tidemark::backup
