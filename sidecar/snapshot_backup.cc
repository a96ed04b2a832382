#include "sidecar/snapshot_backup.h"

#include <charconv>
#include <vector>

#include "core/backup/backup_name.h"
#include "core/backup/fan_out_sink.h"
#include "core/digest/dataset_digest.h"
#include "core/format/crc64.h"
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

class Crc64Sink final : public ByteSink {
 public:
  Status Update(std::span<const uint8_t> chunk) override {
    crc_ = Crc64(crc_, chunk);
    bytes_ += chunk.size();
    return {};
  }
  uint64_t value() const { return crc_; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t crc_ = 0;
  uint64_t bytes_ = 0;
};

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
  Crc64Sink crc;  // for the read-back comparison
  backup::FanOutSink stages{&sha, &crc, writer->get()};
  TeeSource tee(snapshot, stages);
  // The dataset digest rides on the verifier's walk: no second read.
  DatasetDigest dataset(DigestOptions{.at_ms = ctx.now_unix * 1000, .fail_on_module = false});
  RdbReport report = VerifyRdb(tee, RdbVerifyOptions{.name = snapshot_name,
                                                     .max_version = ctx.max_rdb_version,
                                                     .check_duplicate_keys = ctx.check_duplicate_keys,
                                                     .max_tracked_members = kDuplicateCheckMaxMembers,
                                                     .visitor = &dataset});
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
    // A CRC-64 of the whole copy (folded with carry-less multiplies: several GB/s) against the
    // one taken of the snapshot in the first pass: equal means the store holds the bytes the
    // verifier passed and SHA-256 hashed. Re-hashing with SHA-256 would cost a second full hash.
    Crc64Sink crc_back;
    Status read = [&]() -> Status {
      std::vector<uint8_t> buf(1 << 20);
      for (;;) {
        auto n = (*back)->Read(buf);
        if (!n) return std::unexpected(n.error());
        if (*n == 0) return {};
        if (auto s = crc_back.Update(std::span(buf).first(*n)); !s) return s;
      }
    }();
    if (!read || crc_back.value() != crc.value() || crc_back.bytes() != crc.bytes()) {
      (*writer)->Abort();
      Error e = !read ? read.error()
                      : Error{ErrorCode::kCorrupt, store.DataLocation(name), -1,
                              "the copy read back differs from the snapshot (CRC-64 over " +
                                  std::to_string(crc_back.bytes()) + " of " +
                                  std::to_string(crc.bytes()) +
                                  " bytes): the store's medium changed bytes"};
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
  if (!dataset.unavailable()) {
    m.dataset_digest = dataset.Hex();
    m.dataset_digest_for = ScoreFormatName(dataset.score_format());
  }
  if (auto s = (*writer)->Publish(m); !s) return Aborted(s.error(), name);
  return m;
}

}  // namespace tidemark::sidecar
