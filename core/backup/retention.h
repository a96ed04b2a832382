// Which backups to keep: a pure planner over a store's listing.
//
// Rules, applied to the backups sorted newest first (by created_ms where known, else
// created_unix; then by name):
//   keep_last N     the N newest;
//   keep_daily N    the newest backup of each of the N most recent UTC days that have one;
//   keep_weekly N   the newest backup of each of the N most recent ISO weeks that have one;
//   always          the newest verified backup (whatever the rules say), so a store never
//                   loses its last good restore point to retention;
//   refuse-empty    unless allow_empty, zero-key backups do not take any rule's slot from a
//                   non-empty one: the rules are applied to the non-empty backups as if the empty
//                   ones did not exist, and an empty backup is kept only where the rules applied
//                   to all backups keep it. A burst of empty snapshots (an accidental FLUSHALL,
//                   a pod that started empty) therefore never rotates out the real data.
// Every decision carries the reasons (the rules that keep it, or why it goes). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::backup {

struct RetentionRules {
  uint32_t keep_last = 0;
  uint32_t keep_daily = 0;
  uint32_t keep_weekly = 0;
  bool allow_empty = false;
};

struct RetentionItem {
  std::string name;
  int64_t created_unix = 0;
  bool verified = false;
  uint64_t keys = 0;
  // Creation to the millisecond (metadata createdAtMillis), when known: orders backups of the
  // same second, which created_unix alone cannot (their names' random parts would decide).
  std::optional<int64_t> created_ms = std::nullopt;
};

struct RetentionDecision {
  std::string name;
  bool keep = false;
  std::vector<std::string> reasons;  // e.g. "keep-last 2 of 8", "daily 2026-11-28"
};

// One decision per item, newest first. Items are identified by name; duplicates are a caller
// bug (aborts).
std::vector<RetentionDecision> PlanRetention(const std::vector<RetentionItem>& items,
                                             const RetentionRules& rules);

}  // namespace tidemark::backup
