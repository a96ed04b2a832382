#include "core/policy/cron.h"

#include <charconv>
#include <string>
#include <vector>

#include "core/policy/problems.h"

namespace tidemark::policy {

namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
};
constexpr FieldSpec kFields[] = {{"minute", 0, 59},
                                 {"hour", 0, 23},
                                 {"day-of-month", 1, 31},
                                 {"month", 1, 12},
                                 {"day-of-week", 0, 7}};

std::vector<std::string_view> Split(std::string_view text, char sep, bool skip_empty) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    if (!part.empty() || !skip_empty) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

// A decimal number of at most 9 digits (no sign), or -1.
int Number(std::string_view text) {
  if (text.empty() || text.size() > 9) return -1;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return -1;
  return value;
}

Status Fail(const FieldSpec& field, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, Cat({field.name, ": ", what}));
}

Status ValidateItem(const FieldSpec& field, std::string_view item) {
  std::string_view range = item;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    int step = Number(item.substr(slash + 1));
    if (step < 0) return Fail(field, Cat({"step '", item.substr(slash + 1), "' must be a number"}));
    if (step < 1) return Fail(field, "step must be at least 1");
  }
  if (range == "*") return {};
  const std::string bad = Cat({"'", range, "' must be *, a number or a range"});
  size_t dash = range.find('-');
  int lo = Number(range.substr(0, dash));
  int hi = dash == std::string_view::npos ? lo : Number(range.substr(dash + 1));
  if (lo < 0 || hi < 0) return Fail(field, bad);
  for (int v : {lo, hi}) {
    if (v < field.min || v > field.max)
      return Fail(field, Cat({std::to_string(v), " is out of range ", std::to_string(field.min),
                              "-", std::to_string(field.max)}));
  }
  if (lo > hi) return Fail(field, Cat({"range ", range, " is backwards"}));
  return {};
}

}  // namespace

Status ValidateCron(std::string_view schedule) {
  std::vector<std::string_view> fields = Split(schedule, ' ', /*skip_empty=*/true);
  if (fields.size() != 5)
    return MakeError(ErrorCode::kInvalidArgument,
                     "must have 5 fields (minute hour day-of-month month day-of-week), found " +
                         std::to_string(fields.size()));
  for (size_t i = 0; i < 5; ++i) {
    for (std::string_view item : Split(fields[i], ',', /*skip_empty=*/false)) {
      if (Status s = ValidateItem(kFields[i], item); !s) return s;
    }
  }
  return {};
}

}  // namespace tidemark::policy
