#include "sidecar/snapshot_backup.h"

#include <charconv>

#include "core/backup/backup_name.h"
#include "core/backup/fan_out_sink.h"
#include "core/format/sha256.h"

namespace tidemark::sidecar {

namespace {

std::optional<uint64_t> ParseU64(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return v;
}

std::unexpected<Error> Aborted(Error e, const std::string& name) {
  e.message += "; backup " + name + " was not published (older backups are untouched)";
  return std::unexpected(std::move(e));
}

}  // namespace

void FillFromRdbReport(const RdbReport& report, backup::BackupMetadata& m) {
  m.rdb_version = report.rdb_version;
  m.redis_version = report.Aux("redis-ver").value_or("");
  if (auto ctime = ParseU64(report.Aux("ctime"))) m.snapshot_unix = static_cast<int64_t>(*ctime);
  m.dbs.clear();
  for (const auto& db : report.dbs) m.dbs.push_back({db.index, db.keys, db.keys_with_expiry});
  // Written by Redis when the instance is part of a replication chain (a backlog exists).
  auto id = report.Aux("repl-id");
  auto offset = ParseU64(report.Aux("repl-offset"));
  if (id && offset) {
    m.repl_id = *id;
    m.repl_offset = *offset;
  }
}

Result<backup::BackupMetadata> BackupSnapshot(ByteSource& snapshot,
                                              const std::string& snapshot_name, BackupStore& store,
                                              const SnapshotBackupContext& ctx) {
  const std::string name = backup::GenerateBackupName(ctx.now_unix, ctx.name_suffix);
  auto writer = store.BeginPut(name);
  if (!writer) return std::unexpected(writer.error());

  Sha256 sha;
  backup::FanOutSink stages{&sha, writer->get()};
  TeeSource tee(snapshot, stages);
  RdbReport report =
      VerifyRdb(tee, RdbVerifyOptions{.name = snapshot_name, .max_version = ctx.max_rdb_version});
  if (!report.valid()) {
    (*writer)->Abort();
    return Aborted(*report.error, name);
  }
  auto digest = sha.FinishHex();
  if (!digest) {
    (*writer)->Abort();
    return Aborted(digest.error(), name);
  }

  if (ctx.verify_after_copy) {
    // Reads the copy back from the store's medium: catches a store that loses or changes bytes.
    auto back = (*writer)->ReadBack();
    if (!back) {
      (*writer)->Abort();
      return Aborted(back.error(), name);
    }
    Sha256 sha_back;
    TeeSource tee_back(**back, sha_back);
    RdbReport copy = VerifyRdb(tee_back, RdbVerifyOptions{.name = (*writer)->name() + " (copy)",
                                                          .max_version = ctx.max_rdb_version});
    auto digest_back = sha_back.FinishHex();
    if (!copy.valid() || !digest_back || *digest_back != *digest) {
      (*writer)->Abort();
      Error e = copy.error.value_or(Error{ErrorCode::kIo, store.DataLocation(name), -1,
                                          "the copy read back does not match the snapshot "
                                          "(SHA-256 differs): the store's medium changed bytes"});
      return Aborted(e, name);
    }
  }

  backup::BackupMetadata m;
  m.name = name;
  m.created_unix = ctx.now_unix;
  m.size_bytes = sha.bytes();
  m.sha256 = *digest;
  FillFromRdbReport(report, m);
  m.source_pod = ctx.source_pod;
  m.policy_generation = ctx.policy_generation;
  m.verified = true;
  if (auto s = (*writer)->Publish(m); !s) return Aborted(s.error(), name);
  return m;
}

}  // namespace tidemark::sidecar
