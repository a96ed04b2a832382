#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/backup/backup_name.h"
#include <sstream>

#include "sidecar/apply_retention.h"
#include "sidecar/clock.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/json_log.h"
#include "sidecar/metadata_json.h"
#include "sidecar/snapshot_backup.h"
#include "tests/sidecar/test_rdb.h"
#include "tests/sidecar/wrapped_store.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::MakeTestRdb;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string ReadAll(ByteSource& src) {
  std::string out;
  uint8_t buf[4096];
  for (;;) {
    auto n = src.Read(buf);
    if (!n || *n == 0) return out;
    out.append(reinterpret_cast<char*>(buf), *n);
  }
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::string out;
  testing::RunCommand("ls -A " + dir, &out);
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    names.push_back(out.substr(pos, nl - pos));
    pos = nl == std::string::npos ? out.size() : nl + 1;
  }
  return names;
}

Result<backup::BackupMetadata> Backup(DirBackupStore& store, const std::string& rdb, int64_t t,
                                      uint32_t suffix = 1) {
  SpanSource src(Bytes(rdb));
  SnapshotBackupContext ctx;
  ctx.now_unix = t;
  ctx.name_suffix = suffix;
  ctx.source_pod = "cache-0";
  return BackupSnapshot(src, "dump.rdb", store, ctx);
}

TEST(DirBackupStore, MissingDirectoryIsAnErrorNotCreated) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.File("nope"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kNotFound);
}

TEST(SnapshotBackup, PublishesDataThenMetadataAndListsNewestFirst) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  std::string rdb = MakeTestRdb(3);
  auto first = Backup(*store, rdb, 1795832100, 0xa);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = Backup(*store, MakeTestRdb(5), 1795832200, 0xb);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(first->name, "20261128T021500Z-0000000a");
  EXPECT_EQ(first->size_bytes, rdb.size());
  EXPECT_EQ(first->total_keys(), 3u);
  EXPECT_EQ(first->redis_version, "7.0.15");
  EXPECT_EQ(first->snapshot_unix, 1795832100);
  EXPECT_TRUE(first->verified);
  EXPECT_EQ(ReadFile(store->DataLocation(first->name)), rdb);
  auto meta = ParseBackupMetadata(ReadFile(store->MetadataLocation(first->name)), "m");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->sha256, first->sha256);

  auto listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 2u);
  EXPECT_EQ(listing->backups[0].name, second->name);
  EXPECT_EQ(listing->backups[1].name, first->name);
  EXPECT_TRUE(listing->problems.empty());
  auto src = store->OpenForRead(first->name);
  ASSERT_TRUE(src);
  EXPECT_EQ(ReadAll(**src), rdb);
}

TEST(SnapshotBackup, KeepLastKeepsTheLastCreatedOfManyBackupsInOneSecond) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  constexpr int64_t kSecond = 1795832100;
  std::vector<std::string> created;  // in creation order
  for (uint32_t i = 0; i < 12; ++i) {
    const std::string rdb = MakeTestRdb(1 + i);
    SpanSource src(Bytes(rdb));
    SnapshotBackupContext ctx;
    ctx.now_unix = kSecond;
    ctx.now_unix_ms = kSecond * 1000 + 80 * i;
    // Suffixes that fall as time goes on (names made before TimeOrderedSuffix were random): by
    // name the first created would look newest; createdAtMillis has to decide.
    ctx.name_suffix = 0xffffffffu - i;
    auto b = BackupSnapshot(src, "dump.rdb", *store, ctx);
    ASSERT_TRUE(b) << b.error().ToString();
    created.push_back(b->name);
  }
  auto listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 12u);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(listing->backups[i].name, created[11 - i]) << i;

  std::ostringstream log_text;
  JsonLog log(log_text, RealClock(), "cache-0");
  auto kept = ApplyRetention(*store, {.keep_last = 4}, log);
  ASSERT_TRUE(kept) << kept.error().ToString();
  EXPECT_EQ(kept->kept, 4u);
  EXPECT_EQ(kept->deleted, 8u);
  listing = store->List();
  ASSERT_TRUE(listing);
  std::vector<std::string> left;
  for (const auto& m : listing->backups) left.push_back(m.name);
  EXPECT_EQ(left, (std::vector<std::string>{created[11], created[10], created[9], created[8]}));
}

TEST(SnapshotBackup, InvalidSnapshotLeavesNothingVisibleAndOlderBackupsIntact) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  auto good = Backup(*store, MakeTestRdb(3), 1795832100);
  ASSERT_TRUE(good);
  std::string before = ReadFile(store->DataLocation(good->name));
  std::string bad = MakeTestRdb(4);
  bad[bad.size() - 11] ^= 0x01;  // inside the last value: the CRC-64 no longer matches
  auto r = Backup(*store, bad, 1795832200);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("was not published"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().where, "dump.rdb");
  auto truncated = Backup(*store, MakeTestRdb(4).substr(0, 30), 1795832300);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kTruncated);
  // Only the good backup and the lock file are there: no temp file, no orphan data.
  auto entries = DirEntries(tmp.path());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{".tidemark-store.lock", good->name + ".json",
                                               good->name + ".rdb"}));
  EXPECT_EQ(ReadFile(store->DataLocation(good->name)), before);
}

// A writer on a medium that flips a bit: its read-back returns different bytes.
class FlakyMediumWriter final : public testing::ForwardingWriter {
 public:
  using ForwardingWriter::ForwardingWriter;
  Status Update(std::span<const uint8_t> c) override {
    written_.append(reinterpret_cast<const char*>(c.data()), c.size());
    return ForwardingWriter::Update(c);
  }
  Result<std::unique_ptr<ByteSource>> ReadBack() override {
    written_[written_.size() / 2] ^= 0x01;
    return std::unique_ptr<ByteSource>(std::make_unique<SpanSource>(Bytes(written_)));
  }

 private:
  std::string written_;
};

TEST(SnapshotBackup, CopyThatReadsBackDifferentlyIsNotPublished) {
  TempDir tmp;
  auto dir = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(dir);
  testing::WrappedStore flaky(*dir, [](std::unique_ptr<BackupWriter> w) {
    return std::unique_ptr<BackupWriter>(std::make_unique<FlakyMediumWriter>(std::move(w)));
  });
  std::string rdb = MakeTestRdb(20);
  SpanSource src(Bytes(rdb));
  SnapshotBackupContext ctx;
  ctx.now_unix = 1795832100;
  auto r = BackupSnapshot(src, "dump.rdb", flaky, ctx);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("the copy read back differs"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);  // a verification failure, not a system error
  EXPECT_TRUE(dir->List()->backups.empty());
  ctx.verify_after_copy = false;  // the check is what caught it
  SpanSource again(Bytes(rdb));
  EXPECT_TRUE(BackupSnapshot(again, "dump.rdb", flaky, ctx));
}

TEST(DirBackupStore, NamesThatAreNotGeneratedNeverReachTheFileSystem) {
  TempDir tmp;
  WriteFile(tmp.File("secret"), "x");
  auto store = DirBackupStore::Open(tmp.path() + "/sub/..");
  ASSERT_FALSE(store);  // "sub" does not exist
  store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  for (std::string name : {"../secret", "secret", "", "/etc/passwd", "20261128T021500Z-1a2b3c4d/.."}) {
    EXPECT_FALSE(store->OpenForRead(name)) << name;
    EXPECT_FALSE(store->Delete(name)) << name;
    EXPECT_FALSE(store->BeginPut(name)) << name;
  }
  EXPECT_EQ(ReadFile(tmp.File("secret")), "x");
}

TEST(DirBackupStore, BadMetadataIsReportedNotListedAndNotDeleted) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  auto good = Backup(*store, MakeTestRdb(1), 1795832100);
  ASSERT_TRUE(good);
  const std::string broken = "20261128T030000Z-00000001";
  WriteFile(tmp.File(broken + ".rdb"), MakeTestRdb(1));
  WriteFile(tmp.File(broken + ".json"), "{\"apiVersion\":");
  WriteFile(tmp.File("notes.json"), "{}");  // not a backup name: ignored
  auto listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 1u);
  EXPECT_EQ(listing->backups[0].name, good->name);
  ASSERT_EQ(listing->problems.size(), 1u);
  EXPECT_NE(listing->problems[0].find(broken + ".json"), std::string::npos);
  EXPECT_EQ(ReadFile(tmp.File(broken + ".json")), "{\"apiVersion\":");
}

TEST(DirBackupStore, DeleteRemovesMetadataAndData) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  auto b = Backup(*store, MakeTestRdb(1), 1795832100);
  ASSERT_TRUE(b);
  ASSERT_TRUE(store->Delete(b->name));
  EXPECT_TRUE(store->List()->backups.empty());
  EXPECT_EQ(DirEntries(tmp.path()), std::vector<std::string>{".tidemark-store.lock"});
}

TEST(DirBackupStore, OneWriterAtATime) {
  TempDir tmp;
  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  auto first = store->BeginPut(backup::GenerateBackupName(1795832100, 1));
  ASSERT_TRUE(first);
  auto second = store->BeginPut(backup::GenerateBackupName(1795832100, 2));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("another backup is in progress"), std::string::npos);
  auto cleanup = store->CleanupStale();
  ASSERT_TRUE(cleanup);
  EXPECT_TRUE(cleanup->skipped_busy);  // the live writer's temp file is not touched
  (*first)->Abort();
  first->reset();
  EXPECT_TRUE(store->BeginPut(backup::GenerateBackupName(1795832100, 2)));
}

TEST(DirBackupStore, KilledWriterLeavesATempFileThatIsNeverListedAndIsCleanedUp) {
  TempDir tmp;
  WriteFile(tmp.File(".unrelated.tmp-1-1"), "not ours");  // not the store's temp pattern
  {
    auto store = DirBackupStore::Open(tmp.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE(Backup(*store, MakeTestRdb(2), 1795832000));
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child is a backup killed mid-copy: half the bytes written, then SIGKILL.
    auto store = DirBackupStore::Open(tmp.path());
    auto w = store->BeginPut(backup::GenerateBackupName(1795832100, 7));
    if (!w) ::_exit(3);
    std::string rdb = MakeTestRdb(40);
    (void)(*w)->Update(Bytes(rdb.substr(0, rdb.size() / 2)));
    ::raise(SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  auto store = DirBackupStore::Open(tmp.path());
  ASSERT_TRUE(store);
  std::vector<std::string> temps;
  for (const auto& e : DirEntries(tmp.path()))
    if (e.starts_with(".20261128T021500Z-00000007.rdb.tmp-")) temps.push_back(e);
  ASSERT_EQ(temps.size(), 1u) << "the killed writer's temp file should be there";
  auto listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 1u);
  EXPECT_EQ(listing->backups[0].name, "20261128T021320Z-00000001");

  auto cleanup = store->CleanupStale();  // the lock died with the writer
  ASSERT_TRUE(cleanup);
  EXPECT_FALSE(cleanup->skipped_busy);
  EXPECT_EQ(cleanup->removed, std::vector<std::string>{tmp.File(temps[0])});
  auto entries = DirEntries(tmp.path());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{".tidemark-store.lock", ".unrelated.tmp-1-1",
                                               "20261128T021320Z-00000001.json",
                                               "20261128T021320Z-00000001.rdb"}));
}

}  // namespace
}  // namespace tidemark::sidecar
