// The restore decision on real files, without a server (the digests with a real Redis are in
// backup_restore_redis_test.cc).
#include "sidecar/restore.h"

#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <gtest/gtest.h>

#include <sstream>

#include "core/backup/utc_time.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/peer_client.h"
#include "sidecar/snapshot_backup.h"
#include "tests/sidecar/fake_clock.h"
#include "tests/sidecar/test_rdb.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::MakeTestRdb;
using testing::ReadFile;
using testing::WriteFile;

constexpr int64_t kNow = 1795840000;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.File("data");
    ::mkdir(data_.c_str(), 0755);
    ::mkdir(tmp_.File("store").c_str(), 0755);
    store_.emplace(*DirBackupStore::Open(tmp_.File("store")));
  }
  backup::BackupMetadata AddBackup(int keys, int64_t t, backup::Lineage lineage = {}) {
    std::string rdb = MakeTestRdb(keys, t);
    SpanSource src({reinterpret_cast<const uint8_t*>(rdb.data()), rdb.size()});
    SnapshotBackupContext ctx;
    ctx.now_unix = t;
    ctx.lineage = lineage;
    ctx.name_suffix = static_cast<uint32_t>(keys);
    auto m = BackupSnapshot(src, "dump.rdb", *store_, ctx);
    EXPECT_TRUE(m) << m.error().ToString();
    return *m;
  }
  Result<RestoreOutcome> Run(RestoreOptions o) {
    o.layout.data_dir = data_;
    log_text_.str("");
    JsonLog log(log_text_, clock_, "cache-0");
    return RunRestore(o, &*store_, log, clock_);
  }
  bool Exists(const std::string& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0;
  }
  void SetMTime(const std::string& p, int64_t t) {
    utimbuf times{static_cast<time_t>(t), static_cast<time_t>(t)};
    ASSERT_EQ(::utime(p.c_str(), &times), 0) << p;
  }
  std::string Log() const { return log_text_.str(); }
  void Corrupt(const backup::BackupMetadata& m) {
    std::string path = store_->DataLocation(m.name);
    std::string bytes = ReadFile(path);
    bytes[bytes.size() / 2] ^= 0x20;
    WriteFile(path, bytes);
  }
  // The options the operator renders for pod 0 of `cache` under restore.when: auto.
  RestoreOptions Operated() const {
    RestoreOptions o;
    o.allow_start_empty = true;
    o.lineage = kSelf;
    o.marker_dir = tmp_.File("store");
    return o;
  }
  static inline const backup::Lineage kSelf{"shop/cache", "uid-1"};

  testing::TempDir tmp_;
  std::string data_;
  std::optional<DirBackupStore> store_;
  testing::FakeClock clock_{kNow};
  std::ostringstream log_text_;
};

TEST_F(RestoreTest, EmptyVolumeGetsTheNewestBackupAsDumpRdb) {
  AddBackup(3, kNow - 7200);
  auto newest = AddBackup(5, kNow - 3600);
  auto r = Run({});
  ASSERT_TRUE(r) << r.error().ToString() << Log();
  EXPECT_EQ(r->action, RestoreAction::kInstalledBackup);
  EXPECT_EQ(r->source, newest.name);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(5, kNow - 3600));
  EXPECT_NE(Log().find("\"msg\":\"decision: restore from backup\""), std::string::npos) << Log();
  EXPECT_NE(Log().find("\"pod\":\"cache-0\""), std::string::npos);
}

TEST_F(RestoreTest, CorruptNewestBackupIsSkippedWithItsReasonAndThePreviousIsInstalled) {
  auto older = AddBackup(3, kNow - 7200);
  auto newest = AddBackup(5, kNow - 3600);
  std::string path = store_->DataLocation(newest.name);
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x20;
  WriteFile(path, bytes);
  auto r = Run({});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->source, older.name);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(3, kNow - 7200));
  auto skipped = Log().find("\"msg\":\"backup skipped\",\"pod\":\"cache-0\",\"backup\":\"" + newest.name);
  EXPECT_NE(skipped, std::string::npos) << Log();
  EXPECT_EQ(ReadFile(path), bytes);  // a bad backup is reported, never deleted by a restore
}

TEST_F(RestoreTest, WithAofOnTheBackupBecomesTheAofBaseWithAManifest) {
  AddBackup(4, kNow - 60);
  RestoreOptions o;
  o.layout.appendonly = true;
  auto r = Run(o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->installed, data_ + "/appendonlydir");
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb"), MakeTestRdb(4, kNow - 60));
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.1.incr.aof"), "");
  EXPECT_FALSE(Exists(data_ + "/dump.rdb"));
}

TEST_F(RestoreTest, ValidLocalDataIsKept) {
  AddBackup(4, kNow - 60);
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(2, kNow - 10));
  auto r = Run({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, RestoreAction::kKeptLocal);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(2, kNow - 10));
}

TEST_F(RestoreTest, TheRecordOfAnInstalledBackupCarriesItsMetadataReasonAndEveryCopyCompared) {
  auto older = AddBackup(3, kNow - 7200);
  auto newest = AddBackup(5, kNow - 3600);
  auto r = Run({});
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(WriteRestoreRecord(data_, RestoreRecordFor(*r, kNow)));
  auto read = ReadRestoreRecord(data_);
  ASSERT_TRUE(read && *read) << (read ? "no record" : read.error().ToString());
  const RestoreRecord& rec = **read;
  EXPECT_EQ(rec.at_unix, kNow);
  EXPECT_EQ(rec.decision, "installed-backup");
  EXPECT_EQ(rec.source_kind, "backup");
  EXPECT_EQ(rec.source, newest.name);
  ASSERT_TRUE(rec.backup);
  EXPECT_EQ(rec.backup->name, newest.name);
  EXPECT_EQ(rec.backup->sha256, newest.sha256);
  EXPECT_EQ(rec.keys, 5u);
  EXPECT_FALSE(rec.reason.empty());
  ASSERT_EQ(rec.compared.size(), 2u);
  EXPECT_EQ(rec.compared[0].rfind("backup " + newest.name + ": ", 0), 0u) << rec.compared[0];
  EXPECT_EQ(rec.compared[1].rfind("backup " + older.name + ": ", 0), 0u) << rec.compared[1];
  EXPECT_FALSE(rec.check);
  EXPECT_EQ(RenderRestoreRecord(rec), ReadFile(data_ + "/" + kRestoreRecordName).substr(0, RenderRestoreRecord(rec).size()));
}

TEST_F(RestoreTest, TheRecordOfKeptLocalDataHasNoBackupAndAnEmptyStartSaysWhy) {
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(2, kNow - 10));
  auto kept = Run({});
  ASSERT_TRUE(kept);
  RestoreRecord rec = RestoreRecordFor(*kept, kNow);
  EXPECT_EQ(rec.source_kind, "local");
  EXPECT_EQ(rec.source, data_ + "/dump.rdb");
  EXPECT_FALSE(rec.backup);
  EXPECT_EQ(rec.keys, 2u);
  ::unlink((data_ + "/dump.rdb").c_str());
  RestoreOptions o;
  o.allow_start_empty = true;
  auto empty = Run(o);
  ASSERT_TRUE(empty);
  rec = RestoreRecordFor(*empty, kNow);
  EXPECT_EQ(rec.source_kind, "empty");
  EXPECT_EQ(rec.reason, "no data and no usable backup");
  EXPECT_EQ(ParseRestoreRecord(RenderRestoreRecord(rec), "x")->source_kind, "empty");
}

TEST_F(RestoreTest, ARecordThatDoesNotParseNamesTheFileAndTheMember) {
  WriteFile(data_ + "/" + kRestoreRecordName,
            R"({"apiVersion":"tidemark.dev/restore-record/v2","at":"2026-11-28T00:00:00Z",)"
            R"("decision":"installed-backup","sourceKind":"tape"})");
  auto r = ReadRestoreRecord(data_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(r.error().ToString().find(kRestoreRecordName), std::string::npos) << r.error().ToString();
  EXPECT_NE(r.error().ToString().find("sourceKind"), std::string::npos) << r.error().ToString();
  WriteFile(data_ + "/" + kRestoreRecordName, R"({"apiVersion":"tidemark.dev/restore-record/v1"})");
  EXPECT_NE(ReadRestoreRecord(data_).error().ToString().find("apiVersion"), std::string::npos);
}

TEST_F(RestoreTest, UnusableLocalDataIsMovedAsideNeverDeleted) {
  AddBackup(4, kNow - 60);
  std::string broken = MakeTestRdb(2, kNow - 10).substr(0, 40);
  WriteFile(data_ + "/dump.rdb", broken);
  auto r = Run({});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kInstalledBackup);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(4, kNow - 60));
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb.unusable-20261128T042640Z"), broken);
}

TEST_F(RestoreTest, AofOnWithOnlyADumpRdbInstallsItAsTheBaseInsteadOfStartingEmpty) {
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(6, kNow - 10));
  RestoreOptions o;
  o.layout.appendonly = true;
  auto r = Run(o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kInstalledLocalSnapshot);
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb"), MakeTestRdb(6, kNow - 10));
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(6, kNow - 10));  // kept
}

TEST_F(RestoreTest, NoDataAndNoBackupFailsUnlessStartingEmptyIsAllowed) {
  auto r = Run({});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("refusing to start Redis empty"), std::string::npos);
  EXPECT_NE(r.error().message.find("--allow-empty"), std::string::npos);
  RestoreOptions o;
  o.allow_start_empty = true;
  auto ok = Run(o);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->action, RestoreAction::kStartEmpty);
}

TEST_F(RestoreTest, AmbiguousAofWithoutManifestFailsAndTouchesNothing) {
  AddBackup(4, kNow - 60);
  ::mkdir((data_ + "/appendonlydir").c_str(), 0755);
  WriteFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb", MakeTestRdb(1));
  WriteFile(data_ + "/appendonlydir/appendonly.aof.2.base.rdb", MakeTestRdb(2));
  WriteFile(data_ + "/appendonlydir/appendonly.aof.manifest", "");
  RestoreOptions o;
  o.layout.appendonly = true;
  auto r = Run(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ambiguous"), std::string::npos) << r.error().message;
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb"), MakeTestRdb(1));
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.manifest"), "");
  EXPECT_FALSE(Exists(data_ + "/dump.rdb"));
}

TEST_F(RestoreTest, EmptyLocalAofRanksBelowANonEmptyBackupAndIsMovedAside) {
  // The Redis 7 trap after the fact: an AOF holding nothing, written over a good dataset.
  AddBackup(4, kNow - 3600);
  ::mkdir((data_ + "/appendonlydir").c_str(), 0755);
  WriteFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb", MakeTestRdb(0, kNow - 10));
  WriteFile(data_ + "/appendonlydir/appendonly.aof.1.incr.aof", "");
  WriteFile(data_ + "/appendonlydir/appendonly.aof.manifest",
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  for (const char* f : {"appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"})
    SetMTime(data_ + "/appendonlydir/" + f, kNow - 10);
  RestoreOptions o;
  o.layout.appendonly = true;
  auto r = Run(o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kInstalledBackup);
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir/appendonly.aof.1.base.rdb"), MakeTestRdb(4, kNow - 3600));
  EXPECT_EQ(ReadFile(data_ + "/appendonlydir.unusable-20261128T042640Z/appendonly.aof.1.base.rdb"),
            MakeTestRdb(0, kNow - 10));
  // Allowed to be empty, the fresher local AOF is kept.
  RestoreOptions allow = o;
  allow.allow_empty_data = true;
  ::rename((data_ + "/appendonlydir").c_str(), (data_ + "/restored").c_str());
  ::rename((data_ + "/appendonlydir.unusable-20261128T042640Z").c_str(), (data_ + "/appendonlydir").c_str());
  auto kept = Run(allow);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->action, RestoreAction::kKeptLocal);
}

// The classic loss: the volume is gone and every backup fails verification. --allow-empty (what
// the operator passes under restore.when: auto) must not turn that into an empty primary.
TEST_F(RestoreTest, LostVolumeWithOnlyCorruptBackupsIsRefusedEvenWithAllowEmpty) {
  auto m = AddBackup(5, kNow - 3600, kSelf);
  Corrupt(m);
  auto r = Run(Operated());
  ASSERT_FALSE(r) << RestoreActionName(r->action);
  EXPECT_NE(r.error().message.find("this instance once held data"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("1 backup(s) listed, newest " + store_->MetadataLocation(m.name)),
            std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("--force-empty"), std::string::npos);
  EXPECT_NE(Log().find("\"msg\":\"backup skipped\""), std::string::npos) << Log();
  EXPECT_FALSE(Exists(data_ + "/dump.rdb"));
  EXPECT_EQ(::access(store_->DataLocation(m.name).c_str(), F_OK), 0);  // never deleted

  // The explicit override: empty, with a warning that names what is given up.
  RestoreOptions force = Operated();
  force.force_empty = true;
  auto forced = Run(force);
  ASSERT_TRUE(forced) << forced.error().ToString();
  EXPECT_EQ(forced->action, RestoreAction::kStartEmpty);
  EXPECT_NE(Log().find("\"level\":\"warn\",\"msg\":\"starting empty although this instance once "
                       "held data (--force-empty)\""),
            std::string::npos) << Log();
  EXPECT_EQ(::access(store_->DataLocation(m.name).c_str(), F_OK), 0);
}

TEST_F(RestoreTest, ANewInstanceWithAnEmptyStoreStartsEmptyUnderAllowEmpty) {
  auto r = Run(Operated());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kStartEmpty);
  EXPECT_FALSE(r->has_data);
  // Nothing held yet, so nothing marked: the next start is still a new instance's.
  EXPECT_FALSE(Exists(data_ + "/.tidemark-lineage.json"));
  EXPECT_FALSE(Exists(tmp_.File("store") + "/.tidemark-lineage.json"));
  auto again = Run(Operated());
  ASSERT_TRUE(again) << again.error().ToString();
}

TEST_F(RestoreTest, UnusableLocalFilesAreEvidenceOfData) {
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(2, kNow - 10).substr(0, 40));
  auto r = Run(Operated());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("local file that does not verify: " + data_ + "/dump.rdb"),
            std::string::npos) << r.error().message;
  EXPECT_TRUE(Exists(data_ + "/dump.rdb"));  // untouched on the failure path
}

TEST_F(RestoreTest, AReplicaMayStartEmptyOverEvidence) {
  Corrupt(AddBackup(5, kNow - 3600, kSelf));
  RestoreOptions o = Operated();
  o.is_replica = true;
  auto r = Run(o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kStartEmpty);
  EXPECT_NE(Log().find("a replica: starting empty"), std::string::npos) << Log();
  o.allow_start_empty = false;  // also without --allow-empty (restore.when: never)
  ASSERT_TRUE(Run(o));
}

// The operator renders --peers into the one restore container spec of every ordinal: a replica
// asks no peer (it would wait on each) and starts as before.
TEST_F(RestoreTest, AReplicaIgnoresPeers) {
  RestoreOptions o = Operated();
  o.is_replica = true;
  auto peer = ParsePeerUrl("http://127.0.0.1:1");
  ASSERT_TRUE(peer) << peer.error().ToString();
  o.peers.peers.push_back(*peer);
  o.peers.token = "shop/cache:0123456789abcdef0123";
  auto r = Run(o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kStartEmpty);
  EXPECT_NE(Log().find("--peers ignored"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("replica not reachable"), std::string::npos) << Log();
  // Pod 0 with the same options does ask (and finds the peer unreachable).
  o.is_replica = false;
  ASSERT_TRUE(Run(o));
  EXPECT_NE(Log().find("replica not reachable"), std::string::npos) << Log();
}

TEST_F(RestoreTest, TheLineageMarkerRemembersDataAfterEveryBackupIsGone) {
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(3, kNow - 10));
  auto kept = Run(Operated());
  ASSERT_TRUE(kept) << kept.error().ToString();
  EXPECT_EQ(kept->action, RestoreAction::kKeptLocal);
  const std::string marker = ReadFile(tmp_.File("store") + "/.tidemark-lineage.json");
  EXPECT_EQ(marker, "{\"instance\":\"shop/cache\",\"uid\":\"uid-1\",\"firstDataAt\":\"" +
                        backup::FormatIsoUtc(kNow) + "\"}\n");
  EXPECT_EQ(ReadFile(data_ + "/.tidemark-lineage.json"), marker);
  // The data volume is lost and no backup was ever taken: the backup volume's marker remains.
  ASSERT_EQ(::unlink((data_ + "/dump.rdb").c_str()), 0);
  ASSERT_EQ(::unlink((data_ + "/.tidemark-lineage.json").c_str()), 0);
  auto r = Run(Operated());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lineage marker " + tmp_.File("store") +
                                   "/.tidemark-lineage.json: {\"instance\":\"shop/cache\""),
            std::string::npos) << r.error().message;
}

TEST_F(RestoreTest, AnotherInstancesBackupIsRefusedAndTheOwnOlderOneChosen) {
  auto own = AddBackup(3, kNow - 7200, kSelf);
  auto other = AddBackup(6, kNow - 60, {"shop/other", "uid-9"});
  auto r = Run(Operated());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->source, own.name);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(3, kNow - 7200));
  EXPECT_NE(Log().find("\"msg\":\"backup refused: another instance's lineage\",\"pod\":\"cache-0\","
                       "\"backup\":\"" + other.name + "\",\"backup_instance\":\"shop/other\""),
            std::string::npos) << Log();
  bool listed = false;
  for (const auto& c : r->compared)
    listed |= c.find("ineligible: backup unusable: another instance's lineage: taken by "
                     "shop/other (uid uid-9), this is shop/cache; accept it with --accept-lineage "
                     "shop/other") != std::string::npos;
  EXPECT_TRUE(listed);
}

TEST_F(RestoreTest, OnlyAnotherInstancesBackupsFailTheRestoreUnlessAccepted) {
  auto other = AddBackup(6, kNow - 60, {"billing/ledger", "uid-9"});
  auto refused = Run(Operated());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--accept-lineage billing/ledger"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(Exists(data_ + "/dump.rdb"));
  // The disaster-recovery opt-in.
  RestoreOptions dr = Operated();
  dr.accepted_lineages = {"billing/ledger"};
  auto r = Run(dr);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->source, other.name);
  EXPECT_NE(Log().find("backup of another instance, accepted (--accept-lineage)"), std::string::npos);
}

TEST_F(RestoreTest, BackupsWithoutLineageOrOfAnEarlierSameNamedResourceAreAcceptedWithAWarning) {
  auto old = AddBackup(2, kNow - 7200);
  auto r = Run(Operated());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->source, old.name);
  EXPECT_NE(Log().find("backup records no lineage (taken before lineage was recorded): accepted"),
            std::string::npos) << Log();
  ASSERT_EQ(::unlink((data_ + "/dump.rdb").c_str()), 0);
  auto recreated = AddBackup(4, kNow - 60, {"shop/cache", "uid-0"});
  auto again = Run(Operated());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->source, recreated.name);
  EXPECT_NE(Log().find("backup of an earlier resource with this instance's name: accepted"),
            std::string::npos) << Log();
}

TEST_F(RestoreTest, ABackupNewerThanTheServerLoadsIsRefusedNamingBothVersions) {
  AddBackup(5, kNow - 60, kSelf);  // RDB version 10 (Redis 7.0)
  RestoreOptions o = Operated();
  o.max_rdb_version = 9;  // a Redis 6 image
  auto r = Run(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("RDB version 10 is newer than the server loads (9)"),
            std::string::npos) << r.error().message;
  EXPECT_FALSE(Exists(data_ + "/dump.rdb"));
}

TEST_F(RestoreTest, LocalDataNewerThanTheNewestBackupIsKeptEvenWithFewerKeys) {
  AddBackup(6, kNow - 3600, kSelf);
  WriteFile(data_ + "/dump.rdb", MakeTestRdb(2, kNow - 10));
  auto r = Run(Operated());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->action, RestoreAction::kKeptLocal);
  EXPECT_EQ(ReadFile(data_ + "/dump.rdb"), MakeTestRdb(2, kNow - 10));
}

}  // namespace
}  // namespace tidemark::sidecar
