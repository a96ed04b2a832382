#include "sidecar/snapshot_backup.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "io/kill_point.h"
#include "core/backup/backup_name.h"
#include "core/backup/fan_out_sink.h"
#include "core/digest/dataset_digest.h"
#include "core/format/crc64.h"
#include "core/format/sha256.h"
#include "io/background_thread.h"
#include "io/prefetch_source.h"

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

namespace {

// Hands every chunk to each writer still going; a writer that fails drops out with its error
// and the others go on, so one unreachable store does not cost the other its backup. The pass
// stops only when no writer is left.
class StoreFanOut final : public ByteSink {
 public:
  explicit StoreFanOut(std::vector<BackupWriter*> writers)
      : writers_(std::move(writers)), status_(writers_.size()) {}
  Status Update(std::span<const uint8_t> chunk) override {
    bool any = false;
    for (size_t i = 0; i < writers_.size(); ++i) {
      if (!status_[i]) continue;
      status_[i] = writers_[i]->Update(chunk);
      any = any || status_[i].has_value();
    }
    if (!any) return status_.front();
    return {};
  }
  Status& status(size_t i) { return status_[i]; }

 private:
  std::vector<BackupWriter*> writers_;
  std::vector<Status> status_;
};

// Reads the copy back from the store's medium and compares its CRC-64 with the snapshot's.
Status CheckReadBack(BackupWriter& writer, BackupStore& store, uint64_t crc, uint64_t bytes) {
  auto back = writer.ReadBack();
  if (!back) return std::unexpected(back.error());
  // A CRC-64 of the whole copy (folded with carry-less multiplies: several GB/s) against the
  // one taken of the snapshot in the first pass: equal means the store holds the bytes the
  // verifier passed and SHA-256 hashed. Re-hashing with SHA-256 would cost a second full hash.
  Crc64Sink crc_back;
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    auto n = (*back)->Read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    if (auto s = crc_back.Update(std::span(buf).first(*n)); !s) return s;
  }
  if (crc_back.value() != crc || crc_back.bytes() != bytes)
    return MakeError(ErrorCode::kCorrupt,
                     "the copy read back differs from the snapshot (CRC-64 over " +
                         std::to_string(crc_back.bytes()) + " of " + std::to_string(bytes) +
                         " bytes): the store's medium changed bytes",
                     -1, store.DataLocation(writer.name()));
  return {};
}

}  // namespace

Result<MultiBackupResult> BackupSnapshotToStores(ByteSource& snapshot,
                                                 const std::string& snapshot_name,
                                                 const std::vector<BackupStore*>& stores,
                                                 const SnapshotBackupContext& ctx) {
  const std::string name = backup::GenerateBackupName(ctx.now_unix, ctx.name_suffix);
  if (stores.empty()) return MakeError(ErrorCode::kInvalidArgument, "no backup store to write to");
  MultiBackupResult result;
  result.stores.resize(stores.size());
  std::vector<std::unique_ptr<BackupWriter>> writers(stores.size());
  std::vector<BackupWriter*> live;
  std::vector<size_t> live_index;
  for (size_t i = 0; i < stores.size(); ++i) {
    auto w = stores[i]->BeginPut(name);
    if (w && ctx.snapshot_bytes)
      if (auto s = (*w)->ExpectBytes(*ctx.snapshot_bytes); !s) w = std::unexpected(s.error());
    if (!w) {
      result.stores[i] = Aborted(w.error(), name);
      continue;
    }
    writers[i] = std::move(*w);
    live.push_back(writers[i].get());
    live_index.push_back(i);
  }
  if (live.empty()) return std::unexpected(result.stores.front().error());
  auto abort_all = [&] {
    for (auto& w : writers)
      if (w) w->Abort();
  };

  Sha256 sha;
  StoreFanOut copies(live);
  backup::FanOutSink stages{&sha, &copies};
  // The dataset digest rides on the verifier's walk: no second read. Its SHA-1s run on a third
  // thread: the walk and the read-ahead thread's SHA-256 each take about as long as the
  // SHA-1s and the rest of the walk together, so with the SHA-1s apart the scheduler can keep
  // both cores busy to the end instead of the walk finishing last.
  BackgroundThread digest_hashing;
  DatasetDigest dataset(DigestOptions{
      .at_ms = ctx.now_unix * 1000, .fail_on_module = false, .background = &digest_hashing});
  RdbReport report;
  std::optional<uint64_t> crc;  // of the whole snapshot, for the read-back comparison
  {
    // Two cores: the read-ahead thread reads each chunk, hashes and writes it; this thread
    // verifies and digests the same chunk in place. The chunk's CRC-64 (also the RDB checksum's,
    // so the verifier skips that) is taken by whichever thread would otherwise wait. Leaving
    // the block joins that thread, so from here on the stages are this thread's again.
    PrefetchSource ahead(snapshot, PrefetchSource::Crc64::kYes, &stages);
    report = VerifyRdb(ahead, RdbVerifyOptions{.name = snapshot_name,
                                               .max_version = ctx.max_rdb_version,
                                               .check_duplicate_keys = ctx.check_duplicate_keys,
                                               .max_tracked_members = kDuplicateCheckMaxMembers,
                                               .visitor = &dataset});
    crc = ahead.TotalCrc64();
  }
  if (!report.valid()) {
    abort_all();
    return Aborted(*report.error, name);
  }
  if (!crc) {
    // A valid report means the verifier read to the end (it allows no trailing bytes).
    std::fprintf(stderr, "tidemark: the snapshot verified without being read to its end\n");
    std::abort();
  }
  auto digest = sha.FinishHex();
  if (!digest) {
    abort_all();
    return Aborted(digest.error(), name);
  }

  backup::BackupMetadata& m = result.metadata;
  m.name = name;
  m.created_unix = ctx.now_unix;
  m.created_unix_ms = ctx.now_unix_ms;
  m.size_bytes = sha.bytes();
  m.sha256 = *digest;
  FillFromRdbReport(report, m);
  m.source_pod = ctx.source_pod;
  m.policy_generation = ctx.policy_generation;
  m.instance = ctx.lineage.instance;
  m.instance_uid = ctx.lineage.uid;
  m.verified = true;
  if (!dataset.unavailable()) {
    m.dataset_digest = dataset.Hex();
    m.dataset_digest_for = ScoreFormatName(dataset.score_format());
  }

  KillPoint("backup-copied", name);
  bool published = false;
  for (size_t j = 0; j < live.size(); ++j) {
    const size_t i = live_index[j];
    BackupWriter& w = *writers[i];
    Status s = copies.status(j);
    if (s && ctx.verify_after_copy) s = CheckReadBack(w, *stores[i], *crc, sha.bytes());
    if (!s) {
      w.Abort();
    } else {
      s = w.Publish(m);  // cleans up after itself on failure
    }
    if (!s) {
      result.stores[i] = Aborted(s.error(), name);
      continue;
    }
    published = true;
  }
  if (!published) return std::unexpected(result.stores.front().error());
  return result;
}

Result<backup::BackupMetadata> BackupSnapshot(ByteSource& snapshot,
                                              const std::string& snapshot_name, BackupStore& store,
                                              const SnapshotBackupContext& ctx) {
  auto r = BackupSnapshotToStores(snapshot, snapshot_name, {&store}, ctx);
  if (!r) return std::unexpected(r.error());
  return r->metadata;
}

}  // namespace tidemark::sidecar
