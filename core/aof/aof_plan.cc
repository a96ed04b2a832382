#include "core/aof/aof_plan.h"

namespace tidemark::aof {

namespace {

std::unexpected<Error> Refuse(std::string message, int64_t offset = -1, std::string where = {}) {
  return MakeError(ErrorCode::kCorrupt, "no safe cut: " + std::move(message), offset,
                   std::move(where));
}

Result<std::optional<AofCutPlan>> PlanFix(const AofReport& report) {
  if (report.files.empty())
    return Refuse(report.error ? report.error->ToString() : "no AOF files to repair");
  for (const auto& f : report.files) {
    if (f.verdict == AofVerdict::kCorrupt)
      return Refuse("corruption in the middle of " + f.name + " (" +
                        (f.error ? f.error->ToString() : std::string("?")) +
                        "); cutting there would drop the intact records after it",
                    f.error ? f.error->offset : -1, f.name);
  }
  const AofFileReport& last = report.files.back();
  if (report.error && last.verdict == AofVerdict::kValid) return Refuse(report.error->ToString());
  if (last.verdict == AofVerdict::kValid) return std::optional<AofCutPlan>();
  AofCutPlan plan;
  plan.file = last.name;
  plan.original_size = last.bytes;
  plan.new_size = last.last_good_offset;
  plan.reason = last.zero_filled_tail
                    ? "the file ends in NUL bytes after offset " + std::to_string(plan.new_size)
                    : "the file ends inside a record or transaction after offset " +
                          std::to_string(plan.new_size);
  return std::optional<AofCutPlan>(std::move(plan));
}

Result<std::optional<AofCutPlan>> PlanTimestamp(const AofReport& report, int64_t t,
                                                bool drop_later_files) {
  if (report.files.empty())
    return Refuse(report.error ? report.error->ToString() : "no AOF files");
  const AofFileReport* cut_file = nullptr;
  for (const auto& f : report.files) {
    if (f.verdict == AofVerdict::kCorrupt)
      return Refuse(f.name + " is corrupt (" + (f.error ? f.error->ToString() : std::string()) +
                    "); repair it first");
    if (f.rdb_ctime && *f.rdb_ctime > t && f.type != AofPartType::kIncr)
      return Refuse(f.name + " is an RDB snapshot written at " + std::to_string(*f.rdb_ctime) +
                    ", after " + std::to_string(t) +
                    ": the writes before that time are no longer separable");
    if (!cut_file && f.timestamp_cut_offset) cut_file = &f;
  }
  if (!cut_file) {
    if (report.files.back().verdict == AofVerdict::kTruncated)
      return Refuse("no #TS annotation after " + std::to_string(t) +
                    ", and the last file has a truncated tail: use --fix");
    return std::optional<AofCutPlan>();
  }
  if (!cut_file->last && !drop_later_files)
    return Refuse("the first #TS annotation after " + std::to_string(t) + " is in " +
                      cut_file->name +
                      ", which is not the last file; later files would have to be removed "
                      "from the manifest by hand",
                  static_cast<int64_t>(*cut_file->timestamp_cut_offset), cut_file->name);
  if (*cut_file->timestamp_cut_offset == 0 && cut_file->type != AofPartType::kIncr)
    return Refuse(cut_file->name + " has nothing before timestamp " + std::to_string(t), 0,
                  cut_file->name);
  if (cut_file->verdict == AofVerdict::kTruncated &&
      *cut_file->timestamp_cut_offset > cut_file->last_good_offset)
    return Refuse("the cut would keep a truncated tail; use --fix first");
  AofCutPlan plan;
  plan.file = cut_file->name;
  plan.original_size = cut_file->bytes;
  plan.new_size = *cut_file->timestamp_cut_offset;
  plan.reason = "first #TS annotation after " + std::to_string(t) + " (#TS:" +
                std::to_string(*cut_file->timestamp_cut_at) + ") at offset " +
                std::to_string(plan.new_size);
  for (const AofFileReport* f = cut_file + 1; f != report.files.data() + report.files.size(); ++f)
    plan.later_files.push_back(f->name);
  return std::optional<AofCutPlan>(std::move(plan));
}

// When the state the files hold was complete: the RDB preamble's ctime, or the #TS an
// AOF-format base starts with (the rewrite writes one first). nullopt: unknown.
std::optional<int64_t> BaseTime(const AofFileReport& f) {
  if (f.format == AofPartFormat::kRdbPreamble) return f.rdb_ctime;
  if (f.commands_before_first_timestamp == 0) return f.first_timestamp;
  return std::nullopt;
}

// The checks of kRewindToTimestamp beyond those of the timestamp cut (see the header).
Status CheckReachable(const AofReport& report, int64_t t) {
  if (report.files.empty()) return Refuse("no AOF files");
  const AofFileReport& first = report.files.front();
  const bool from_base = first.type == AofPartType::kBase ||
                         first.format == AofPartFormat::kRdbPreamble;
  std::optional<int64_t> base_time;
  if (from_base) {
    base_time = BaseTime(first);
    if (!base_time)
      return Refuse(first.name + " carries no time (no RDB ctime, no #TS at its start): cannot "
                    "tell whether it was written before " + std::to_string(t));
    if (*base_time > t)
      return Refuse(first.name + " was written at " + std::to_string(*base_time) + ", after " +
                    std::to_string(t) + ": the writes before that time are no longer separable");
  }
  // Commands after the base that no #TS precedes.
  uint64_t untimed = 0;
  std::optional<int64_t> first_ts;
  for (size_t i = 0; i < report.files.size() && !first_ts; ++i) {
    const AofFileReport& f = report.files[i];
    if (i == 0 && from_base && f.format == AofPartFormat::kAof) continue;  // the base's snapshot
    untimed += f.commands_before_first_timestamp;
    first_ts = f.first_timestamp;
  }
  if (untimed == 0) return {};
  if (!first_ts)
    return Refuse(std::to_string(untimed) + " commands after the base and no #TS annotation: "
                  "the AOF was written with aof-timestamp-enabled off");
  if (*first_ts > t)
    return Refuse(std::to_string(untimed) + " commands before the first #TS annotation (#TS:" +
                  std::to_string(*first_ts) + ") were written between " +
                  (base_time ? std::to_string(*base_time) : std::string("the start")) +
                  " and then: cannot tell which came before " + std::to_string(t));
  return {};
}

}  // namespace

Result<std::optional<AofCutPlan>> PlanAofCut(const AofReport& report, AofCutMode mode,
                                             std::optional<int64_t> timestamp) {
  if (mode == AofCutMode::kFixTruncatedTail) return PlanFix(report);
  if (!timestamp)
    return MakeError(ErrorCode::kInvalidArgument, "a timestamp cut needs a timestamp");
  if (mode == AofCutMode::kRewindToTimestamp) {
    if (auto s = CheckReachable(report, *timestamp); !s) return std::unexpected(s.error());
  }
  return PlanTimestamp(report, *timestamp, mode == AofCutMode::kRewindToTimestamp);
}

}  // namespace tidemark::aof
