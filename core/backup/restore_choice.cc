#include "core/backup/restore_choice.h"

#include <algorithm>

#include "core/backup/utc_time.h"

namespace tidemark::backup {

namespace {

std::optional<std::string> Ineligible(const RestoreCandidate& c, const RestoreChoiceOptions& o) {
  if (c.kind == CandidateKind::kLocal && !c.usable) return "local data unusable: " + c.unusable_why;
  if (c.kind == CandidateKind::kBackup && !c.usable) return "backup unusable: " + c.unusable_why;
  if (c.kind == CandidateKind::kReplica && !c.usable) return "replica unusable: " + c.unusable_why;
  if (c.rdb_version > o.max_rdb_version)
    return "RDB version " + std::to_string(c.rdb_version) + " is newer than the server loads (" +
           std::to_string(o.max_rdb_version) + ")";
  if (c.kind == CandidateKind::kBackup && !o.backups_allowed)
    return "restores from backups are off (policy restore.when: never)";
  if (c.kind == CandidateKind::kReplica && o.pinned_backup)
    return "the policy names a backup (" + *o.pinned_backup + ")";
  if (c.kind == CandidateKind::kBackup && o.pinned_backup && *o.pinned_backup != c.id)
    return "not the backup the policy names (" + *o.pinned_backup + ")";
  return std::nullopt;
}

int KindOrder(CandidateKind k) {
  return k == CandidateKind::kLocal ? 0 : k == CandidateKind::kReplica ? 1 : 2;
}

bool SameHistory(const RestoreCandidate& a, const RestoreCandidate& b) {
  return a.repl_id && b.repl_id && *a.repl_id == *b.repl_id && a.repl_offset && b.repl_offset;
}

// True when `a` ranks before `b` (the rules in the header, in order).
bool Better(const RestoreCandidate& a, const RestoreCandidate& b, const RestoreChoiceOptions& o) {
  if (!o.allow_empty && (a.keys > 0) != (b.keys > 0)) return a.keys > 0;
  if (SameHistory(a, b) && *a.repl_offset != *b.repl_offset) return *a.repl_offset > *b.repl_offset;
  if (a.time.has_value() != b.time.has_value()) return a.time.has_value();
  if (a.time && *a.time != *b.time) return *a.time > *b.time;
  // Equally fresh: local data needs no copy; a replica's copy is verified as it arrives and
  // holds at least what the backup does.
  if (a.kind != b.kind) return KindOrder(a.kind) < KindOrder(b.kind);
  return a.id > b.id;
}

std::string Describe(const RestoreCandidate& c) {
  std::string s = c.kind == CandidateKind::kLocal    ? "local data"
                  : c.kind == CandidateKind::kBackup ? "backup"
                                                     : "replica";
  s += ", " + std::to_string(c.keys) + " keys";
  if (c.time) s += ", from " + FormatIsoUtc(*c.time);
  if (c.repl_id && c.repl_offset)
    s += ", replication offset " + std::to_string(*c.repl_offset);
  return s;
}

}  // namespace

std::vector<RankedCandidate> RankRestoreCandidates(const std::vector<RestoreCandidate>& candidates,
                                                   const RestoreChoiceOptions& options) {
  std::vector<RankedCandidate> eligible, ineligible;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (auto why = Ineligible(candidates[i], options))
      ineligible.push_back({i, false, *why});
    else
      eligible.push_back({i, true, {}});
  }
  std::stable_sort(eligible.begin(), eligible.end(), [&](const auto& a, const auto& b) {
    return Better(candidates[a.index], candidates[b.index], options);
  });
  for (size_t r = 0; r < eligible.size(); ++r) {
    const RestoreCandidate& c = candidates[eligible[r].index];
    std::string why = "rank " + std::to_string(r + 1) + ": " + Describe(c);
    if (r > 0) {
      const RestoreCandidate& prev = candidates[eligible[r - 1].index];
      if (!options.allow_empty && prev.keys > 0 && c.keys == 0)
        why += " (empty: ranks after non-empty data)";
      else if (SameHistory(prev, c) && *prev.repl_offset != *c.repl_offset)
        why += " (same replication history, lower offset)";
      else
        why += " (older)";
    }
    eligible[r].reason = std::move(why);
  }
  eligible.insert(eligible.end(), ineligible.begin(), ineligible.end());
  return eligible;
}

}  // namespace tidemark::backup
