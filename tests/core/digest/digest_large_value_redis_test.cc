// Values far larger than the reader holds whole: a real redis-server (rdbcompression yes) saves
// 64 MiB strings, one compressible (stored LZF-compressed) and one random (stored plain), and
// elements past the streaming threshold in every type that stores them as their own strings
// (a key name, set member, hash field and value, sorted-set member). `tidemark digest rdb`
// must give the server's DEBUG DIGEST while its peak RSS stays far below the values' size:
// they are hashed as they stream past, never held.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "core/digest/dataset_digest.h"
#include "core/rdb/value_visitor.h"
#include "tests/core/digest/digest_every_level.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::RedisServer;
using testing::TempDir;

constexpr size_t kBig = size_t{64} << 20;
// Generous: the whole process (binary, libraries, read-ahead buffers, the batch). Holding
// either big value whole would take 64 MiB more.
constexpr long kMaxRssKb = 24 * 1024;

// Text with repeats at many distances (LZF back references up to its 8 KiB reach) but not
// one long run: compresses well, and decompressing it exercises the whole window.
std::string Compressible(size_t n) {
  std::string s;
  s.reserve(n + 128);
  std::mt19937 rng(11);
  for (uint64_t line = 0; s.size() < n; ++line) {
    s += "line " + std::to_string(line) + ": sensor=" + std::to_string(rng() % 50) + " value=" +
         std::to_string(rng() % 1000) + (line % 7 ? " ok\n" : " check the pump again\n");
  }
  s.resize(n);
  return s;
}

std::string Random(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

// redis-cli -x: the value as the command's last argument, read from a file (no size limit of a
// command line).
void SetFromFile(const RedisServer& redis, const TempDir& dir, const std::string& command,
                 const std::string& value) {
  const std::string file = dir.File("value.bin");
  std::ofstream(file, std::ios::binary).write(value.data(), static_cast<std::streamsize>(value.size()));
  std::string out;
  ASSERT_EQ(testing::RunCommand("redis-cli -s " + redis.socket() + " -x " + command + " < " + file, &out), 0)
      << out;
  std::remove(file.c_str());
}

struct CliRun {
  int exit_code = -1;
  std::string out;
  long max_rss_kb = 0;
};

// `tidemark digest rdb FILE --at 0` as a child; its own peak RSS from wait4 (not the server's).
CliRun DigestWithCli(const std::string& rdb, const std::string& out_file) {
  CliRun run;
  pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* f = std::freopen(out_file.c_str(), "w", stdout);
    if (!f) ::_exit(126);
    ::execl(TIDEMARK_CLI, TIDEMARK_CLI, "digest", "rdb", rdb.c_str(), "--at", "0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) != pid) return run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.max_rss_kb = usage.ru_maxrss;
  run.out = testing::ReadFile(out_file);
  while (!run.out.empty() && run.out.back() == '\n') run.out.pop_back();
  return run;
}

TEST(DigestLargeValues, SixtyFourMebibyteStringsDigestAsRedisDoesInSmallMemory) {
  TempDir dir;
  RedisServer redis(dir.path(), {"rdbcompression yes"});
  SetFromFile(redis, dir, "SET big:compressible", Compressible(kBig));
  SetFromFile(redis, dir, "SET big:random", Random(kBig, 5));
  // Past the threshold, in every place an element is its own string in the file.
  const size_t past = kLongElement + 4097;
  SetFromFile(redis, dir, "SADD big:set a b", Random(past, 6));
  SetFromFile(redis, dir, "HSET big:hash small 1 large", Compressible(past));
  SetFromFile(redis, dir, "ZADD big:zset 1 a 2", Random(past, 7));
  SetFromFile(redis, dir, "RPUSH big:list a", Random(past, 8));
  // A key name past the threshold (-x fills the last argument, so the script takes the name).
  SetFromFile(redis, dir, "EVAL 'return redis.call(\"SET\", ARGV[1], \"v\")' 0", Compressible(past));
  redis.Save();
  const std::string expected = redis.Digest();
  ASSERT_EQ(expected.size(), 40u) << expected;
  ASSERT_NE(expected, std::string(40, '0'));
  // The compressible value really is stored compressed, the random one plain.
  auto size = std::ifstream(dir.File("dump.rdb"), std::ios::binary | std::ios::ate).tellg();
  EXPECT_LT(size, static_cast<std::streamoff>(kBig + kBig / 2)) << "the compressible value was not compressed";
  EXPECT_GT(size, static_cast<std::streamoff>(kBig)) << "the random value is missing";

  CliRun run = DigestWithCli(dir.File("dump.rdb"), dir.File("digest.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out, expected);
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the child's peak RSS is its shadow memory and the quarantine that
  // keeps freed blocks (256 MiB by default), not the digest's working set: the Release build
  // checks the bound.
  (void)kMaxRssKb;
#else
  EXPECT_LT(run.max_rss_kb, kMaxRssKb) << "peak RSS of tidemark digest rdb";
#endif

  // In process, at every SHA-1 level (the long elements go through the scalar stream at each).
  ForEachSha1Level(dir.File("dump.rdb"), [&](const RdbDigestResult& r) { EXPECT_EQ(r.digest, expected); });
}

}  // namespace
}  // namespace tidemark
