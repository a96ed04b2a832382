// Point-in-time restores with a real redis-server writing a timestamped AOF
// (aof-timestamp-enabled yes) and the tidemark-sidecar binary: the local AOF rewound to T loads
// the data of T, the original stays loadable beside it, a policy naming T does it once per
// volume; without timestamps the restore refuses, or takes an older backup when allowed.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "core/backup/utc_time.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

const std::vector<std::string> kTimestamped = {"appendonly yes", "aof-use-rdb-preamble yes",
                                               "aof-timestamp-enabled yes"};

// Sleeps until the wall clock is a quarter second into a second later than `t`: writes from
// then on are stamped later than `t`.
void WaitPastSecond(int64_t t) {
  using namespace std::chrono;
  while (true) {
    auto now = system_clock::now().time_since_epoch();
    if (duration_cast<seconds>(now).count() > t && duration_cast<milliseconds>(now).count() % 1000 >= 250)
      return;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::map<std::string, std::string> ReadAll(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& f : ListDir(dir)) files[f] = ReadFile(dir + "/" + f);
  return files;
}

std::string FindWith(const std::string& dir, const std::string& fragment) {
  for (const auto& f : ListDir(dir))
    if (f.find(fragment) != std::string::npos) return dir + "/" + f;
  return "";
}

class PointInTimeRedis : public WithDataAndStore<> {
 protected:
  std::string AofDir() const { return data_ + "/appendonlydir"; }
};

// Moves the last "#TS:" section of the incremental file into a new incremental file listed
// after it, as Redis does when a rewrite fails: the same data in two files.
void SplitLastSecondIntoNewIncr(const std::string& aof_dir) {
  const std::string manifest_path = FindWith(aof_dir, ".manifest");
  std::string manifest = ReadFile(manifest_path);
  auto at = manifest.find("type i");
  ASSERT_NE(at, std::string::npos) << manifest;
  auto line = manifest.rfind('\n', at) + 1;
  std::string name = manifest.substr(line + 5, manifest.find(' ', line + 5) - line - 5);
  std::string bytes = ReadFile(aof_dir + "/" + name);
  auto last = bytes.rfind("#TS:");
  ASSERT_NE(last, std::string::npos);
  ASSERT_GT(last, 0u);
  WriteFile(aof_dir + "/" + name, bytes.substr(0, last));
  WriteFile(aof_dir + "/appendonly.aof.9.incr.aof", bytes.substr(last));
  WriteFile(manifest_path, manifest + "file appendonly.aof.9.incr.aof seq 9 type i\n");
}

TEST_F(PointInTimeRedis, LocalAofIsRewoundToTheSecondGivenAndTheOriginalIsKept) {
  std::string digest_at_t, digest_all;
  int64_t t = 0;
  {
    RedisServer redis(data_, kTimestamped);
    redis.Pipe("SET x 1\nRPUSH l a b c\n");
    redis.RewriteAof();  // the base: an RDB preamble stamped with its ctime
    WaitPastSecond(Now());
    redis.Pipe("SET a 1\nINCR x\nHSET h f v\nSELECT 2\nSET other-db 1\n");
    digest_at_t = redis.Digest();
    t = Now();
    WaitPastSecond(t);
    redis.Pipe("SET b 2\nDEL l\nINCR x\n");
    WaitPastSecond(Now());
    redis.Pipe("SET c 3\nHDEL h f\n");
    digest_all = redis.Digest();
    ASSERT_NE(digest_all, digest_at_t);
  }
  SplitLastSecondIntoNewIncr(AofDir());
  {
    RedisServer split(data_, kTimestamped);  // the split is faithful: Redis loads all of it
    ASSERT_EQ(split.Digest(), digest_all);
  }
  const auto original = ReadAll(AofDir());

  auto r = RunSidecar({"restore", "--data-dir", data_, "--appendonly", "yes", "--point-in-time",
                       backup::FormatIsoUtc(t)});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_TRUE(r.AllLinesAreJson()) << r.out;
  EXPECT_TRUE(r.Logged("\"action\":\"rewound-local-aof-to-point-in-time\"")) << r.out;
  EXPECT_TRUE(r.Logged("appendonly.aof.9.incr.aof")) << r.out;  // named as no longer loaded

  // The original directory, byte for byte, beside the rewound one.
  const std::string kept = FindWith(data_, "appendonlydir.before-pitr-");
  ASSERT_FALSE(kept.empty()) << r.out;
  EXPECT_EQ(ReadAll(kept), original);
  const auto now_files = ReadAll(AofDir());
  EXPECT_EQ(now_files.count("appendonly.aof.9.incr.aof"), 0u);
  EXPECT_NE(ReadFile(data_ + "/.tidemark-point-in-time").find("\"unix\":" + std::to_string(t)),
            std::string::npos);

  {
    RedisServer rewound(data_, kTimestamped);
    EXPECT_EQ(rewound.Digest(), digest_at_t);
    EXPECT_EQ(rewound.Cli({"GET", "a"}), "1");
    EXPECT_EQ(rewound.Cli({"GET", "b"}), "");
    EXPECT_EQ(rewound.Cli({"GET", "c"}), "");
    rewound.Cli({"SET", "d", "after the restore"});
  }
  // The kept original still loads the whole history.
  const std::string elsewhere = tmp_.File("elsewhere");
  ASSERT_EQ(RunCommand("mkdir -p " + elsewhere + " && cp -a " + kept + " " + elsewhere +
                       "/appendonlydir"),
            0);
  {
    RedisServer original_again(elsewhere, kTimestamped);
    EXPECT_EQ(original_again.Digest(), digest_all);
  }

  // The policy naming the same T: done once per volume, so the write made since is kept.
  std::string policy = ReadFile(std::string(TIDEMARK_SOURCE_DIR) +
                                "/tests/core/policy/golden/hybrid.policy.json");
  policy.replace(policy.find("\"type\": \"latest\""), 16, "\"type\": \"pointInTime\"");
  policy.replace(policy.find("\"pointInTime\": null"), 19,
                 "\"pointInTime\": \"" + backup::FormatIsoUtc(t) + "\"");
  WriteFile(tmp_.File("policy.json"), policy);
  auto again = RunSidecar({"restore", "--data-dir", data_, "--policy", tmp_.File("policy.json")});
  ASSERT_EQ(again.rc, 0) << again.out << again.err;
  EXPECT_TRUE(again.Logged("already restored on this volume")) << again.out;
  EXPECT_TRUE(again.Logged("\"action\":\"kept-local-data\"")) << again.out;
  RedisServer after(data_, kTimestamped);
  EXPECT_EQ(after.Cli({"GET", "d"}), "after the restore");
}

TEST_F(PointInTimeRedis, WithoutTimestampsItRefusesOrTakesAnOlderBackupWhenAllowed) {
  const std::vector<std::string> plain = {"appendonly yes", "aof-use-rdb-preamble yes"};
  std::string digest_backup;
  int64_t t = 0;
  {
    RedisServer redis(data_, plain);
    redis.Pipe("SET a 1\nSET shared old\n");
    digest_backup = redis.Digest();
    auto b = RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_});
    ASSERT_EQ(b.rc, 0) << b.out << b.err;
    t = Now();
    WaitPastSecond(t);
    redis.Pipe("SET b 2\nSET shared new\n");
  }
  const auto before = ReadAll(AofDir());
  const std::vector<std::string> args = {"restore", "--data-dir", data_, "--appendonly", "yes",
                                         "--store", store_, "--point-in-time",
                                         backup::FormatIsoUtc(t)};
  auto refused = RunSidecar(args);
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_TRUE(refused.Logged("aof-timestamp-enabled off")) << refused.out;
  EXPECT_TRUE(refused.Logged("--allow-older-snapshot")) << refused.out;
  EXPECT_EQ(ReadAll(AofDir()), before);
  EXPECT_EQ(FindWith(data_, "before-pitr"), "");

  auto with = args;
  with.push_back("--allow-older-snapshot");
  auto ok = RunSidecar(with);
  ASSERT_EQ(ok.rc, 0) << ok.out << ok.err;
  EXPECT_TRUE(ok.Logged("\"action\":\"installed-backup\"")) << ok.out;
  EXPECT_TRUE(ok.Logged("the writes between the two are not restored")) << ok.out;
  const std::string kept = FindWith(data_, "appendonlydir.before-pitr-");
  ASSERT_FALSE(kept.empty()) << ok.out;
  EXPECT_EQ(ReadAll(kept), before);
  RedisServer restored(data_, plain);
  EXPECT_EQ(restored.Digest(), digest_backup);
  EXPECT_EQ(restored.Cli({"GET", "shared"}), "old");
}

TEST_F(PointInTimeRedis, APointBeforeEveryBackupFailsWithoutTouchingTheVolume) {
  {
    RedisServer redis(data_, {"appendonly no"});
    redis.Pipe("SET a 1\n");
    ASSERT_EQ(RunSidecar({"backup", "--redis", "unix:" + redis.socket(), "--store", store_}).rc, 0);
  }
  const auto before = ReadAll(data_);
  auto r = RunSidecar({"restore", "--data-dir", data_, "--store", store_, "--point-in-time",
                       "2020-01-01T00:00:00+01:00", "--allow-older-snapshot", "--allow-empty"});
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(r.Logged("no verified snapshot was taken at or before it")) << r.out;
  EXPECT_TRUE(r.Logged("after the point in time 2019-12-31T23:00:00Z")) << r.out;
  EXPECT_EQ(ReadAll(data_), before);
  auto usage = RunSidecar({"restore", "--data-dir", data_, "--point-in-time", "yesterday"});
  EXPECT_EQ(usage.rc, 2);
  EXPECT_NE(usage.err.find("RFC 3339"), std::string::npos) << usage.err;
}

}  // namespace
}  // namespace tidemark::testing
