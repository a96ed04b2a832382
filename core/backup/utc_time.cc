#include "core/backup/utc_time.h"

#include <chrono>
#include <cstdio>

namespace tidemark::backup {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Civil {
  int year;
  unsigned month, day, hour, minute, second;
};

Civil ToCivil(int64_t t) {
  int64_t day = FloorDiv(t, 86400);
  int64_t secs = t - day * 86400;
  year_month_day ymd{sys_days{days{day}}};
  return Civil{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()), static_cast<unsigned>(secs / 3600),
               static_cast<unsigned>(secs / 60 % 60), static_cast<unsigned>(secs % 60)};
}

// Reads exactly `n` decimal digits.
bool Digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

std::optional<int64_t> FromCivil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                 unsigned s) {
  year_month_day ymd{std::chrono::year{static_cast<int>(y)}, std::chrono::month{mo},
                     std::chrono::day{d}};
  if (!ymd.ok() || y < 1970 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  int64_t day = sys_days{ymd}.time_since_epoch().count();
  return day * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

std::string FormatIsoUtc(int64_t t) {
  Civil c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string FormatCompactUtc(int64_t t) {
  Civil c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::optional<int64_t> ParseIsoUtc(std::string_view s) {
  unsigned y, mo, d, h, mi, se;
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  if (!Digits(s, 0, 4, y) || !Digits(s, 5, 2, mo) || !Digits(s, 8, 2, d) || !Digits(s, 11, 2, h) ||
      !Digits(s, 14, 2, mi) || !Digits(s, 17, 2, se))
    return std::nullopt;
  return FromCivil(y, mo, d, h, mi, se);
}

std::optional<int64_t> ParseCompactUtc(std::string_view s) {
  unsigned y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!Digits(s, 0, 4, y) || !Digits(s, 4, 2, mo) || !Digits(s, 6, 2, d) || !Digits(s, 9, 2, h) ||
      !Digits(s, 11, 2, mi) || !Digits(s, 13, 2, se))
    return std::nullopt;
  return FromCivil(y, mo, d, h, mi, se);
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  std::string head(s.substr(0, 19));
  head[10] = 'T';
  if (head.substr(17, 2) == "60") head.replace(17, 2, "59");
  auto local = ParseIsoUtc(head + "Z");
  if (!local) return std::nullopt;
  std::string_view zone = s.substr(19);
  if (!zone.empty() && zone[0] == '.') {
    size_t digits = 1;
    while (digits < zone.size() && zone[digits] >= '0' && zone[digits] <= '9') ++digits;
    if (digits == 1) return std::nullopt;
    zone.remove_prefix(digits);
  }
  if (zone == "Z" || zone == "z") return *local;
  unsigned zh, zm;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
      !Digits(zone, 1, 2, zh) || !Digits(zone, 4, 2, zm) || zh > 23 || zm > 59)
    return std::nullopt;
  const int64_t offset = (zh * 60 + zm) * 60;
  // Local time = UTC + offset, so UTC = local - offset.
  const int64_t t = zone[0] == '+' ? *local - offset : *local + offset;
  return t >= 0 ? std::optional<int64_t>(t) : std::nullopt;
}

int64_t UtcDayNumber(int64_t t) { return FloorDiv(t, 86400); }

std::string FormatUtcDay(int64_t t) { return FormatIsoUtc(t).substr(0, 10); }

// 1970-01-01 was a Thursday, so ISO weeks (Monday to Sunday) start on day -3 (1969-12-29).
int64_t UtcIsoWeekNumber(int64_t t) { return FloorDiv(UtcDayNumber(t) + 3, 7); }

std::string FormatIsoWeek(int64_t t) {
  // The ISO week belongs to the year of its Thursday.
  int64_t thursday = UtcIsoWeekNumber(t) * 7 - 3 + 3;
  year_month_day ymd{sys_days{days{thursday}}};
  year_month_day jan1{ymd.year(), std::chrono::January, std::chrono::day{1}};
  int64_t week = (thursday - sys_days{jan1}.time_since_epoch().count()) / 7 + 1;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-W%02lld", static_cast<int>(ymd.year()),
                static_cast<long long>(week));
  return buf;
}

}  // namespace tidemark::backup
