#include "core/backup/cron_schedule.h"

#include <charconv>
#include <chrono>
#include <string>
#include <vector>

namespace tidemark::backup {

namespace {

struct Field {
  const char* name;
  int lo, hi;
};
constexpr Field kFields[5] = {
    {"minute", 0, 59}, {"hour", 0, 23}, {"day-of-month", 1, 31}, {"month", 1, 12},
    {"day-of-week", 0, 7}};

std::unexpected<Error> Bad(const Field& f, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(f.name) + ": " + what);
}

Result<int> Number(const Field& f, std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return Bad(f, "'" + std::string(s) + "' must be *, a number or a range");
  if (v < f.lo || v > f.hi)
    return Bad(f, std::to_string(v) + " is out of range " + std::to_string(f.lo) + "-" +
                      std::to_string(f.hi));
  return v;
}

// Sets bit i for every value of the comma list; `star` tells whether the field is a plain "*".
Result<std::vector<bool>> ParseField(const Field& f, std::string_view text, bool& star) {
  std::vector<bool> bits(static_cast<size_t>(f.hi + 1), false);
  star = text == "*";
  while (true) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = Number(Field{f.name, 1, 1 << 20}, item.substr(slash + 1));
      if (!s) return Bad(f, "step must be a number of at least 1");
      step = *s;
      item = item.substr(0, slash);
    }
    int lo = f.lo, hi = f.hi;
    if (item != "*") {
      auto dash = item.find('-');
      auto a = Number(f, item.substr(0, dash));
      if (!a) return std::unexpected(a.error());
      lo = hi = *a;
      if (dash != std::string_view::npos) {
        auto b = Number(f, item.substr(dash + 1));
        if (!b) return std::unexpected(b.error());
        hi = *b;
        if (hi < lo) return Bad(f, "range " + std::to_string(lo) + "-" + std::to_string(hi) + " is backwards");
      } else if (step > 1) {
        hi = f.hi;  // "N/S" means N, N+S, ... to the end of the range, as cron reads it
      }
    }
    for (int v = lo; v <= hi; v += step) bits[static_cast<size_t>(v)] = true;
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return bits;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  if (parts.size() != 5)
    return MakeError(ErrorCode::kInvalidArgument,
                     "must have 5 fields (minute hour day-of-month month day-of-week), found " +
                         std::to_string(parts.size()));
  CronSchedule c;
  bool star = false;
  for (int i = 0; i < 5; ++i) {
    auto bits = ParseField(kFields[i], parts[static_cast<size_t>(i)], star);
    if (!bits) return std::unexpected(bits.error());
    for (size_t v = 0; v < bits->size(); ++v) {
      if (!(*bits)[v]) continue;
      switch (i) {
        case 0: c.minute_.set(v); break;
        case 1: c.hour_.set(v); break;
        case 2: c.dom_.set(v); break;
        case 3: c.month_.set(v); break;
        case 4: c.dow_.set(v % 7); break;
      }
    }
    if (i == 2) c.dom_star_ = star;
    if (i == 4) c.dow_star_ = star;
  }
  return c;
}

bool CronSchedule::Matches(int64_t t) const {
  using namespace std::chrono;
  int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - day * 86400;
  year_month_day ymd{sys_days{days{day}}};
  unsigned dow = weekday{sys_days{days{day}}}.c_encoding();
  if (!minute_[static_cast<size_t>(secs / 60 % 60)] || !hour_[static_cast<size_t>(secs / 3600)] ||
      !month_[static_cast<unsigned>(ymd.month())])
    return false;
  bool dom = dom_[static_cast<unsigned>(ymd.day())];
  bool dw = dow_[dow];
  if (!dom_star_ && !dow_star_) return dom || dw;
  return dom && dw;
}

int64_t CronSchedule::NextAfter(int64_t t) const {
  int64_t m = (t >= 0 ? t / 60 : (t - 59) / 60) * 60 + 60;
  for (int64_t limit = m + int64_t{5} * 366 * 86400; m < limit; m += 60) {
    // Skip whole hours and days that cannot match, so a sparse schedule costs little.
    if (!Matches(m)) {
      int64_t day = m / 86400;
      int64_t secs = m - day * 86400;
      if (!hour_[static_cast<size_t>(secs / 3600)]) m = m - (secs % 3600) + 3600 - 60;
      continue;
    }
    return m;
  }
  return -1;
}

}  // namespace tidemark::backup
