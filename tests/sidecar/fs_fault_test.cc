// File-level faults (issue 7) through the FileSystem seam: every operation of a backup publish
// and of a restore install fails in turn (EIO, ENOSPC, short writes), and the power is cut
// after every operation; then the backup store and the data directory must be entirely old or
// entirely new, with nothing half-written visible and nothing older lost.
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "io/durable_file.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/install.h"
#include "sidecar/lineage_marker.h"
#include "sidecar/point_in_time.h"
#include "sidecar/restore_record.h"
#include "sidecar/snapshot_backup.h"
#include "tests/sidecar/test_rdb.h"
#include "tests/testing/fault_file_system.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::FaultFileSystem;
using testing::MakeTestRdb;
using testing::ReadTreeState;
using testing::TempDir;
using testing::WriteTreeState;
using Op = FaultFileSystem::Op;
using Tree = std::map<std::string, std::string>;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Every (op, nth, errno) a run of `ops` could be failed with: each write with ENOSPC and EIO,
// every other operation with EIO (and open, mkdir, rename also with ENOSPC).
struct Fault {
  Op op;
  int nth;
  int err;
  std::string Describe() const {
    return std::string(FaultFileSystem::Name(op)) + " #" + std::to_string(nth) + " " +
           (err == ENOSPC ? "ENOSPC" : "EIO");
  }
};

std::vector<Fault> AllFaults(const FaultFileSystem& counted) {
  std::vector<Fault> out;
  for (Op op : FaultFileSystem::kAllOps)
    for (int n = 1; n <= counted.count(op); ++n) {
      out.push_back({op, n, EIO});
      if (op == Op::kWrite || op == Op::kOpen || op == Op::kMkdir || op == Op::kRename)
        out.push_back({op, n, ENOSPC});
    }
  return out;
}

// A clean run through a counting FaultFileSystem: how many operations of each kind it makes.
template <class Make>
FaultFileSystem CountOperations(Make make) {
  FaultFileSystem counted;
  auto f = make();
  EXPECT_TRUE(f->Run(counted).has_value());
  return counted;
}

// Cuts the power after each operation of a run (0 to all of them), writes what the disk would
// hold back into the fixture's directory and checks it; returns the states seen.
template <class Make>
std::set<std::string> SweepPowerCuts(Make make, int operations) {
  std::set<std::string> seen;
  for (int k = 0; k <= operations; ++k) {
    auto f = make();
    FaultFileSystem ffs({f->dir.path()});
    ffs.CrashAfter(k);
    auto result = f->Run(ffs);
    WriteTreeState(f->dir.path(), ffs.DurableState(f->dir.path()));
    std::string what = "power cut after " + std::to_string(k) + " operations";
    std::string state = f->CheckEntirelyOldOrNew(what);
    seen.insert(state);
    // Once the run reported success, its result survives the power cut.
    if (result) {
      EXPECT_EQ(state, "new") << what;
    }
  }
  return seen;
}

// ---- backup publish -------------------------------------------------------------------------

const std::string kNewRdb = MakeTestRdb(7);
constexpr int64_t kNow = 1795832400;

// A store holding two published backups (through the real file system).
struct StoreFixture {
  TempDir dir;
  Tree before;
  StoreFixture() {
    auto store = DirBackupStore::Open(dir.path());
    for (int i = 0; i < 2; ++i) {
      std::string rdb = MakeTestRdb(3 + i);
      SpanSource src(Bytes(rdb));
      SnapshotBackupContext ctx;
      ctx.now_unix = kNow - 3600 * (2 - i);
      ctx.name_suffix = 1u + i;
      ctx.source_pod = "cache-0";
      EXPECT_TRUE(BackupSnapshot(src, "dump.rdb", *store, ctx).has_value());
    }
    before = ReadTreeState(dir.path());
  }
  Result<backup::BackupMetadata> Run(FileSystem& fs) {
    auto store = DirBackupStore::Open(dir.path(), fs);
    SpanSource src(Bytes(kNewRdb));
    SnapshotBackupContext ctx;
    ctx.now_unix = kNow;
    ctx.name_suffix = 9;
    ctx.source_pod = "cache-0";
    return BackupSnapshot(src, "dump.rdb", *store, ctx);
  }
  // After recovery (CleanupStale): the store is exactly as before, or as before plus the new
  // backup's two files with the new bytes; the listing agrees. Returns "old" or "new".
  std::string CheckEntirelyOldOrNew(const std::string& what) {
    auto store = DirBackupStore::Open(dir.path());
    auto cleaned = store->CleanupStale();
    EXPECT_TRUE(cleaned.has_value()) << what;
    auto listing = store->List();
    EXPECT_TRUE(listing.has_value()) << what;
    EXPECT_TRUE(listing->problems.empty()) << what << ": " << listing->problems.front();
    Tree now = ReadTreeState(dir.path());
    if (now == before) {
      EXPECT_EQ(listing->backups.size(), 2u) << what;
      return "old";
    }
    Tree added;
    for (const auto& [path, bytes] : now)
      if (!before.contains(path)) added[path] = bytes;
    for (const auto& [path, bytes] : before)
      EXPECT_EQ(now.count(path) ? now.at(path) : "<gone>", bytes) << what << ": " << path;
    EXPECT_EQ(added.size(), 2u) << what;
    EXPECT_EQ(listing->backups.size(), 3u) << what;
    if (listing->backups.size() == 3u) {
      const auto& name = listing->backups.front().name;
      EXPECT_EQ(added[name + ".rdb"], kNewRdb) << what;
      EXPECT_TRUE(added.contains(name + ".json")) << what;
    }
    return "new";
  }
};

TEST(FsFaultBackup, EveryFaultAtEveryOperationFailsCleanlyOrPublishesIntactBytes) {
  FaultFileSystem counted = CountOperations([] { return std::make_unique<StoreFixture>(); });
  auto faults = AllFaults(counted);
  ASSERT_GE(counted.count(Op::kFsync), 2);    // data and metadata
  ASSERT_GE(counted.count(Op::kSyncDir), 2);  // both renames
  int failed = 0;
  for (const auto& fault : faults) {
    StoreFixture f;
    FaultFileSystem ffs;
    ffs.FailNth(fault.op, fault.nth, fault.err);
    auto result = f.Run(ffs);
    ASSERT_TRUE(ffs.fault_fired()) << fault.Describe();
    if (!result) {
      ++failed;
      // The error says what failed.
      EXPECT_NE(result.error().ToString().find(fault.err == ENOSPC ? "No space" : "Input/output error"),
                std::string::npos)
          << fault.Describe() << ": " << result.error().ToString();
    }
    // An fsync that failed fails the backup: its bytes may not be on disk.
    if (fault.op == Op::kFsync || fault.op == Op::kSyncDir || fault.op == Op::kWrite) {
      EXPECT_FALSE(result.has_value()) << fault.Describe();
    }
    EXPECT_EQ(f.CheckEntirelyOldOrNew(fault.Describe()), result ? "new" : "old")
        << fault.Describe();
  }
  EXPECT_GT(failed, 0);
  RecordProperty("faults", static_cast<int>(faults.size()));
  std::printf("backup publish: %d operations, %zu faults injected, %d failed the backup\n",
              counted.ops(), faults.size(), failed);
}

TEST(FsFaultBackup, ShortWritesStillPublishTheExactBytes) {
  StoreFixture f;
  FaultFileSystem ffs;
  ffs.ShortWrites(7);
  ASSERT_TRUE(f.Run(ffs).has_value());
  EXPECT_GT(ffs.count(Op::kWrite), static_cast<int>(kNewRdb.size() / 7));
  EXPECT_EQ(f.CheckEntirelyOldOrNew("short writes"), "new");
}

TEST(FsFaultBackup, PowerCutAfterEveryOperationLeavesTheStoreEntirelyOldOrNew) {
  auto make = [] { return std::make_unique<StoreFixture>(); };
  int ops = CountOperations(make).ops();
  EXPECT_EQ(SweepPowerCuts(make, ops), (std::set<std::string>{"old", "new"}));
  std::printf("backup publish: power cut after each of %d operations\n", ops);
}

// ---- restore install ------------------------------------------------------------------------

const std::string kOldRdb = MakeTestRdb(3);
const std::string kRestoredRdb = MakeTestRdb(5);

// A data dir holding unusable local data that a restore replaces: dump.rdb, and in AOF mode an
// appendonlydir too.
struct DataDirFixture {
  TempDir dir;
  RedisLayout layout;
  Tree before;
  explicit DataDirFixture(bool aof) {
    layout.data_dir = dir.path();
    layout.appendonly = aof;
    testing::WriteFile(layout.RdbPath(), kOldRdb);
    if (aof) {
      std::filesystem::create_directory(layout.AofDir());
      testing::WriteFile(layout.AofDir() + "/appendonly.aof.1.base.rdb", kOldRdb);
      testing::WriteFile(layout.AofDir() + "/appendonly.aof.1.incr.aof", "*1\r\n$4\r\nPING\r\n");
      testing::WriteFile(layout.AofDir() + "/appendonly.aof.manifest",
                         "file appendonly.aof.1.base.rdb seq 1 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type i\n");
    }
    before = ReadTreeState(dir.path());
  }
  std::vector<std::string> Replace() const {
    std::vector<std::string> r{layout.RdbPath()};
    if (layout.appendonly) r.push_back(layout.AofDir());
    return r;
  }
  Result<InstallOutcome> Run(FileSystem& fs) {
    SpanSource src(Bytes(kRestoredRdb));
    ExpectedSnapshot expected;
    expected.keys = 5;
    return InstallSnapshot(src, "backup", expected, layout, Replace(), kNow, "unusable", fs);
  }
  // What Redis would load from `tree`: dump.rdb, or the appendonlydir's files.
  Tree Loaded(const Tree& tree) const {
    Tree out;
    for (const auto& [path, bytes] : tree)
      if (layout.appendonly ? path.starts_with(layout.appenddirname + "/") : path == "dump.rdb")
        out[path] = bytes;
    return out;
  }
  // After recovery (the restore's cleanup): Redis loads entirely the old data or entirely the
  // restored snapshot, and every old file's bytes are still on the volume. "old" or "new".
  std::string CheckEntirelyOldOrNew(const std::string& what) {
    CleanupStaleRestoreFiles(layout);
    Tree now = ReadTreeState(dir.path());
    for (const auto& [path, bytes] : before) {
      bool kept = false;
      for (const auto& [p, b] : now)
        kept = kept || (b == bytes && p.substr(p.rfind('/') + 1) .starts_with(
                                          path.substr(path.rfind('/') + 1)));
      EXPECT_TRUE(kept) << what << ": the old " << path << " is gone";
    }
    for (const auto& [path, bytes] : now)
      EXPECT_FALSE(path.starts_with(".")) << what << ": left " << path;
    if (now == before) return "old";
    Tree loaded = Loaded(now);
    if (loaded == Loaded(before)) return "old (old data moved aside partly)";
    if (!layout.appendonly) {
      EXPECT_EQ(loaded, (Tree{{"dump.rdb", kRestoredRdb}})) << what;
    } else {
      EXPECT_EQ(loaded.size(), 4u) << what;
      EXPECT_EQ(loaded[layout.appenddirname + "/appendonly.aof.1.base.rdb"], kRestoredRdb) << what;
    }
    return "new";
  }
};

void SweepInstallFaults(bool aof) {
  FaultFileSystem counted = CountOperations([aof] { return std::make_unique<DataDirFixture>(aof); });
  auto faults = AllFaults(counted);
  int failed = 0;
  for (const auto& fault : faults) {
    DataDirFixture f(aof);
    FaultFileSystem ffs;
    ffs.FailNth(fault.op, fault.nth, fault.err);
    auto result = f.Run(ffs);
    ASSERT_TRUE(ffs.fault_fired()) << fault.Describe();
    if (!result) ++failed;
    if (fault.op == Op::kFsync || fault.op == Op::kSyncDir || fault.op == Op::kWrite) {
      EXPECT_FALSE(result.has_value()) << fault.Describe();
    }
    std::string state = f.CheckEntirelyOldOrNew(fault.Describe());
    // A failed install leaves the data dir exactly as it was.
    EXPECT_EQ(state, result ? "new" : "old") << fault.Describe();
  }
  EXPECT_GT(failed, 0);
  std::printf("restore install (%s): %d operations, %zu faults injected, %d failed the install\n",
              aof ? "aof" : "rdb", counted.ops(), faults.size(), failed);
}

void SweepInstallPowerCuts(bool aof) {
  auto make = [aof] { return std::make_unique<DataDirFixture>(aof); };
  int ops = CountOperations(make).ops();
  auto seen = SweepPowerCuts(make, ops);
  EXPECT_TRUE(seen.contains("old"));
  EXPECT_TRUE(seen.contains("new"));
  std::printf("restore install (%s): power cut after each of %d operations\n", aof ? "aof" : "rdb",
              ops);
}

// A file system without hard links (link(2) EPERM): the old dump.rdb is renamed aside instead.
TEST(FsFaultInstall, WithoutHardLinksTheOldDumpIsMovedAsideInstead) {
  DataDirFixture f(false);
  FaultFileSystem ffs;
  ffs.FailNth(Op::kLink, 1, EPERM);
  auto result = f.Run(ffs);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_TRUE(ffs.fault_fired());
  EXPECT_EQ(ffs.count(Op::kRename), 2);  // old aside, new in
  EXPECT_EQ(f.CheckEntirelyOldOrNew("no hard links"), "new");
}

TEST(FsFaultInstall, EveryFaultAtEveryOperationOfAnRdbInstall) { SweepInstallFaults(false); }
TEST(FsFaultInstall, EveryFaultAtEveryOperationOfAnAofInstall) { SweepInstallFaults(true); }
TEST(FsFaultInstall, PowerCutAfterEveryOperationOfAnRdbInstall) { SweepInstallPowerCuts(false); }
TEST(FsFaultInstall, PowerCutAfterEveryOperationOfAnAofInstall) { SweepInstallPowerCuts(true); }

// ---- the restore's small files: restore record, lineage marker, point-in-time marker ----------

using SmallWrite = std::function<Status(const std::string& data_dir, FileSystem& fs)>;

// A data dir holding an old version of the files `write` replaces (if any); `after` is the tree
// a clean run leaves.
struct SmallFileFixture {
  TempDir dir;
  Tree before, after;
  SmallWrite write;
  SmallFileFixture(const std::function<void(const std::string&)>& setup, SmallWrite w)
      : write(std::move(w)) {
    setup(dir.path());
    before = ReadTreeState(dir.path());
    TempDir clean;
    setup(clean.path());
    EXPECT_TRUE(write(clean.path(), PosixFileSystem()).has_value());
    after = ReadTreeState(clean.path());
  }
  Status Run(FileSystem& fs) { return write(dir.path(), fs); }
  // After the restore's cleanup: exactly the old tree or exactly the new one. "old" or "new".
  std::string CheckEntirelyOldOrNew(const std::string& what) {
    RedisLayout layout;
    layout.data_dir = dir.path();
    CleanupStaleRestoreFiles(layout, PosixFileSystem(),
                             {kRestoreRecordName, kLineageMarkerFile, kPointInTimeMarkerName});
    Tree now = ReadTreeState(dir.path());
    if (now == before) return "old";
    EXPECT_EQ(now, after) << what;
    return "new";
  }
};

void SweepSmallFile(const char* name, const std::function<void(const std::string&)>& setup,
                    const SmallWrite& write) {
  auto make = [&] { return std::make_unique<SmallFileFixture>(setup, write); };
  FaultFileSystem counted = CountOperations(make);
  auto faults = AllFaults(counted);
  for (const auto& fault : faults) {
    auto f = make();
    FaultFileSystem ffs;
    ffs.FailNth(fault.op, fault.nth, fault.err);
    auto result = f->Run(ffs);
    ASSERT_TRUE(ffs.fault_fired()) << name << ": " << fault.Describe();
    const std::string state = f->CheckEntirelyOldOrNew(fault.Describe());
    // The directory fsync comes after the rename (durable_file.h): the error is reported, the
    // file is the whole new one, only its durability is in doubt.
    if (result || fault.op != Op::kSyncDir) {
      EXPECT_EQ(state, result ? "new" : "old") << name << ": " << fault.Describe();
    }
  }
  EXPECT_EQ(SweepPowerCuts(make, counted.ops()), (std::set<std::string>{"old", "new"})) << name;
  std::printf("%s: %d operations, %zu faults injected, %d power cuts\n", name, counted.ops(),
              faults.size(), counted.ops() + 1);
}

RestoreRecord RecordOf(const std::string& decision) {
  RestoreRecord r;
  r.at_unix = kNow;
  r.decision = decision;
  r.source_kind = "local";
  return r;
}

TEST(FsFaultSmallFiles, RestoreRecordIsEntirelyOldOrNewWhateverFails) {
  SweepSmallFile(
      "restore record",
      [](const std::string& d) {
        ASSERT_TRUE(WriteRestoreRecord(d, RecordOf("kept-local-data")).has_value());
      },
      [](const std::string& d, FileSystem& fs) {
        return WriteRestoreRecord(d, RecordOf("installed-backup"), fs);
      });
}

TEST(FsFaultSmallFiles, LineageMarkerIsAbsentOrWholeWhateverFails) {
  SweepSmallFile(
      "lineage marker", [](const std::string&) {},
      [](const std::string& d, FileSystem& fs) -> Status {
        auto wrote = WriteLineageMarkerOnce(d, {"ns/cache", "uid-1"}, kNow, fs);
        if (!wrote) return std::unexpected(wrote.error());
        return {};
      });
}

TEST(FsFaultSmallFiles, PointInTimeMarkerIsEntirelyOldOrNewWhateverFails) {
  auto mark = [](const std::string& d, int64_t t, FileSystem& fs) {
    PointInTime pit;
    pit.text = "t" + std::to_string(t);
    pit.unix = t;
    return WritePointInTimeMarker(d, pit, "dump.rdb", kNow, fs);
  };
  SweepSmallFile(
      "point-in-time marker",
      [&](const std::string& d) { ASSERT_TRUE(mark(d, kNow - 60, PosixFileSystem()).has_value()); },
      [&](const std::string& d, FileSystem& fs) { return mark(d, kNow - 30, fs); });
}

// A failed fsync poisons the file: Linux marks the pages it could not write clean, so a second
// fsync "succeeds" over bytes that are not on disk. DurableFile never commits after it.
TEST(FsFaultDurableFile, CommitAfterAFailedFsyncIsRefusedEvenIfFsyncWouldNowSucceed) {
  TempDir dir;
  FaultFileSystem ffs({dir.path()});
  ffs.FailNth(Op::kFsync, 1, EIO);
  auto file = DurableFile::Create(dir.File("x"), 0644, ffs);
  ASSERT_TRUE(file.has_value());
  ASSERT_TRUE(file->Append("payload").has_value());
  auto first = file->Commit();
  ASSERT_FALSE(first.has_value());
  EXPECT_NE(first.error().ToString().find("fsync failed"), std::string::npos);
  auto second = file->Commit();
  EXPECT_FALSE(second.has_value());
  EXPECT_EQ(ffs.count(Op::kFsync), 1);  // never retried
  EXPECT_EQ(ffs.count(Op::kRename), 0);
  // The model agrees that a retried fsync would have left zeros on disk.
  file->Abort();
  EXPECT_TRUE(ReadTreeState(dir.path()).empty());
}

}  // namespace
}  // namespace tidemark::sidecar
