#include "sidecar/restore.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "core/aof/aof_plan.h"
#include "core/backup/restore_choice.h"
#include "core/backup/utc_time.h"
#include "io/aof_files.h"
#include "io/durable_file.h"
#include "io/file_source.h"
#include "sidecar/aof_position.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/lineage_marker.h"
#include "sidecar/manifest_rebuild.h"
#include "sidecar/snapshot_backup.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

namespace {

using backup::CandidateKind;
using backup::RestoreCandidate;

// How long the marker's write waits for a backup holding the store's lock: the pod's start waits
// too, and a backup under way is itself evidence of data.
constexpr int kMarkerLockWaitMs = 3000;

RestoreOutcome Outcome(RestoreAction action, std::string source, std::string installed) {
  RestoreOutcome out;
  out.action = action;
  out.source = std::move(source);
  out.installed = std::move(installed);
  return out;
}

// The installed snapshot's replication position, for the restore record: with AOF on Redis
// forgets it when loading, and the replicas' hold-back judges pod 0 by it (replica_guard.h).
RestoreOutcome WithPosition(RestoreOutcome out, const RdbReport& installed) {
  backup::BackupMetadata m;
  FillFromRdbReport(installed, m);
  out.repl_id = m.repl_id.value_or("");
  out.repl_offset = m.repl_offset;
  return out;
}

struct LocalData {
  enum class Kind { kNone, kAof, kRdb };
  Kind kind = Kind::kNone;
  RestoreCandidate candidate;          // when kind != kNone
  std::vector<std::string> unusable;   // paths that do not verify: moved aside on any install
  std::vector<std::string> notes;      // repairs done on the way
  std::vector<std::string> aof_files;  // kAof: the names the manifest lists
};

bool IsDir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool Exists(const std::string& p) {
  struct stat st{};
  return ::lstat(p.c_str(), &st) == 0;
}
int64_t MTime(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 ? st.st_mtime : 0;
}

std::optional<uint64_t> ParseU64(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size()) return std::nullopt;
  return v;
}

std::unexpected<Error> Fatal(const std::string& where, const std::string& message) {
  return MakeError(ErrorCode::kCorrupt, message, -1, where);
}

// A manifest is missing when absent or blank: Redis 7 then starts empty over the parts.
bool ManifestMissing(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text) return true;
  return text->find_first_not_of(" \t\r\n") == std::string::npos;
}

// A cut longer than the limit is not a torn last write: refused, every byte kept. Never an older
// backup instead (the step fails before any candidate is compared): the AOF may hold writes no
// backup has.
Status CheckTailCutLimit(const RestoreOptions& o, const std::string& dir,
                         const aof::AofCutPlan& plan, const std::string& what) {
  const uint64_t cut = plan.original_size - plan.new_size;
  if (cut <= o.max_aof_tail_repair_bytes) return {};
  const std::string file = dir + "/" + plan.file;
  return Fatal(file, "the AOF ends with an incomplete record (" + what + "); repairing it would cut " +
                         std::to_string(cut) + " bytes of " + file + " (from offset " +
                         std::to_string(plan.new_size) + " to its end at " +
                         std::to_string(plan.original_size) + "), more than the limit of " +
                         std::to_string(o.max_aof_tail_repair_bytes) +
                         " bytes (policy restore.maxAofTailRepairBytes, "
                         "--max-aof-tail-repair-bytes). Nothing was cut, the files are kept as "
                         "they are. Look at the tail (`tidemark verify aof " + dir +
                         "`), then raise the limit above " + std::to_string(cut) +
                         " bytes, or cut it by hand with `tidemark verify aof --fix " + dir +
                         "` (keeps the original); to restore a backup instead, move " + dir +
                         " aside (the writes since that backup are lost)");
}

// Step 1, AOF part. Returns false in `present` when there is no AOF to speak of.
Status InspectAof(const RestoreOptions& o, JsonLog& log, int64_t now, LocalData& local,
                  bool& present) {
  present = false;
  const std::string dir = o.layout.AofDir();
  if (!IsDir(dir)) return {};
  const std::string manifest = dir + "/" + o.layout.appendfilename + ".manifest";
  if (ManifestMissing(manifest)) {
    auto text = RebuildAofManifest(ListNames(dir), o.layout.appendfilename, dir);
    if (!text) {
      if (text.error().code == ErrorCode::kNotFound) return {};  // no parts: nothing to keep
      return std::unexpected(text.error());
    }
    if (auto s = WriteFileDurably(manifest, *text); !s) return s;
    local.notes.push_back("rebuilt the missing manifest " + manifest);
    log.Warn("AOF manifest missing or empty: rebuilt from the part names",
             {LogField::Str("manifest", manifest), LogField::Str("content", *text)});
  }
  present = true;
  auto where = LocateAof(dir);
  if (!where) return std::unexpected(where.error());
  aof::AofVerifyOptions vopt = BoundedAofVerifyOptions(o.max_rdb_version);
  auto report = VerifyAofAt(*where, vopt);
  if (!report) return std::unexpected(report.error());
  if (report->verdict == aof::AofVerdict::kTruncated) {
    const std::string what = report->error ? report->error->ToString() : "truncated tail";
    if (!o.allow_aof_tail_repair)
      return Fatal(dir, "the AOF ends with an incomplete record (" + what +
                            "); tail repair is off (policy restore.allowAofTailRepair): enable it, "
                            "or repair with `tidemark verify aof --fix " + dir + "`");
    auto plan = aof::PlanAofCut(*report, aof::AofCutMode::kFixTruncatedTail);
    if (!plan) return std::unexpected(plan.error());
    if (!*plan) return Fatal(dir, "the AOF is truncated but no safe cut exists: " + what);
    if (auto s = CheckTailCutLimit(o, dir, **plan, what); !s) return s;
    auto kept = ApplyAofCut(dir, **plan, now);
    if (!kept) return std::unexpected(kept.error());
    local.notes.push_back("cut the truncated AOF tail: " + (*plan)->reason);
    log.Warn("AOF tail truncated: repaired",
             {LogField::Str("file", dir + "/" + (*plan)->file),
              LogField::Int("new_size", (*plan)->new_size),
              LogField::Int("bytes_cut", (*plan)->original_size - (*plan)->new_size),
              LogField::Int("limit", static_cast<int64_t>(o.max_aof_tail_repair_bytes)),
              LogField::Str("original_kept_at", *kept)});
    report = VerifyAofAt(*where, vopt);
    if (!report) return std::unexpected(report.error());
  }
  if (report->verdict != aof::AofVerdict::kValid) {
    const std::string what = report->error ? report->error->ToString() : "invalid";
    return Fatal(dir, "the AOF is corrupt (" + what +
                          "); the files are kept as they are. Inspect with `tidemark verify aof " +
                          dir + "`; to restore from a backup instead, move " + dir + " aside");
  }
  local.kind = LocalData::Kind::kAof;
  RestoreCandidate& c = local.candidate;
  c.kind = CandidateKind::kLocal;
  c.id = dir;
  int64_t newest = 0;
  uint64_t content = 0;
  for (const auto& f : report->files) {
    local.aof_files.push_back(f.name);
    newest = std::max(newest, MTime(dir + "/" + f.name));
    content += f.rdb_keys + f.commands;
    if (f.type == aof::AofPartType::kBase && f.format == aof::AofPartFormat::kRdbPreamble)
      c.rdb_version = f.rdb_version;
  }
  c.time = newest;
  c.keys = content;  // keys in the base plus commands after it: zero only for an empty AOF
  return {};
}

// Step 1, dump.rdb part.
void InspectRdb(const RestoreOptions& o, LocalData& local, bool candidate) {
  const std::string path = o.layout.RdbPath();
  if (!Exists(path)) return;
  auto src = FileSource::Open(path);
  RdbReport report;
  // Redis's own file, of unknown size: the duplicate-key check would cost 8 bytes a key.
  if (src)
    report = VerifyRdb(*src, {.name = path, .max_version = o.max_rdb_version,
                              .check_duplicate_keys = false,
                              .max_tracked_members = kDuplicateCheckMaxMembers});
  if (!src || !report.valid()) {
    local.unusable.push_back(path);
    if (!candidate) return;
    local.kind = LocalData::Kind::kRdb;
    local.candidate.kind = CandidateKind::kLocal;
    local.candidate.id = path;
    local.candidate.usable = false;
    local.candidate.unusable_why = src ? report.error->ToString() : src.error().ToString();
    return;
  }
  if (!candidate) return;
  local.kind = LocalData::Kind::kRdb;
  RestoreCandidate& c = local.candidate;
  c.kind = CandidateKind::kLocal;
  c.id = path;
  c.keys = report.total_keys();
  c.rdb_version = report.rdb_version;
  auto ctime = ParseU64(report.Aux("ctime"));
  c.time = ctime ? static_cast<int64_t>(*ctime) : MTime(path);
  auto id = report.Aux("repl-id");
  auto off = ParseU64(report.Aux("repl-offset"));
  if (id && off) {
    c.repl_id = *id;
    c.repl_offset = *off;
  }
}

// Redis forgets its replication position when it loads an AOF; the clean shutdown's dump.rdb
// may still tell it (aof_position.h). Recorded for the replicas' hold-back, or nothing (held).
void RecordKeptAofPosition(const RestoreOptions& o, const LocalData& local, JsonLog& log,
                           RestoreOutcome& out) {
  const std::string rdb = o.layout.RdbPath();
  const bool rdb_verified =
      Exists(rdb) && std::find(local.unusable.begin(), local.unusable.end(), rdb) == local.unusable.end();
  auto d = KeptAofPosition(o.layout, local.aof_files, rdb_verified);
  if (!d.position) {
    log.Info("the kept AOF's replication position is not known", {LogField::Str("why", d.reason)});
    return;
  }
  out.repl_id = d.position->replid;
  out.repl_offset = d.position->offset;
  log.Info("the kept AOF's replication position, from the shutdown save",
           {LogField::Str("replid", out.repl_id),
            LogField::Int("offset", static_cast<int64_t>(*out.repl_offset)),
            LogField::Str("reason", d.reason)});
}

// A point-in-time restore, the exact way: the local AOF rewound to T. The outcome when done,
// nullopt (and `why_not`) when the local AOF cannot show the state at T.
Result<std::optional<RestoreOutcome>> TryRewind(const RestoreOptions& o, const LocalData& local,
                                                const PointInTime& pit, JsonLog& log, int64_t now,
                                                std::string& why_not) {
  const RedisLayout& layout = o.layout;
  if (!layout.appendonly) {
    why_not = "appendonly is off: only a snapshot can be restored";
    return std::nullopt;
  }
  if (local.kind != LocalData::Kind::kAof) {
    why_not = "no AOF on the volume";
    return std::nullopt;
  }
  auto r = RewindAofToTime(layout.AofDir(), layout.appendfilename, pit.unix, o.max_rdb_version, now);
  if (!r) return std::unexpected(r.error());
  if (!r->reachable) {
    why_not = r->why_not;
    return std::nullopt;
  }
  if (r->cut) {
    std::string unlisted;
    for (const auto& f : r->unlisted) unlisted += (unlisted.empty() ? "" : ", ") + f;
    log.Warn("decision: rewind the local AOF to the point in time",
             {LogField::Str("pointInTime", pit.text), LogField::Str("cut", r->reason),
              LogField::Str("no_longer_loaded", unlisted),
              LogField::Int("bytes_after_point_in_time", static_cast<int64_t>(r->bytes_dropped)),
              LogField::Str("original_kept_at", r->original_kept_at)});
  } else {
    log.Info("decision: keep the local AOF: no write in it is later than the point in time",
             {LogField::Str("pointInTime", pit.text), LogField::Str("data", layout.AofDir())});
  }
  RestoreOutcome out = Outcome(RestoreAction::kRewoundLocalAof, layout.AofDir(), layout.AofDir());
  out.reason = r->cut ? "the local AOF rewound to " + pit.text + ": " + r->reason
                      : "no write in the local AOF is later than " + pit.text;
  return out;
}

}  // namespace

const char* RestoreActionName(RestoreAction a) {
  switch (a) {
    case RestoreAction::kKeptLocal: return "kept-local-data";
    case RestoreAction::kInstalledLocalSnapshot: return "installed-local-snapshot-as-aof-base";
    case RestoreAction::kInstalledBackup: return "installed-backup";
    case RestoreAction::kStartEmpty: return "start-empty";
    case RestoreAction::kRewoundLocalAof: return "rewound-local-aof-to-point-in-time";
    case RestoreAction::kInstalledReplicaSnapshot: return "installed-replica-snapshot";
  }
  return "?";
}

namespace {

// The first `max` items, "; "-separated, and how many more.
std::string Joined(const std::vector<std::string>& items, size_t max) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? "; " : "") + items[i];
  if (items.size() > max) out += "; and " + std::to_string(items.size() - max) + " more";
  return out.empty() ? "none" : out;
}

// What on the volume and beside it shows that the instance held data, before the stores are
// listed: files that do not verify, and the lineage markers.
std::vector<std::string> LocalEvidence(const RestoreOptions& o, const LocalData& local) {
  std::vector<std::string> evidence;
  for (const auto& p : local.unusable) evidence.push_back("local file that does not verify: " + p);
  for (const auto& dir : {std::optional<std::string>(o.layout.data_dir), o.marker_dir})
    if (dir)
      if (auto marker = DescribeLineageMarker(*dir)) evidence.push_back("lineage marker " + *marker);
  return evidence;
}

// A backup of another instance is ineligible, unless accepted; one without lineage or of an
// earlier resource of the same name is used, with a warning.
void CheckLineage(const RestoreOptions& o, const backup::BackupMetadata& m, JsonLog& log,
                  RestoreCandidate& c) {
  using backup::LineageMatch;
  const backup::Lineage theirs{m.instance, m.instance_uid};
  const LineageMatch match = backup::MatchLineage(o.lineage, o.accepted_lineages, theirs);
  const std::vector<LogField> fields = {
      LogField::Str("backup", m.name), LogField::Str("backup_instance", m.instance),
      LogField::Str("backup_uid", m.instance_uid), LogField::Str("instance", o.lineage.instance),
      LogField::Str("uid", o.lineage.uid),
      LogField::Str("lineage", backup::LineageMatchName(match))};
  switch (match) {
    case LineageMatch::kSame:
      return;
    case LineageMatch::kUnrecorded:
      if (!o.lineage.instance.empty())
        log.Warn("backup records no lineage (taken before lineage was recorded): accepted", fields);
      return;
    case LineageMatch::kSameNameOtherUid:
      log.Warn("backup of an earlier resource with this instance's name: accepted", fields);
      return;
    case LineageMatch::kAccepted:
      log.Warn("backup of another instance, accepted (--accept-lineage)", fields);
      return;
    case LineageMatch::kOther:
      c.usable = false;
      c.unusable_why = "another instance's lineage: taken by " + m.instance + " (uid " +
                       m.instance_uid + "), this is " + o.lineage.instance +
                       "; accept it with --accept-lineage " + m.instance +
                       " (spec.restore.fromInstance)";
      log.Warn("backup refused: another instance's lineage", fields);
      return;
  }
}

const char* KindName(CandidateKind k) {
  return k == CandidateKind::kLocal ? "local" : k == CandidateKind::kBackup ? "backup" : "replica";
}

Result<RestoreOutcome> RunRestoreSteps(const RestoreOptions& o,
                                       const std::vector<BackupStore*>& stores, JsonLog& log,
                                       Clock& clock, std::vector<std::string>& compared) {
  const int64_t now = clock.NowUnix();
  const RedisLayout& layout = o.layout;
  if (!IsDir(layout.data_dir))
    return MakeError(ErrorCode::kNotFound, "data directory missing (is the volume mounted?)", -1,
                     layout.data_dir);
  for (const auto& path : CleanupStaleRestoreFiles(
           layout, PosixFileSystem(),
           {kRestoreRecordName, kLineageMarkerFile, kPointInTimeMarkerName}))
    log.Info("removed what an interrupted restore left", {LogField::Str("path", path)});
  std::optional<PointInTime> pit = o.point_in_time;
  std::optional<int64_t> backups_not_after;  // point in time: later backups are not eligible
  if (pit && pit->once_per_volume && ReadPointInTimeMarker(layout.data_dir) == pit->unix) {
    // Rewinding again would drop what Redis wrote since the restore.
    log.Info("the policy's point in time was already restored on this volume: its data is kept; "
             "only a backup taken at or before that time may replace unusable data",
             {LogField::Str("pointInTime", pit->text)});
    backups_not_after = pit->unix;
    pit.reset();
  }

  // 1. Local data.
  LocalData local;
  bool aof_present = false;
  if (layout.appendonly) {
    if (auto s = InspectAof(o, log, now, local, aof_present); !s) return std::unexpected(s.error());
  }
  InspectRdb(o, local, /*candidate=*/!aof_present);
  for (const auto& p : local.unusable)
    log.Warn("local file does not verify", {LogField::Str("file", p)});

  std::string why_not;  // point in time: why the local AOF cannot reach it
  if (pit) {
    log.Info("point-in-time restore", {LogField::Str("pointInTime", pit->text),
                                       LogField::Int("unix", pit->unix)});
    auto rewound = TryRewind(o, local, *pit, log, now, why_not);
    if (!rewound) return std::unexpected(rewound.error());
    if (*rewound) {
      if (auto s = WritePointInTimeMarker(layout.data_dir, *pit, layout.AofDir(), now); !s)
        return std::unexpected(s.error());
      (*rewound)->has_data = local.candidate.keys > 0;
      return **rewound;
    }
    log.Warn("the local AOF cannot reach the point in time",
             {LogField::Str("pointInTime", pit->text), LogField::Str("why", why_not)});
    if (!pit->allow_older_snapshot)
      return Fatal(layout.data_dir,
                   "cannot restore to " + pit->text + ": " + why_not +
                       ". Nothing was changed. To accept the newest verified snapshot taken at or "
                       "before that time (the writes after it are lost), pass "
                       "--allow-older-snapshot (a policy's restore.source.pointInTime allows it)");
    backups_not_after = pit->unix;
  }

  // 2. Candidates: local first, then the backups, then the replicas (indexes below rely on it).
  std::vector<RestoreCandidate> candidates;
  struct StoredBackup {
    BackupStore* store;
    backup::BackupMetadata metadata;
  };
  std::vector<StoredBackup> backups;
  // Step 4's evidence that this instance once held data.
  std::vector<std::string> evidence = LocalEvidence(o, local);
  if (local.kind != LocalData::Kind::kNone) {
    candidates.push_back(local.candidate);
    RestoreCandidate& c = candidates.back();
    if (pit && c.usable && local.kind == LocalData::Kind::kAof) {
      c.usable = false;
      c.unusable_why = "the AOF holds writes after the point in time and cannot be cut there";
    } else if (pit && c.usable && c.time && *c.time > pit->unix) {
      c.usable = false;
      c.unusable_why = "written at " + backup::FormatIsoUtc(*c.time) + ", after the point in time";
    }
  }
  // Every store's backups (the volume's and the object store's alike); the same backup in two
  // stores is two candidates, the one listed first (the volume: no download) tried first.
  for (BackupStore* store : stores) {
    auto listing = store->List();
    if (!listing) return std::unexpected(listing.error());
    for (const auto& p : listing->problems) {
      log.Warn("backup not listed: its metadata does not read", {LogField::Str("problem", p)});
      evidence.push_back("a backup whose metadata does not read: " + p);
    }
    if (!listing->backups.empty())
      evidence.push_back(std::to_string(listing->backups.size()) + " backup(s) listed, newest " +
                         store->MetadataLocation(listing->backups.front().name));
    for (const auto& m : listing->backups) {
      RestoreCandidate c;
      c.kind = CandidateKind::kBackup;
      c.id = m.name;
      c.usable = m.verified;
      if (!m.verified) c.unusable_why = "the metadata says it did not verify when taken";
      c.time = m.snapshot_unix.value_or(m.created_unix);
      if (c.usable && backups_not_after && *c.time > *backups_not_after) {
        c.usable = false;
        c.unusable_why = "taken at " + backup::FormatIsoUtc(*c.time) + ", after the point in time " +
                         backup::FormatIsoUtc(*backups_not_after);
      }
      if (c.usable) CheckLineage(o, m, log, c);
      c.keys = m.total_keys();
      c.repl_id = m.repl_id;
      c.repl_offset = m.repl_offset;
      c.rdb_version = m.rdb_version;
      candidates.push_back(c);
      backups.push_back({store, m});
    }
  }
  const size_t backups_begin = local.kind != LocalData::Kind::kNone ? 1 : 0;
  const size_t peers_begin = candidates.size();
  // A replica's data is the primary's as of its link going down: compared only when the
  // primary's own data is gone, unusable or empty (a primary's intact data is never older).
  const bool local_missing =
      local.kind == LocalData::Kind::kNone || !local.candidate.usable || local.candidate.keys == 0;
  // Pod 0's only: one container spec serves every ordinal (the operator renders --peers for
  // all), and a replica takes the primary's data at its first sync, never another replica's.
  if (!o.peers.peers.empty() && o.is_replica) {
    log.Info("a replica: --peers ignored (only pod 0 restores from a replica)", {});
  } else if (!o.peers.peers.empty() && local_missing && !pit) {
    for (auto& c : GatherPeerCandidates(o.peers, now, log)) candidates.push_back(std::move(c));
  }
  backup::RestoreChoiceOptions copt;
  copt.max_rdb_version = o.max_rdb_version;
  copt.allow_empty = o.allow_empty_data;
  copt.backups_allowed = o.backups_allowed;
  copt.pinned_backup = o.pinned_backup;
  auto ranked = backup::RankRestoreCandidates(candidates, copt);
  for (const auto& r : ranked) {
    log.Info("restore candidate", {LogField::Str("candidate", candidates[r.index].id),
                                   LogField::Str("kind", KindName(candidates[r.index].kind)),
                                   LogField::Bool("eligible", r.eligible),
                                   LogField::Str("reason", r.reason)});
    compared.push_back(std::string(KindName(candidates[r.index].kind)) + " " +
                       candidates[r.index].id + ": " + (r.eligible ? "" : "ineligible: ") +
                       r.reason);
  }

  // 3. The best candidate that works.
  const std::string aside_label = pit ? "before-pitr" : "unusable";
  auto finish = [&](RestoreOutcome out, const RestoreCandidate& c, const std::string& reason,
                    uint64_t keys) -> Result<RestoreOutcome> {
    out.has_data = c.keys > 0;
    out.reason = reason;
    out.keys = keys;
    if (!pit) return out;
    // An older snapshot instead of T: say plainly what is not restored.
    log.Warn("point in time: restored the newest snapshot taken at or before it; the writes "
             "between the two are not restored",
             {LogField::Str("pointInTime", pit->text),
              LogField::Str("snapshot_time", c.time ? backup::FormatIsoUtc(*c.time) : "unknown"),
              LogField::Int("seconds_not_restored", c.time ? pit->unix - *c.time : -1),
              LogField::Str("local_aof_not_used_because", why_not)});
    if (auto s = WritePointInTimeMarker(layout.data_dir, *pit, out.installed, now); !s)
      return std::unexpected(s.error());
    return out;
  };
  for (const auto& r : ranked) {
    if (!r.eligible) continue;
    const RestoreCandidate& c = candidates[r.index];
    if (c.kind == CandidateKind::kLocal) {
      if (local.kind == LocalData::Kind::kAof || !layout.appendonly) {
        log.Info("decision: keep the local data", {LogField::Str("data", c.id),
                                                   LogField::Str("reason", r.reason)});
        RestoreOutcome kept = Outcome(RestoreAction::kKeptLocal, c.id, c.id);
        if (local.kind == LocalData::Kind::kAof) RecordKeptAofPosition(o, local, log, kept);
        return finish(std::move(kept), c, r.reason, c.keys);
      }
      // AOF on, only a dump.rdb: Redis 7 would ignore it and start empty. Install it as the base.
      auto src = FileSource::Open(c.id);
      if (!src) return std::unexpected(src.error());
      ExpectedSnapshot expected;
      expected.max_rdb_version = o.max_rdb_version;
      std::vector<std::string> replace = local.unusable;
      if (Exists(layout.AofDir())) replace.push_back(layout.AofDir());
      auto done = InstallSnapshot(*src, c.id, expected, layout, replace, now, aside_label);
      if (!done) return std::unexpected(done.error());
      for (const auto& m : done->moved_aside) log.Info("moved aside", {LogField::Str("move", m)});
      log.Info("decision: install the local dump.rdb as the AOF base (Redis 7 ignores a dump.rdb "
               "when appendonly is on)",
               {LogField::Str("data", c.id), LogField::Str("installed", done->installed),
                LogField::Int("keys", done->report.total_keys())});
      return finish(
          Outcome(RestoreAction::kInstalledLocalSnapshot, c.id, done->installed), c,
          r.reason, done->report.total_keys());
    }
    std::vector<std::string> replace = local.unusable;
    if (layout.appendonly) {
      if (Exists(layout.AofDir())) replace.push_back(layout.AofDir());
    } else if (Exists(layout.RdbPath()) && local.unusable.empty()) {
      replace.push_back(layout.RdbPath());
    }
    if (c.kind == CandidateKind::kReplica) {
      const PeerEndpoint& peer = o.peers.peers[r.index - peers_begin];
      auto done = InstallFromPeer(peer, o.peers, layout, replace, o.max_rdb_version, now,
                                  aside_label, log, clock);
      if (!done) {
        if (done.error().code == ErrorCode::kIo && done.error().where.starts_with(layout.data_dir))
          return std::unexpected(done.error());
        log.Warn("replica skipped: its snapshot never arrived whole and verified",
                 {LogField::Str("peer", peer.url), LogField::Str("reason", done.error().ToString())});
        continue;
      }
      for (const auto& mv : done->moved_aside) log.Info("moved aside", {LogField::Str("move", mv)});
      log.Info("decision: restore from the freshest replica",
               {LogField::Str("peer", peer.url), LogField::Str("reason", r.reason),
                LogField::Str("installed", done->installed),
                LogField::Int("keys", done->report.total_keys())});
      return finish(WithPosition(Outcome(RestoreAction::kInstalledReplicaSnapshot, peer.url,
                                         done->installed),
                                 done->report),
                    c, r.reason, done->report.total_keys());
    }
    const StoredBackup& b = backups[r.index - backups_begin];
    const backup::BackupMetadata& m = b.metadata;
    BackupStore* store = b.store;
    auto src = store->OpenForRead(m.name);
    if (!src) {
      log.Warn("backup skipped", {LogField::Str("backup", m.name),
                                  LogField::Str("data", store->DataLocation(m.name)),
                                  LogField::Str("reason", src.error().ToString())});
      continue;
    }
    ExpectedSnapshot expected{m.sha256, m.size_bytes, m.total_keys(), o.max_rdb_version};
    auto done = InstallSnapshot(**src, store->DataLocation(m.name), expected, layout, replace, now,
                                aside_label);
    if (!done) {
      // The data volume refusing writes (ENOSPC, read-only) fails every backup alike: stop.
      if (done.error().code == ErrorCode::kIo && done.error().where.starts_with(layout.data_dir))
        return std::unexpected(done.error());
      log.Warn("backup skipped", {LogField::Str("backup", m.name),
                                  LogField::Str("data", store->DataLocation(m.name)),
                                  LogField::Str("reason", done.error().ToString())});
      continue;
    }
    for (const auto& mv : done->moved_aside) log.Info("moved aside", {LogField::Str("move", mv)});
    log.Info("decision: restore from backup",
             {LogField::Str("backup", m.name), LogField::Str("data", store->DataLocation(m.name)),
              LogField::Str("reason", r.reason),
              LogField::Str("installed", done->installed),
              LogField::Int("keys", done->report.total_keys()),
              LogField::Str("sha256", m.sha256)});
    RestoreOutcome out =
        WithPosition(Outcome(RestoreAction::kInstalledBackup, m.name, done->installed), done->report);
    out.backup = m;
    return finish(std::move(out), c, r.reason, done->report.total_keys());
  }

  // 4. Nothing usable. Never an empty start for a point in time: empty is not the state at T.
  if (pit)
    return MakeError(ErrorCode::kNotFound,
                     "cannot restore to " + pit->text + ": the local AOF cannot reach it (" +
                         why_not + ") and no verified snapshot was taken at or before it" +
                         (stores.empty() ? " (no backup store given)" : "") +
                         "; the data on the volume was not replaced",
                     -1, layout.data_dir);
  const bool nothing_local = local.kind == LocalData::Kind::kNone && local.unusable.empty();
  const std::string what = std::string(nothing_local ? "no data on the volume"
                                                     : "the data on the volume is not usable") +
                           " and no usable backup" +
                           (stores.empty() ? " (no backup store given)" : "");
  const std::string evidence_text = Joined(evidence, evidence.size());
  if (o.is_replica) {
    // Its Redis starts with --replicaof: the first sync replaces whatever it starts with.
    log.Info("a replica: starting empty, its Redis copies the primary's data at the first sync",
             {LogField::Str("evidence", evidence_text)});
  } else if (!o.allow_start_empty && !o.force_empty && !(nothing_local && !o.backups_allowed)) {
    return MakeError(ErrorCode::kNotFound,
                     what + ": refusing to start Redis empty. Restore a backup into the store, or "
                            "pass --allow-empty to start with an empty dataset",
                     -1, layout.data_dir);
  } else if (!evidence.empty() && !o.force_empty && o.backups_allowed) {
    // The classic loss: a primary that held data coming back empty, then replicated empty.
    return MakeError(
        ErrorCode::kNotFound,
        what + ", but this instance once held data (" + evidence_text + "; candidates: " +
            Joined(compared, 5) +
            "): refusing to start Redis empty, its data would be lost for good. Make a good "
            "backup listable (check the store, its credentials; another instance's backups "
            "need --accept-lineage, spec.restore.fromInstance), or, to accept the loss and "
            "start empty, pass --force-empty (the resource's spec.restore.forceEmptyStart: "
            "true; remove it once the pod runs)",
        -1, layout.data_dir);
  } else if (!evidence.empty()) {
    log.Warn("starting empty although this instance once held data (--force-empty)",
             {LogField::Str("evidence", evidence_text)});
  }
  for (const auto& p : local.unusable) {
    auto to = MoveAside(p, now);
    if (!to) return std::unexpected(to.error());
    log.Info("moved aside", {LogField::Str("move", p + " -> " + *to)});
  }
  RestoreOutcome empty = Outcome(RestoreAction::kStartEmpty, "", "");
  empty.reason = o.is_replica     ? "a replica: the primary's data comes at the first sync"
                 : nothing_local ? "no data and no usable backup"
                                 : "local data unusable, no usable backup";
  log.Warn("decision: start empty", {LogField::Str("reason", empty.reason)});
  empty.keys = 0;
  return empty;
}

}  // namespace

Result<RestoreOutcome> RunRestore(const RestoreOptions& o, BackupStore* store, JsonLog& log,
                                  Clock& clock) {
  std::vector<BackupStore*> stores;
  if (store) stores.push_back(store);
  return RunRestore(o, stores, log, clock);
}

Result<RestoreOutcome> RunRestore(const RestoreOptions& o, const std::vector<BackupStore*>& stores,
                                  JsonLog& log, Clock& clock) {
  std::vector<std::string> compared;
  auto out = RunRestoreSteps(o, stores, log, clock, compared);
  if (!out) return out;
  out->compared = std::move(compared);
  if (out->has_data && !o.lineage.instance.empty()) {
    // Best effort: without the marker a later loss still shows through the backups.
    for (const auto& dir : {std::optional<std::string>(o.layout.data_dir), o.marker_dir}) {
      if (!dir) continue;
      // In the backup store, under its writers' lock: the store's cleanup removes a killed
      // restore's marker temporary only under that lock, so never a live one's.
      std::optional<FileLock> store_lock;
      if (dir == o.marker_dir) {
        auto lock = DirBackupStore::LockForWriting(*dir, kMarkerLockWaitMs);
        if (!lock) {
          log.Warn("cannot write the lineage marker in the backup store (the next restore will)",
                   {LogField::Str("error", lock.error().ToString())});
          continue;
        }
        store_lock.emplace(std::move(*lock));
      }
      auto wrote = WriteLineageMarkerOnce(*dir, o.lineage, clock.NowUnix());
      if (!wrote)
        log.Warn("cannot write the lineage marker",
                 {LogField::Str("error", wrote.error().ToString())});
      else if (*wrote)
        log.Info("lineage marker written", {LogField::Str("path", *dir + "/" + kLineageMarkerFile)});
    }
  }
  return out;
}

RestoreRecord RestoreRecordFor(const RestoreOutcome& out, int64_t now) {
  RestoreRecord r;
  r.at_unix = now;
  r.decision = RestoreActionName(out.action);
  switch (out.action) {
    case RestoreAction::kInstalledBackup: r.source_kind = "backup"; break;
    case RestoreAction::kInstalledReplicaSnapshot: r.source_kind = "replica"; break;
    case RestoreAction::kStartEmpty: r.source_kind = "empty"; break;
    default: r.source_kind = "local";
  }
  r.source = out.source;
  r.backup = out.backup;
  if (out.action == RestoreAction::kInstalledReplicaSnapshot) r.peer = out.source;
  r.installed = out.installed;
  r.keys = out.keys;
  r.repl_id = out.repl_id;
  r.repl_offset = out.repl_offset;
  r.reason = out.reason;
  r.compared = out.compared;
  return r;
}

}  // namespace tidemark::sidecar
