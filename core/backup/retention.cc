#include "core/backup/retention.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "core/backup/utc_time.h"

namespace tidemark::backup {

namespace {

// Applies keep-last/daily/weekly to `order` (indexes into items, newest first) and adds the
// reasons of every kept index to `reasons`.
void ApplyRules(const std::vector<RetentionItem>& items, const std::vector<size_t>& order,
                const RetentionRules& rules, std::map<size_t, std::vector<std::string>>& reasons) {
  for (size_t i = 0; i < order.size() && i < rules.keep_last; ++i)
    reasons[order[i]].push_back("keep-last " + std::to_string(i + 1) + " of " +
                                std::to_string(rules.keep_last));
  std::set<int64_t> days, weeks;
  for (size_t idx : order) {
    int64_t t = items[idx].created_unix;
    if (days.size() < rules.keep_daily && days.insert(UtcDayNumber(t)).second)
      reasons[idx].push_back("daily " + FormatUtcDay(t));
    if (weeks.size() < rules.keep_weekly && weeks.insert(UtcIsoWeekNumber(t)).second)
      reasons[idx].push_back("weekly " + FormatIsoWeek(t));
  }
}

}  // namespace

std::vector<RetentionDecision> PlanRetention(const std::vector<RetentionItem>& items,
                                             const RetentionRules& rules) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Newest first by the finest time known: within one second, names (time + random part) do
  // not follow creation order, so they only break ties of equal times.
  auto at_ms = [&](size_t i) { return items[i].created_ms.value_or(items[i].created_unix * 1000); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (at_ms(a) != at_ms(b)) return at_ms(a) > at_ms(b);
    return items[a].name > items[b].name;
  });
  for (size_t i = 1; i < order.size(); ++i)
    if (items[order[i]].name == items[order[i - 1]].name) std::abort();  // caller bug

  std::map<size_t, std::vector<std::string>> reasons;
  if (rules.allow_empty) {
    ApplyRules(items, order, rules, reasons);
  } else {
    std::vector<size_t> non_empty;
    for (size_t idx : order)
      if (items[idx].keys > 0) non_empty.push_back(idx);
    ApplyRules(items, non_empty, rules, reasons);
    std::map<size_t, std::vector<std::string>> all;
    ApplyRules(items, order, rules, all);
    for (auto& [idx, why] : all)
      if (items[idx].keys == 0) reasons[idx] = std::move(why);
  }
  for (size_t idx : order) {
    if (items[idx].verified) {
      reasons[idx].push_back("newest verified backup");
      break;
    }
  }

  std::vector<RetentionDecision> out;
  out.reserve(order.size());
  for (size_t idx : order) {
    RetentionDecision d;
    d.name = items[idx].name;
    auto it = reasons.find(idx);
    d.keep = it != reasons.end() && !it->second.empty();
    if (d.keep) {
      d.reasons = std::move(it->second);
    } else {
      d.reasons.push_back(items[idx].keys == 0 && !rules.allow_empty
                              ? "empty backup outside the retention rules"
                              : "outside the retention rules (keep-last " +
                                    std::to_string(rules.keep_last) + ", daily " +
                                    std::to_string(rules.keep_daily) + ", weekly " +
                                    std::to_string(rules.keep_weekly) + ")");
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tidemark::backup
