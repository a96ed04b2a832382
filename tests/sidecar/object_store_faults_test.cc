// Issue 10's fault runs against the backup store, not just the S3 client: the sidecar's backup
// job (RunBackupJob: cleanup, BGSAVE of a real redis-server, the one pass to the backup volume
// and the bucket, retention) through fault_proxy.py in front of a real s3rver, for small objects
// (one PUT from memory), larger ones sent as one streamed PUT (the default) and the same as a
// multipart upload of two 5 MiB parts. A sweep puts a fault on the Nth request
// of a backup for every N of the run, the kind cycling (500, 503 SlowDown, reset mid-request,
// reset mid-response, dropped connection), transient (the request fails once) or persistent (it
// fails on every attempt the client makes); targeted runs add a part and the metadata object
// cut off mid-body, a Complete whose reply is cut off after the server carried it out, and a
// Complete answered past the timeout. After each run the backup either completed — listed, its
// bytes read back from the bucket hash to the metadata's SHA-256, its digest is the server's
// DEBUG DIGEST, and a real redis-server restored from the bucket (the first three) has that
// digest — or failed cleanly: not listed, no metadata object, no data object, and no multipart
// upload the client knew of left open (the proxy records every upload id the server created and
// every Complete and Abort it answered; s3rver's upload directory is checked too). The local
// volume has every backup either way (destinations: both).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/format/sha256.h"
#include "sidecar/backup_job.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/object_backup_store.h"
#include "sidecar/objstore/s3_client.h"
#include "sidecar/redis_client.h"
#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3rver.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

constexpr int kAttempts = 3;
constexpr const char* kPrefix = "faults/sweep";

struct Figures {
  int runs = 0;
  int faults = 0;     // rules the proxy applied
  int completed = 0;  // the bucket has the backup, verified
  int failed = 0;     // the bucket does not have it, and nothing of it is left
  int lost = 0;       // published but not restorable (must stay 0)
  size_t orphaned_uploads = 0;  // created by an Initiate whose reply the client never got
  std::string ToString() const {
    return "runs " + std::to_string(runs) + ", faults injected " + std::to_string(faults) +
           ", completed " + std::to_string(completed) + ", failed cleanly " +
           std::to_string(failed) + ", data lost " + std::to_string(lost) +
           ", uploads orphaned by a lost Initiate reply " + std::to_string(orphaned_uploads);
  }
};

// The real clock, a minute later for each backup: names and creation times in the order taken,
// so retention (keep the newest 2) never sees two backups of the same second.
class MinutePerRunClock final : public Clock {
 public:
  int64_t NowUnix() override { return RealClock().NowUnix() + 60 * runs; }
  int64_t NowMillis() override { return RealClock().NowMillis(); }
  void SleepMillis(int64_t ms) override { RealClock().SleepMillis(ms); }
  int64_t runs = 0;
};

class ObjectStoreFaults : public ::testing::Test {
 protected:
  std::unique_ptr<objstore::S3Client> Client(int port) {
    objstore::S3Config config;
    config.endpoint = "http://127.0.0.1:" + std::to_string(port);
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = 5 << 20;  // S3's smallest
    config.stream_put_max = stream_put_max_;
    config.retry.max_attempts = kAttempts;
    config.retry.base_delay = std::chrono::milliseconds(2);
    config.retry.max_delay = std::chrono::milliseconds(20);
    // Short, so a delayed reply times out quickly; a spurious timeout on a loaded machine is
    // one more fault, and every outcome is checked the same way.
    config.io_timeout = std::chrono::milliseconds(1500);
    auto client = objstore::S3Client::Create(std::move(config), RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::unique_ptr<ObjectBackupStore> Bucket(int port) {
    ObjectStoreOptions o;
    o.prefix = kPrefix;
    return std::make_unique<ObjectBackupStore>(Client(port), std::move(o));
  }

  // A real redis-server holding `keys` keys of `value_bytes` (uncompressed in the RDB, so the
  // snapshot's size is what the test asks for).
  void StartRedis(int keys, int value_bytes) {
    std::filesystem::create_directory(tmp_.File("data"));
    redis_ = std::make_unique<testing::RedisServer>(tmp_.File("data"),
                                                    std::vector<std::string>{"rdbcompression no"});
    redis_->Cli({"DEBUG", "POPULATE", std::to_string(keys), "key", std::to_string(value_bytes)});
    redis_->Pipe("RPUSH q a b c\nHSET h f v\nZADD z 1 a 2.5 b\n");
    digest_ = redis_->Digest();
    auto client = RedisClient::Connect(RedisEndpoint{true, redis_->socket(), "", 0}, std::nullopt);
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::make_unique<RedisClient>(std::move(*client));
    std::filesystem::create_directory(tmp_.File("volume"));
    auto dir = DirBackupStore::Open(tmp_.File("volume"));
    ASSERT_TRUE(dir) << dir.error().ToString();
    volume_ = std::make_unique<DirBackupStore>(std::move(*dir));
  }

  // One backup job to the volume and the bucket (through the proxy). Returns the backup's name
  // when the job got as far as taking one.
  struct Run {
    std::string name;
    bool in_bucket = false;
    std::string error;
  };
  Run BackupOnce() {
    auto bucket = Bucket(proxy_.port());
    backup::RetentionRules keep;
    keep.keep_last = 2;
    std::ostringstream log_out;
    JsonLog log(log_out, RealClock(), "test");
    BackupJobOptions options;
    ++clock_.runs;
    auto job = RunBackupJob(*client_, {{volume_.get(), keep}, {bucket.get(), keep, "objectStore"}},
                            options, log, clock_);
    Run run;
    if (!job) {
      run.error = job.error().ToString();
      return run;
    }
    run.name = job->metadata.name;
    run.in_bucket = job->failed_stores.empty();
    if (!run.in_bucket) run.error = job->failed_stores[0];
    return run;
  }

  // Keys under the prefix, by backup name: which of ".json" / ".rdb" exist.
  std::map<std::string, std::set<std::string>> Objects() {
    auto objects = Client(server_.port())->ListObjects(std::string(kPrefix) + "/");
    EXPECT_TRUE(objects) << objects.error().ToString();
    std::map<std::string, std::set<std::string>> out;
    for (const auto& o : objects ? *objects : std::vector<objstore::ListedObject>{}) {
      std::string file = o.key.substr(std::string(kPrefix).size() + 1);
      auto dot = file.find('.');
      out[file.substr(0, dot)].insert(file.substr(dot));
    }
    return out;
  }

  size_t OpenUploadDirs() {
    auto dir = std::filesystem::path(server_.storage_dir()) / "backups" / "._S3rver_uploads";
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
  }

  // The bucket's copy, read back through a store that talks to s3rver directly.
  std::string ReadFromBucket(const std::string& name) {
    auto store = Bucket(server_.port());
    auto src = store->OpenForRead(name);
    EXPECT_TRUE(src) << src.error().ToString();
    if (!src) return "";
    std::string out;
    std::vector<uint8_t> buf(1 << 16);
    for (;;) {
      auto n = (*src)->Read(buf);
      EXPECT_TRUE(n) << n.error().ToString();
      if (!n || *n == 0) return out;
      out.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
  }

  // Checks one run's outcome; false when a published backup is not what Redis held.
  void Check(const Run& run, const std::string& what, bool restore_with_redis, Figures& f) {
    SCOPED_TRACE(what + (run.error.empty() ? "" : " (" + run.error + ")"));
    auto listing = Bucket(server_.port())->List();
    ASSERT_TRUE(listing) << listing.error().ToString();
    EXPECT_TRUE(listing->problems.empty()) << listing->problems[0];
    std::optional<backup::BackupMetadata> listed;
    for (const auto& m : listing->backups) {
      ever_listed_.insert(m.name);
      if (m.name == run.name) listed = m;
    }
    // Whatever happened, the volume has the backup whenever the job took one.
    if (!run.name.empty()) {
      auto local = volume_->List();
      ASSERT_TRUE(local);
      EXPECT_TRUE(std::any_of(local->backups.begin(), local->backups.end(),
                              [&](const auto& m) { return m.name == run.name; }));
    }
    // Every key is a whole backup, or what retention was deleting (metadata goes first) of one
    // that was listed complete: never the bytes of a backup that never was.
    for (const auto& [name, files] : Objects()) {
      if (!files.count(".json")) {
        EXPECT_TRUE(ever_listed_.count(name)) << name << ": a data object of a backup never listed";
      }
    }
    // Every upload the client heard of was completed or aborted. One whose Initiate reply was
    // lost is the client's to end only through ListMultipartUploads (CleanupStale), which s3rver
    // lacks: those are counted, and they are all s3rver still holds.
    EXPECT_EQ(proxy_.UploadsLeftOpen(), std::vector<std::string>{});
    f.orphaned_uploads = proxy_.UploadsOrphanedByLostReplies().size();
    EXPECT_EQ(OpenUploadDirs(), f.orphaned_uploads);
    if (run.in_bucket) {
      ++f.completed;
      bool ok = listed.has_value();
      EXPECT_TRUE(ok) << run.name << " published but not listed";
      if (ok) {
        const std::string bytes = ReadFromBucket(run.name);
        Sha256 sha;
        (void)sha.Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                  bytes.size()));
        auto hex = sha.FinishHex();
        ok = hex && *hex == listed->sha256 && bytes.size() == listed->size_bytes &&
             listed->verified && listed->dataset_digest == digest_;
        EXPECT_TRUE(ok) << run.name << ": the bucket's copy is not the snapshot";
        if (ok && restore_with_redis) ok = RestoresWithTheSameDigest(bytes);
      }
      if (!ok) ++f.lost;
    } else if (!run.name.empty()) {
      ++f.failed;
      EXPECT_FALSE(listed) << run.name << " listed after a failed put";
      EXPECT_FALSE(Objects().count(run.name)) << run.name << ": objects left by a failed put";
    } else {
      ++f.failed;  // the job stopped before a backup (the bucket's cleanup failed)
    }
  }

  // A real restore: the bucket's bytes as dump.rdb of a new redis-server, DEBUG DIGEST equal.
  bool RestoresWithTheSameDigest(const std::string& bytes) {
    const std::string dir = tmp_.File("restore-" + std::to_string(++restores_));
    std::filesystem::create_directory(dir);
    testing::WriteFile(dir + "/dump.rdb", bytes);
    testing::RedisServer restored(dir, {"appendonly no"});
    const std::string got = restored.Digest();
    EXPECT_EQ(got, digest_) << "restored from the bucket";
    return got == digest_;
  }

  // One backup with `rules` (fault_proxy.py) pending, checked.
  void RunWith(const std::string& rules, const std::string& what, Figures& f) {
    proxy_.SetFaults(rules);
    Run run = BackupOnce();
    proxy_.SetFaults("");
    int applied = 0;
    for (const auto& line : proxy_.Log())
      if (!line.starts_with("upload ") && line.find(' ') != std::string::npos &&
          !line.ends_with(" pass") && line != "accept")
        ++applied;
    f.faults += applied - applied_before_;
    applied_before_ = applied;
    ++f.runs;
    const bool verify_with_redis = run.in_bucket && restores_ < 3;
    Check(run, what, verify_with_redis, f);
  }

  // `rule` (an action, or an action with "@SUBSTRING") on `repeat` consecutive requests: 1, a
  // transient fault; kAttempts, one that outlasts the client's retries.
  static std::string Times(const std::string& rule, int repeat) {
    std::string rules;
    for (int r = 0; r < repeat; ++r) rules += rule + "\n";
    return rules;
  }

  // A backup per fault position 1..positions (the Nth request of the run fails), the kind of
  // fault cycling through `kinds` from `offset`, on `repeat` consecutive requests.
  void Sweep(const std::vector<std::string>& kinds, size_t offset, int repeat, int positions,
             Figures& f) {
    for (int n = 1; n <= positions && !HasFatalFailure(); ++n) {
      const std::string kind = kinds[(offset + static_cast<size_t>(n)) % kinds.size()];
      const int base = proxy_.RequestsSeen();
      std::string rules;
      for (int r = 0; r < repeat; ++r) rules += kind + " #" + std::to_string(base + n + r) + "\n";
      RunWith(rules, kind + " x" + std::to_string(repeat) + " at request " + std::to_string(n), f);
    }
  }

  // Requests of one backup without faults (the sweep's positions).
  int RequestsOfACleanRun(Figures& f) {
    const int before = proxy_.RequestsSeen();
    Run run = BackupOnce();
    EXPECT_TRUE(run.in_bucket) << run.error;
    ++f.runs;
    Check(run, "no fault", true, f);
    return proxy_.RequestsSeen() - before;
  }

  const std::vector<std::string> transient_ = {"status 500", "status 503 SlowDown", "reset-request",
                                               "reset-response", "drop"};
  const std::vector<std::string> persistent_ = {"status 503 SlowDown", "reset-request",
                                                "reset-response"};

  testing::S3rver server_;
  testing::FaultProxy proxy_{server_.port(), {"", "", server_.storage_dir()}};
  testing::TempDir tmp_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<DirBackupStore> volume_;
  std::string digest_;
  uint64_t stream_put_max_ = uint64_t{5} << 30;  // the default: one streamed PUT up to 5 GiB
  MinutePerRunClock clock_;
  std::set<std::string> ever_listed_;
  int applied_before_ = 0;
  int restores_ = 0;
};

TEST_F(ObjectStoreFaults, SmallBackupsCompleteOrFailCleanlyWhateverRequestFails) {
  ASSERT_NO_FATAL_FAILURE(StartRedis(300, 100));
  Figures f;
  const int positions = RequestsOfACleanRun(f);
  ASSERT_GE(positions, 6) << "cleanup, PUT, read back, metadata, retention";
  Sweep(transient_, 0, 1, positions, f);
  Sweep(persistent_, 0, kAttempts, positions, f);
  // The metadata object cut off mid-body, once and on every attempt.
  RunWith(Times("reset-request @.json", 1), "metadata reset once", f);
  RunWith(Times("reset-request @.json", kAttempts), "metadata reset every attempt", f);
  std::cout << "small backups (one PUT): " << f.ToString() << "\n";
  EXPECT_EQ(f.lost, 0);
  EXPECT_GT(f.failed, 0) << "persistent faults must fail some backups";
  EXPECT_GT(f.completed, f.failed) << "transient faults are retried";
  EXPECT_EQ(proxy_.LogLinesWith("upload created").size(), 0u) << "one PUT, no multipart";
}

// A snapshot larger than a part, sent as it is by default: one PUT streamed from the snapshot
// (not retried once body bytes are sent: the failure aborts the put, nothing is left).
TEST_F(ObjectStoreFaults, StreamedPutBackupsCompleteOrFailCleanlyWhateverRequestFails) {
  ASSERT_NO_FATAL_FAILURE(StartRedis(5200, 1024));  // a 5.4 MB snapshot
  Figures f;
  const int positions = RequestsOfACleanRun(f);
  Sweep(transient_, 1, 1, positions, f);
  RunWith(Times("reset-request @.rdb ", 1), "the data PUT cut off mid-body", f);
  std::cout << "streamed-PUT backups: " << f.ToString() << "\n";
  EXPECT_EQ(f.lost, 0);
  EXPECT_GT(f.failed, 0);
  EXPECT_GT(f.completed, 0);
  EXPECT_EQ(proxy_.LogLinesWith("upload created").size(), 0u) << "one PUT, no multipart";
}

TEST_F(ObjectStoreFaults, MultipartBackupsCompleteOrFailCleanlyWhateverRequestFails) {
  stream_put_max_ = 0;  // always multipart
  ASSERT_NO_FATAL_FAILURE(StartRedis(5200, 1024));  // a 5.4 MB snapshot: two parts
  Figures f;
  const int positions = RequestsOfACleanRun(f);
  ASSERT_GE(positions, 9) << "cleanup, initiate, 2 parts, complete, read back, metadata, retention";
  Sweep(transient_, 0, 1, positions, f);
  Sweep(persistent_, 0, kAttempts, positions, f);
  // The places that matter, each once and on every attempt: a part cut off mid-body, the
  // Complete carried out by the server whose reply is cut off (the retry finds no upload), the
  // metadata object cut off mid-body; and a Complete answered past the client's timeout.
  for (const char* rule : {"reset-request @partNumber=2&", "reset-response @rdb?uploadId=",
                           "reset-request @.json"})
    for (int repeat : {1, kAttempts})
      RunWith(Times(rule, repeat), std::string(rule) + " x" + std::to_string(repeat), f);
  RunWith(Times("delay 2500 @rdb?uploadId=", 1), "Complete answered too late", f);
  std::cout << "multipart backups: " << f.ToString() << "\n";
  EXPECT_EQ(f.lost, 0);
  EXPECT_GT(f.failed, 0);
  EXPECT_GT(f.completed, f.failed);
  EXPECT_GT(proxy_.UploadsCreated().size(), 20u);
}

}  // namespace
}  // namespace tidemark::sidecar
