// Files redis-check-aof 7.0 accepts but redis-server refuses, crashes on, or silently loads
// differently. Each case appends records to the last incremental file of an AOF a real server
// wrote, then asks all three: redis-check-aof, tidemark, and redis-server itself.
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/core/aof/aof_fixture.h"

namespace tidemark::aoftest {
namespace {

using testing::ReadFile;
using testing::RedisServer;
using testing::TempDir;
using testing::WriteFile;

class CheckerBlindSpot : public ::testing::Test {
 protected:
  void SetUp() override { WriteAofDataset(dir_.path(), {}); }
  void Append(const std::string& bytes) {
    const std::string path = LastIncrPath(dir_.path());
    WriteFile(path, ReadFile(path) + bytes);
  }
  int Checker() { return CheckAof(ShellQuote(ManifestPath(dir_.path()))); }
  int Ours(std::string* out = nullptr) {
    return Tidemark("verify aof " + ShellQuote(dir_.path()), out);
  }
  TempDir dir_;
};

TEST_F(CheckerBlindSpot, CommandWithZeroArgumentsIsRefusedByTheServer) {
  Append("*0\r\n");
  EXPECT_EQ(Checker(), 0) << "redis-check-aof 7.0 accepts '*0'";
  std::string out;
  EXPECT_EQ(Ours(&out), 1) << out;
  EXPECT_NE(out.find("0 arguments"), std::string::npos) << out;
  EXPECT_THROW(LoadDigest(dir_.path()), std::runtime_error) << "redis-server: bad file format";
}

TEST_F(CheckerBlindSpot, UnknownCommandIsRefusedByTheServer) {
  Append("*2\r\n$7\r\nFOOBARX\r\n$1\r\nk\r\n");
  EXPECT_EQ(Checker(), 0);
  std::string out;
  EXPECT_EQ(Ours(&out), 1) << out;
  EXPECT_NE(out.find("unknown command 'FOOBARX'"), std::string::npos) << out;
  EXPECT_THROW(LoadDigest(dir_.path()), std::runtime_error);
}

TEST_F(CheckerBlindSpot, WrongArityCrashesTheServer) {
  Append("*2\r\n$3\r\nSET\r\n$1\r\nk\r\n");
  EXPECT_EQ(Checker(), 0);
  std::string out;
  EXPECT_EQ(Ours(&out), 1) << out;
  EXPECT_NE(out.find("expected at least 3"), std::string::npos) << out;
  EXPECT_THROW(LoadDigest(dir_.path()), std::runtime_error) << "7.0.15 segfaults here";
}

TEST_F(CheckerBlindSpot, SelectOfAMissingDatabaseSilentlyWritesIntoThePreviousOne) {
  Append("*2\r\n$6\r\nSELECT\r\n$2\r\n20\r\n*3\r\n$3\r\nSET\r\n$8\r\nmisplace\r\n$1\r\n1\r\n");
  EXPECT_EQ(Checker(), 0);
  std::string out;
  EXPECT_EQ(Ours(&out), 1) << out;
  EXPECT_NE(out.find("SELECT '20'"), std::string::npos) << out;
  // The server starts, and the key meant for db 20 is in db 0 (the AOF's last SELECT was 0).
  TempDir copy;
  CopyDataDir(dir_.path(), copy.path());
  RedisServer server(copy.path(), AofServerConfig({}));
  EXPECT_EQ(server.Cli({"EXISTS", "misplace"}), "1");
}

TEST_F(CheckerBlindSpot, PartialAnnotationAtTheTailBreaksTheNextStart) {
  Append("#TS:17");
  EXPECT_EQ(Checker(), 0) << "redis-check-aof accepts a file ending in a partial annotation";
  std::string out;
  EXPECT_EQ(Ours(&out), 1) << out;
  EXPECT_NE(out.find("TRUNCATED"), std::string::npos) << out;
  {
    TempDir copy;
    CopyDataDir(dir_.path(), copy.path());
    {
      // The server loads it, then appends its next write to the annotation line...
      RedisServer server(copy.path(), AofServerConfig({}));
      server.Cli({"SET", "next", "write"});
      server.Stop();
    }
    // ...and refuses to start on its own file.
    EXPECT_THROW(RedisServer(copy.path(), AofServerConfig({})), std::runtime_error);
  }
  // After tidemark --fix, the same sequence works.
  ASSERT_EQ(Tidemark("verify aof --fix " + ShellQuote(dir_.path()), &out), 0) << out;
  TempDir copy;
  CopyDataDir(dir_.path(), copy.path());
  {
    RedisServer server(copy.path(), AofServerConfig({}));
    server.Cli({"SET", "next", "write"});
    server.Stop();
  }
  RedisServer again(copy.path(), AofServerConfig({}));
  EXPECT_EQ(again.Cli({"GET", "next"}), "write");
}

TEST_F(CheckerBlindSpot, NulFilledTailIsRefusedByTheServerEvenWithLoadTruncated) {
  const std::string good_digest = LoadDigest(dir_.path());
  Append(std::string(4096, '\0'));
  EXPECT_EQ(Checker(), 1);
  EXPECT_THROW(LoadDigest(dir_.path()), std::runtime_error)
      << "aof-load-truncated yes does not cover a NUL tail (bad file format)";
  aof::AofReport r = VerifyDataDir(dir_.path());
  EXPECT_EQ(r.verdict, aof::AofVerdict::kTruncated);
  EXPECT_TRUE(r.files.back().zero_filled_tail);
  EXPECT_EQ(r.files.back().bytes_to_cut, 4096u);
  std::string out;
  ASSERT_EQ(Tidemark("verify aof --fix " + ShellQuote(dir_.path()), &out), 0) << out;
  EXPECT_EQ(LoadDigest(dir_.path()), good_digest);
}

}  // namespace
}  // namespace tidemark::aoftest
