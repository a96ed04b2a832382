// The backup's one pass on three threads (sidecar/snapshot_backup.h): snapshots of many read-ahead
// slots, so the thread that hashes and writes runs ahead of the verifier while either side fails,
// and a real redis-server's snapshot of many digest batches, hashed on the digest's thread while
// the walk goes on. Also run under ThreadSanitizer (Makefile, test-tsan).
#include <algorithm>
#include <ctime>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/format/sha256.h"
#include "io/prefetch_source.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/snapshot_backup.h"
#include "tests/core/digest/batch_edge_dataset.h"
#include "tests/sidecar/test_rdb.h"
#include "tests/sidecar/wrapped_store.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::RedisServer;
using testing::TempDir;

// 48 values of 256 KiB: 12 MiB, six times the read-ahead ring.
constexpr int kKeys = 48;
constexpr uint32_t kValueBytes = 256 << 10;
static_assert(uint64_t{kKeys} * kValueBytes >= 6 * PrefetchSource::kSlots * PrefetchSource::kSlotSize);

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Result<backup::BackupMetadata> Backup(BackupStore& store, const std::string& rdb, int64_t t) {
  SpanSource src(Bytes(rdb));
  SnapshotBackupContext ctx;
  ctx.now_unix = t;
  ctx.name_suffix = static_cast<uint32_t>(t);
  return BackupSnapshot(src, "dump.rdb", store, ctx);
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class SnapshotPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = DirBackupStore::Open(tmp_.path());
    ASSERT_TRUE(s);
    store_ = std::make_unique<DirBackupStore>(std::move(*s));
    auto older = Backup(*store_, testing::MakeTestRdb(3), 1795832000);
    ASSERT_TRUE(older) << older.error().ToString();
    older_ = *older;
    older_bytes_ = testing::ReadFile(store_->DataLocation(older_.name));
  }
  // Only the older backup and the store's lock file: no temporary file, no orphan data.
  void ExpectOnlyTheOlderBackup() {
    EXPECT_EQ(Entries(tmp_.path()), (std::vector<std::string>{".tidemark-store.lock", older_.name + ".json",
                                                              older_.name + ".rdb"}));
    EXPECT_EQ(testing::ReadFile(store_->DataLocation(older_.name)), older_bytes_);
    auto listing = store_->List();
    ASSERT_TRUE(listing);
    ASSERT_EQ(listing->backups.size(), 1u);
  }

  TempDir tmp_;
  std::unique_ptr<DirBackupStore> store_;
  backup::BackupMetadata older_;
  std::string older_bytes_;
};

TEST_F(SnapshotPipeline, ALargeSnapshotIsCopiedHashedAndDigestedWhole) {
  const std::string rdb = testing::MakeLargeTestRdb(kKeys, kValueBytes);
  auto m = Backup(*store_, rdb, 1795832100);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(testing::ReadFile(store_->DataLocation(m->name)), rdb);
  Sha256 sha;
  ASSERT_TRUE(sha.Update(Bytes(rdb)));
  EXPECT_EQ(m->sha256, *sha.FinishHex());
  EXPECT_EQ(m->size_bytes, rdb.size());
  EXPECT_EQ(m->total_keys(), uint64_t{kKeys});
  EXPECT_TRUE(m->dataset_digest.has_value());
}

TEST_F(SnapshotPipeline, CorruptionTheVerifierFindsWhileTheWriterRunsAheadPublishesNothing) {
  const std::string good = testing::MakeLargeTestRdb(kKeys, kValueBytes);
  // An unknown type byte early on (the second key), then a flipped byte in the last value (the
  // CRC-64 no longer matches): the verifier fails near the start and at the very end.
  const size_t second_key = good.find("big1") - 2;
  ASSERT_EQ(good[second_key], '\0');
  std::string early = good, late = good;
  early[second_key] = '\x7f';
  late[late.size() - 100] ^= 0x01;
  for (const auto& [what, bad] : {std::pair{"early", early}, std::pair{"late", late}}) {
    auto r = Backup(*store_, bad, 1795832200);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt) << what << ": " << r.error().ToString();
    EXPECT_EQ(r.error().where, "dump.rdb") << what;
    EXPECT_NE(r.error().message.find("was not published"), std::string::npos) << r.error().message;
    ExpectOnlyTheOlderBackup();
  }
}

// The digest's batches go to a third thread while the walk fills the next (digest_batch.h): on
// a real server's snapshot of keys larger than a batch, the backup's digest is the server's, and
// a snapshot cut while batches are in flight publishes nothing and leaves no thread behind.
TEST_F(SnapshotPipeline, ADigestOfManyBatchesOnItsOwnThreadIsTheServersAndACutSnapshotFails) {
  TempDir redis_dir;
  std::string rdb, digest;
  {
    RedisServer redis(redis_dir.path());
    ASSERT_EQ(redis.Cli(testing::BatchEdgeFillCommand()), "1");
    redis.Save();
    digest = redis.Digest();
    rdb = testing::ReadFile(redis_dir.File("dump.rdb"));
  }
  ASSERT_EQ(digest.size(), 40u) << digest;
  // Now, not a fixed time: the dataset's expiring keys are a day ahead of the server's clock.
  const int64_t now = std::time(nullptr);
  auto m = Backup(*store_, rdb, now);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->dataset_digest.value_or("<none>"), digest);
  EXPECT_EQ(m->total_keys(), testing::kBatchEdgeKeysDb0 + testing::kBatchEdgeKeysDb1);
  ASSERT_TRUE(store_->Delete(m->name));

  const std::string cut = rdb.substr(0, rdb.size() * 2 / 3);
  auto r = Backup(*store_, cut, now + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "dump.rdb") << r.error().ToString();
  EXPECT_NE(r.error().message.find("was not published"), std::string::npos) << r.error().message;
  ExpectOnlyTheOlderBackup();
}

// Fails every write after the first `good_bytes`, as a full disk would, on the writer's thread.
class FillingWriter final : public testing::ForwardingWriter {
 public:
  FillingWriter(std::unique_ptr<BackupWriter> w, size_t good_bytes)
      : ForwardingWriter(std::move(w)), left_(good_bytes) {}
  Status Update(std::span<const uint8_t> c) override {
    if (c.size() > left_) return MakeError(ErrorCode::kIo, "No space left on device", -1, "test medium");
    left_ -= c.size();
    return ForwardingWriter::Update(c);
  }

 private:
  size_t left_;
};

TEST_F(SnapshotPipeline, AWriteThatFailsOnTheWriterThreadFailsTheBackup) {
  const std::string rdb = testing::MakeLargeTestRdb(kKeys, kValueBytes);
  for (size_t good_bytes : {size_t{0}, size_t{5} << 20, rdb.size() - 1}) {
    testing::WrappedStore full(*store_, [&](std::unique_ptr<BackupWriter> w) {
      return std::unique_ptr<BackupWriter>(std::make_unique<FillingWriter>(std::move(w), good_bytes));
    });
    auto r = Backup(full, rdb, 1795832300);
    ASSERT_FALSE(r) << good_bytes;
    EXPECT_EQ(r.error().code, ErrorCode::kIo) << r.error().ToString();
    EXPECT_NE(r.error().message.find("No space left on device"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("was not published"), std::string::npos) << r.error().message;
    ExpectOnlyTheOlderBackup();
  }
}

}  // namespace
}  // namespace tidemark::sidecar
