#include "sidecar/apply_retention.h"

namespace tidemark::sidecar {

namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

Result<RetentionOutcome> ApplyRetention(BackupStore& store, const backup::RetentionRules& rules,
                                        JsonLog& log) {
  auto listing = store.List();
  if (!listing) return std::unexpected(listing.error());
  std::vector<backup::RetentionItem> items;
  for (const auto& m : listing->backups)
    items.push_back({m.name, m.created_unix, m.verified, m.total_keys(), m.created_unix_ms});
  RetentionOutcome out;
  for (const auto& d : backup::PlanRetention(items, rules)) {
    if (d.keep) {
      ++out.kept;
      continue;
    }
    if (auto s = store.Delete(d.name); !s) {
      log.Error("retention: delete failed", {LogField::Str("backup", d.name),
                                             LogField::Str("error", s.error().ToString())});
      return std::unexpected(s.error());
    }
    ++out.deleted;
    log.Info("retention: backup deleted",
             {LogField::Str("backup", d.name), LogField::Str("reason", Join(d.reasons))});
  }
  return out;
}

}  // namespace tidemark::sidecar
