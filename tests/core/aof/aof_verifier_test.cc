#include "core/aof/aof_verifier.h"

#include <gtest/gtest.h>

#include "tests/core/aof/memory_opener.h"

namespace tidemark::aof {
namespace {

const std::string kManifest =
    "file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n";

AofReport VerifyDir(MemoryOpener& o, const AofVerifyOptions& options = {}) {
  return VerifyAofDirectory(kManifest, "a.manifest", o, options);
}

MemoryOpener ThreeFiles(const std::string& last) {
  MemoryOpener o;
  o.files["a.1.base.aof"] = Cmd({"SELECT", "0"}) + Cmd({"SET", "k", "v"});
  o.files["a.1.incr.aof"] = "#TS:100\r\n" + Cmd({"INCR", "n"});
  o.files["a.2.incr.aof"] = last;
  return o;
}

TEST(AofVerifier, ValidDirectoryCountsCommandsPerFile) {
  auto o = ThreeFiles(Cmd({"MULTI"}) + Cmd({"SET", "x", "1"}) + Cmd({"EXEC"}));
  AofReport r = VerifyDir(o);
  ASSERT_TRUE(r.valid()) << r.error->ToString();
  ASSERT_EQ(r.files.size(), 3u);
  EXPECT_EQ(r.files[0].type, AofPartType::kBase);
  EXPECT_EQ(r.files[2].transactions, 1u);
  EXPECT_EQ(r.files[2].commands_by_name.at("multi"), 1u);
  EXPECT_EQ(r.total_commands(), 6u);
  EXPECT_EQ(r.first_timestamp(), 100);
  EXPECT_TRUE(r.files[2].last);
  EXPECT_FALSE(r.files[1].last);
}

TEST(AofVerifier, TruncatedLastFileReportsLastGoodOffsetAndBytesToCut) {
  const std::string good = Cmd({"SET", "x", "1"});
  const std::string next = Cmd({"SET", "y", "2"});
  for (size_t cut = 1; cut < next.size(); ++cut) {
    auto o = ThreeFiles(good + next.substr(0, cut));
    AofReport r = VerifyDir(o);
    EXPECT_EQ(r.verdict, AofVerdict::kTruncated) << cut;
    EXPECT_EQ(r.files[2].last_good_offset, good.size()) << cut;
    EXPECT_EQ(r.files[2].bytes_to_cut, cut) << cut;
  }
}

TEST(AofVerifier, EndInsideMultiIsTruncatedBackToBeforeMulti) {
  const std::string good = Cmd({"SET", "x", "1"});
  auto o = ThreeFiles(good + Cmd({"MULTI"}) + Cmd({"SET", "y", "2"}) + "#TS:5\r\n");
  AofReport r = VerifyDir(o);
  EXPECT_EQ(r.verdict, AofVerdict::kTruncated);
  EXPECT_EQ(r.files[2].last_good_offset, good.size());
  EXPECT_EQ(r.error->offset, static_cast<int64_t>(good.size()));
}

TEST(AofVerifier, TruncationInAFileThatIsNotLastIsCorrupt) {
  MemoryOpener o = ThreeFiles(Cmd({"SET", "x", "1"}));
  o.files["a.1.incr.aof"] += "*2\r\n$4\r\nINCR";
  AofReport r = VerifyDir(o);
  EXPECT_EQ(r.verdict, AofVerdict::kCorrupt);
  EXPECT_EQ(r.files[1].verdict, AofVerdict::kCorrupt);
  EXPECT_NE(r.error->message.find("not the last file"), std::string::npos);
}

TEST(AofVerifier, NulTailIsRepairableButNulsBeforeDataAreCorrupt) {
  const std::string good = Cmd({"SET", "x", "1"});
  {
    auto o = ThreeFiles(good + "*3\r\n$3\r\nSET" + std::string(4096, '\0'));
    AofReport r = VerifyDir(o);
    EXPECT_EQ(r.verdict, AofVerdict::kTruncated);
    EXPECT_TRUE(r.files[2].zero_filled_tail);
    EXPECT_EQ(r.files[2].last_good_offset, good.size());
  }
  {
    auto o = ThreeFiles(good + std::string(16, '\0') + good);
    EXPECT_EQ(VerifyDir(o).verdict, AofVerdict::kCorrupt);
  }
}

struct SemanticCase {
  const char* name;
  std::string last;
  const char* message_part;
  int64_t offset = 27;  // after the leading 27-byte SET
};

class AofSemantics : public ::testing::TestWithParam<SemanticCase> {};

TEST_P(AofSemantics, RecordsRedisDoesNotLoadAsWrittenAreCorrupt) {
  auto o = ThreeFiles(Cmd({"SET", "x", "1"}) + GetParam().last);
  AofReport r = VerifyDir(o);
  EXPECT_EQ(r.verdict, AofVerdict::kCorrupt) << GetParam().name;
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->offset, GetParam().offset);
  EXPECT_NE(r.error->message.find(GetParam().message_part), std::string::npos)
      << r.error->ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AofSemantics,
    ::testing::Values(SemanticCase{"unknown", Cmd({"FOOBAR", "x"}), "unknown command"},
                      SemanticCase{"arity", Cmd({"SET", "x"}), "expected at least 3"},
                      SemanticCase{"exact_arity", Cmd({"INCR", "a", "b"}), "exactly 2"},
                      SemanticCase{"subcommand", Cmd({"XGROUP", "BOGUS", "k"}), "subcommand"},
                      SemanticCase{"select_range", Cmd({"SELECT", "16"}), "below 16"},
                      SemanticCase{"select_text", Cmd({"SELECT", "x"}), "SELECT 'x'"},
                      SemanticCase{"exec_alone", Cmd({"EXEC"}), "EXEC without MULTI"},
                      SemanticCase{"nested_multi", Cmd({"MULTI"}) + Cmd({"MULTI"}),
                                   "MULTI inside MULTI", 27 + 15}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AofVerifier, OptionsWidenDatabasesAndAllowModuleCommands) {
  auto o = ThreeFiles(Cmd({"SELECT", "20"}) + Cmd({"JSON.SET", "k", "$", "1"}) +
                      Cmd({"FUNCTION", "LOAD", "code"}));
  AofVerifyOptions opt;
  opt.databases = 32;
  opt.allow_unknown_commands = true;
  AofReport r = VerifyDir(o, opt);
  ASSERT_TRUE(r.valid()) << r.error->ToString();
  EXPECT_EQ(r.files[2].unknown_commands, 1u);
}

TEST(AofVerifier, ListedFileMissingIsCorruptAndNamed) {
  auto o = ThreeFiles(Cmd({"SET", "x", "1"}));
  o.files.erase("a.1.incr.aof");
  AofReport r = VerifyDir(o);
  EXPECT_EQ(r.verdict, AofVerdict::kCorrupt);
  EXPECT_EQ(r.error->where, "a.1.incr.aof");
  EXPECT_NE(r.error->message.find("missing"), std::string::npos);
}

TEST(AofVerifier, BadManifestIsTheError) {
  MemoryOpener o;
  AofReport r = VerifyAofDirectory("", "a.manifest", o, {});
  EXPECT_EQ(r.verdict, AofVerdict::kCorrupt);
  EXPECT_EQ(r.error->where, "a.manifest");
}

TEST(AofVerifier, TimestampCutIsAtFirstLaterAnnotationOrItsMulti) {
  const std::string head = "#TS:100\r\n" + Cmd({"SET", "a", "1"});
  const std::string multi = Cmd({"MULTI"}) + Cmd({"SET", "b", "1"});
  auto o = ThreeFiles(head + multi + "#TS:200\r\n" + Cmd({"SET", "c", "1"}) + Cmd({"EXEC"}) +
                      "#TS:300\r\n");
  AofVerifyOptions opt;
  opt.truncate_after_timestamp = 150;
  AofReport r = VerifyDir(o, opt);
  ASSERT_TRUE(r.valid());
  EXPECT_EQ(r.files[2].timestamp_cut_offset, head.size());
  EXPECT_EQ(r.files[2].timestamp_cut_at, 200);
  EXPECT_EQ(r.files[2].first_timestamp, 100);
  EXPECT_EQ(r.files[2].last_timestamp, 300);
}

TEST(AofVerifier, DirectoryWithoutManifestMustNotHoldAofParts) {
  EXPECT_TRUE(CheckDirectoryWithoutManifest({"dump.rdb", "redis.conf"}, "d"));
  auto s = CheckDirectoryWithoutManifest({"appendonly.aof.1.incr.aof", "dump.rdb"}, "d");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("appendonly.aof.1.incr.aof"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::aof
