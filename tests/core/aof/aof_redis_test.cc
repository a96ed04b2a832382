// AOF directories written by a real redis-server: verified valid, truncated at many offsets,
// corrupted in the middle, repaired, cut to a timestamp; verdicts compared with redis-check-aof
// and repairs checked by loading the result into redis-server.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "tests/core/aof/aof_fixture.h"

namespace tidemark::aoftest {
namespace {

namespace fs = std::filesystem;
using aof::AofVerdict;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

class WrittenAof : public ::testing::TestWithParam<AofConfig> {};

TEST_P(WrittenAof, IsValidWithTheRightFormatsAndAgreesWithRedisCheckAof) {
  TempDir dir;
  WriteAofDataset(dir.path(), GetParam());
  aof::AofReport r = VerifyDataDir(dir.path());
  ASSERT_TRUE(r.valid()) << r.error->ToString();
  ASSERT_TRUE(r.multi_part);
  ASSERT_GE(r.files.size(), 2u);
  EXPECT_EQ(r.files[0].type, aof::AofPartType::kBase);
  EXPECT_EQ(r.files[0].format, GetParam().preamble ? aof::AofPartFormat::kRdbPreamble
                                                   : aof::AofPartFormat::kAof);
  if (GetParam().preamble) EXPECT_GT(r.files[0].rdb_keys, 300u);
  else EXPECT_GT(r.files[0].commands, 300u);
  const auto& incr = r.files.back();
  EXPECT_EQ(incr.transactions, 2u);
  EXPECT_GE(incr.commands, 19u);
  EXPECT_EQ(incr.timestamps > 0, GetParam().timestamps);
  EXPECT_EQ(CheckAof(ShellQuote(ManifestPath(dir.path()))), 0);
  std::string out;
  EXPECT_EQ(Tidemark("verify aof --json " + ShellQuote(dir.path()), &out), 0) << out;
  EXPECT_NE(out.find("\"valid\":true"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Configs, WrittenAof,
                         ::testing::Values(AofConfig{true, false}, AofConfig{false, false},
                                           AofConfig{true, true}, AofConfig{false, true}),
                         [](const auto& info) {
                           return std::string(info.param.preamble ? "Preamble" : "Resp") +
                                  (info.param.timestamps ? "Timestamps" : "");
                         });

TEST(SharedFixtures, NewerRedisAofDirectoriesVerifyValid) {
  for (const char* version : {"7.2.6", "7.4.1"}) {
    const std::string dir =
        std::string(TIDEMARK_SHARED_TESTDATA) + "/redis-versions/" + version + "/appendonlydir";
    std::string out;
    EXPECT_EQ(Tidemark("verify aof " + ShellQuote(dir), &out), 0) << version << "\n" << out;
    EXPECT_NE(out.find("VALID"), std::string::npos) << out;
    EXPECT_NE(out.find("1 transactions"), std::string::npos) << out;
  }
}

// Is `offset` inside an annotation line of `data` (after its '#', before its end)?
bool InsideAnnotation(const std::string& data, size_t offset) {
  size_t line_start = data.rfind('\n', offset - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  return line_start < offset && data[line_start] == '#' &&
         (line_start == 0 || data[line_start - 1] == '\n') &&
         // a '#' at a line start that is also a record start (not inside a bulk payload)
         data.compare(line_start, 4, "#TS:") == 0;
}

class TruncationSweep : public ::testing::TestWithParam<AofConfig> {};

TEST_P(TruncationSweep, EveryCutOfTheLastFileIsTruncatedAtRedisCheckAofsOffset) {
  TempDir dir;
  WriteAofDataset(dir.path(), GetParam());
  const std::string incr_path = LastIncrPath(dir.path());
  const std::string incr = ReadFile(incr_path);
  ASSERT_GT(incr.size(), 200u);
  const std::string manifest = ShellQuote(ManifestPath(dir.path()));
  int truncated = 0, agreed_valid = 0, annotation_cuts = 0;
  for (size_t cut = 1; cut < incr.size(); cut += (cut < 400 ? 1 : 7)) {
    WriteFile(incr_path, incr.substr(0, cut));
    aof::AofReport r = VerifyDataDir(dir.path());
    std::string out;
    int rc = CheckAof(manifest, &out);
    if (r.verdict == AofVerdict::kValid) {
      EXPECT_EQ(rc, 0) << "cut " << cut << "\n" << out;
      ++agreed_valid;
      continue;
    }
    ASSERT_EQ(r.verdict, AofVerdict::kTruncated) << "cut " << cut << ": " << r.error->ToString();
    EXPECT_EQ(r.files.back().bytes_to_cut, cut - r.files.back().last_good_offset);
    if (InsideAnnotation(incr, cut)) {
      // redis-check-aof accepts a file ending in a partial "#TS:" line; Tidemark does not,
      // because the server appends its next write to that line (see docs/formats.md).
      EXPECT_EQ(rc, 0) << "cut " << cut;
      ++annotation_cuts;
      continue;
    }
    EXPECT_EQ(rc, 1) << "cut " << cut << "\n" << out;
    EXPECT_EQ(CheckAofOkUpTo(out), static_cast<long long>(r.files.back().last_good_offset))
        << "cut " << cut << "\n" << out;
    ++truncated;
  }
  EXPECT_GT(truncated, 100);
  EXPECT_GT(agreed_valid, 5);
  EXPECT_EQ(annotation_cuts > 0, GetParam().timestamps);
}

INSTANTIATE_TEST_SUITE_P(Configs, TruncationSweep,
                         ::testing::Values(AofConfig{true, false}, AofConfig{false, true}),
                         [](const auto& info) {
                           return std::string(info.param.preamble ? "Preamble" : "Resp") +
                                  (info.param.timestamps ? "Timestamps" : "");
                         });

TEST(Corruption, StructuralDamageInTheMiddleIsCorruptAndFixRefuses) {
  TempDir dir;
  WriteAofDataset(dir.path(), {});
  const std::string incr_path = LastIncrPath(dir.path());
  const std::string incr = ReadFile(incr_path);
  const std::string manifest = ShellQuote(ManifestPath(dir.path()));
  int checked = 0;
  for (size_t i = 0; i + 40 < incr.size(); ++i) {
    const char c = incr[i];
    const bool structural = c == '*' || c == '$' || c == '\r' || c == '\n';
    if (!structural) continue;
    std::string bad = incr;
    bad[i] = '!';
    WriteFile(incr_path, bad);
    aof::AofReport r = VerifyDataDir(dir.path());
    EXPECT_EQ(r.verdict, AofVerdict::kCorrupt) << "byte " << i;
    EXPECT_EQ(CheckAof(manifest), 1) << "byte " << i;
    if (checked++ % 25 == 0) {
      std::string out;
      EXPECT_EQ(Tidemark("verify aof --fix " + ShellQuote(dir.path()), &out), 1) << out;
      EXPECT_NE(out.find("no safe cut"), std::string::npos) << out;
      EXPECT_EQ(ReadFile(incr_path), bad) << "a refused fix must not touch the file";
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(Fix, MatchesRedisCheckAofFixAndKeepsTheOriginal) {
  TempDir src;
  WriteAofDataset(src.path(), {true, true});
  const std::string incr = ReadFile(LastIncrPath(src.path()));
  for (size_t cut : {incr.size() - 3, incr.size() / 2 + 1, incr.size() - 40}) {
    TempDir a, b;
    CopyDataDir(src.path(), a.path());
    CopyDataDir(src.path(), b.path());
    const std::string truncated = incr.substr(0, cut);
    WriteFile(LastIncrPath(a.path()), truncated);
    WriteFile(LastIncrPath(b.path()), truncated);

    std::string out;
    ASSERT_EQ(Tidemark("verify aof --fix " + ShellQuote(a.path()), &out), 0) << out;
    ASSERT_EQ(testing::RunCommand("echo y | redis-check-aof --fix " +
                                  ShellQuote(ManifestPath(b.path())) + " >/dev/null 2>&1"),
              0);
    EXPECT_EQ(ReadFile(LastIncrPath(a.path())), ReadFile(LastIncrPath(b.path()))) << "cut " << cut;
    EXPECT_EQ(LoadDigest(a.path()), LoadDigest(b.path())) << "cut " << cut;

    int originals = 0;
    for (const auto& e : fs::directory_iterator(AofDir(a.path()))) {
      if (e.path().filename().string().find(".orig-") == std::string::npos) continue;
      ++originals;
      EXPECT_EQ(ReadFile(e.path().string()), truncated) << "the original bytes are kept";
    }
    EXPECT_EQ(originals, 1);
    EXPECT_TRUE(VerifyDataDir(a.path()).valid());
  }
}

TEST(TruncateToTimestamp, YieldsALoadableAofWithOnlyEarlierWrites) {
  TempDir dir;
  AofConfig cfg{true, true};
  int64_t t = 0;
  {
    testing::RedisServer server(dir.path(), AofServerConfig(cfg));
    server.Cli({"SET", "early", "1"});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    server.Cli({"SET", "early2", "1"});
    t = static_cast<int64_t>(std::time(nullptr));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    server.Cli({"SET", "late", "1"});
    server.Stop();
  }
  TempDir mine, theirs;
  CopyDataDir(dir.path(), mine.path());
  CopyDataDir(dir.path(), theirs.path());
  std::string out;
  ASSERT_EQ(Tidemark("verify aof --truncate-to-timestamp " + std::to_string(t) + " " +
                         ShellQuote(mine.path()),
                     &out),
            0)
      << out;
  ASSERT_EQ(CheckAof("--truncate-to-timestamp " + std::to_string(t) + " " +
                     ShellQuote(ManifestPath(theirs.path()))),
            0);
  EXPECT_EQ(ReadFile(LastIncrPath(mine.path())), ReadFile(LastIncrPath(theirs.path())));
  TempDir load;
  CopyDataDir(mine.path(), load.path());
  testing::RedisServer server(load.path(), AofServerConfig(cfg));
  EXPECT_EQ(server.Cli({"EXISTS", "early"}), "1");
  EXPECT_EQ(server.Cli({"EXISTS", "early2"}), "1");
  EXPECT_EQ(server.Cli({"EXISTS", "late"}), "0");
}

TEST(Layout, ManifestMissingWhileAofFilesExistIsAnError) {
  TempDir dir;
  WriteAofDataset(dir.path(), {});
  fs::remove(ManifestPath(dir.path()));
  std::string out;
  EXPECT_EQ(Tidemark("verify aof " + ShellQuote(AofDir(dir.path())), &out), 1) << out;
  EXPECT_NE(out.find("no manifest"), std::string::npos) << out;
}

TEST(Layout, ListedFileMissingIsAnError) {
  TempDir dir;
  WriteAofDataset(dir.path(), {});
  fs::remove(LastIncrPath(dir.path()));
  std::string out;
  EXPECT_EQ(Tidemark("verify aof " + ShellQuote(dir.path()), &out), 1) << out;
  EXPECT_NE(out.find("missing"), std::string::npos) << out;
}

TEST(Layout, UsageAndIoErrorsExitTwo) {
  EXPECT_EQ(Tidemark("verify aof"), 2);
  EXPECT_EQ(Tidemark("verify aof /nonexistent/path"), 2);
  EXPECT_EQ(Tidemark("verify aof /tmp --truncate-to-timestamp x"), 2);
  EXPECT_EQ(Tidemark("verify aof /tmp --fix --truncate-to-timestamp 5"), 2);
}

TEST(Legacy, SingleFileWithRdbPreambleVerifiesAndLoads) {
  TempDir dir;
  std::string digest = WriteAofDataset(dir.path(), {true, false});
  aof::AofReport multi = VerifyDataDir(dir.path());
  ASSERT_TRUE(multi.valid());
  // An old-style file: the RDB base followed by the incremental commands.
  TempDir legacy;
  const std::string base = AofDir(dir.path()) + "/" + multi.files[0].name;
  WriteFile(legacy.File("appendonly.aof"), ReadFile(base) + ReadFile(LastIncrPath(dir.path())));
  std::string out;
  ASSERT_EQ(Tidemark("verify aof --json " + ShellQuote(legacy.File("appendonly.aof")), &out), 0)
      << out;
  EXPECT_NE(out.find("\"format\":\"rdb-preamble\""), std::string::npos) << out;
  aof::AofReport r = VerifyDataDir(legacy.path());
  ASSERT_TRUE(r.valid());
  EXPECT_EQ(r.files[0].commands, multi.files.back().commands);
  EXPECT_EQ(r.files[0].rdb_bytes, multi.files[0].bytes);
  EXPECT_EQ(CheckAof(ShellQuote(legacy.File("appendonly.aof"))), 0);
  const std::string whole = ReadFile(legacy.File("appendonly.aof"));
  // Redis 7 loads it in upgrade mode (and moves it into appendonlydir/).
  testing::RedisServer server(legacy.path(), {"appendonly yes"});
  EXPECT_EQ(server.Digest(), digest);
  // Truncated legacy file: repaired in place.
  server.Stop();
  TempDir cut;
  WriteFile(cut.File("appendonly.aof"), whole.substr(0, whole.size() - 5));
  EXPECT_EQ(Tidemark("verify aof " + ShellQuote(cut.File("appendonly.aof"))), 1);
  EXPECT_EQ(Tidemark("verify aof --fix " + ShellQuote(cut.File("appendonly.aof")), &out), 0) << out;
  EXPECT_EQ(ReadFile(cut.File("appendonly.aof")), whole.substr(0, whole.size() - 31))
      << "the last record (SET tail2 u, 31 bytes) is cut off whole";
}

}  // namespace
}  // namespace tidemark::aoftest
