#include "core/aof/manifest.h"

#include <gtest/gtest.h>

namespace tidemark::aof {
namespace {

TEST(Manifest, ParsesWhatRedisWritesInLoadOrder) {
  auto m = ParseManifest(
      "file appendonly.aof.1.base.rdb seq 1 type h\n"
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n",
      "m");
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_TRUE(m->base);
  EXPECT_EQ(m->base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m->base->seq, 2u);
  ASSERT_EQ(m->incrs.size(), 2u);
  EXPECT_EQ(m->history.size(), 2u);
  auto order = m->LoadOrder();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0]->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(order[2]->name, "appendonly.aof.4.incr.aof");
  EXPECT_EQ(order[2]->line, 5);
}

TEST(Manifest, AcceptsKeysInAnyOrderCaseAndExtraPairsAndComments) {
  auto m = ParseManifest("# written by hand\nTYPE b SEQ 7 FILE base.aof future x\n", "m");
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->base->name, "base.aof");
  EXPECT_EQ(m->base->seq, 7u);
}

TEST(Manifest, ReadsQuotedNamesAndFormatsThemBack) {
  ManifestEntry e{"my file\t\"x\"\x01.aof", 3, ManifestFileType::kIncr, 0, 0};
  const std::string line = FormatManifestLine(e);
  EXPECT_EQ(line, "file \"my file\\t\\\"x\\\"\\x01.aof\" seq 3 type i\n");
  auto m = ParseManifest(line, "m");
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_EQ(m->incrs.size(), 1u);
  EXPECT_EQ(m->incrs[0].name, e.name);
  auto single = ParseManifest("file 'it''s' seq 1 type b\n", "m");
  EXPECT_FALSE(single) << "a closing quote must be followed by a space";
  auto single_ok = ParseManifest("file 'a b' seq 1 type b\n", "m");
  ASSERT_TRUE(single_ok);
  EXPECT_EQ(single_ok->base->name, "a b");
}

struct BadManifest {
  const char* name;
  const char* text;
  int64_t offset;
  const char* message_part;
};

class ManifestErrors : public ::testing::TestWithParam<BadManifest> {};

TEST_P(ManifestErrors, NameTheLineOffsetAndProblem) {
  const BadManifest& c = GetParam();
  auto m = ParseManifest(c.text, "appendonly.aof.manifest");
  ASSERT_FALSE(m) << c.name;
  EXPECT_EQ(m.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(m.error().where, "appendonly.aof.manifest");
  EXPECT_EQ(m.error().offset, c.offset) << m.error().ToString();
  EXPECT_NE(m.error().message.find(c.message_part), std::string::npos) << m.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ManifestErrors,
    ::testing::Values(
        BadManifest{"empty", "", 0, "empty manifest"},
        BadManifest{"only_comments", "# nothing\n", 0, "empty manifest"},
        BadManifest{"only_history", "file a seq 1 type h\n", 0, "only history"},
        BadManifest{"parent_dir", "file ../dump.rdb seq 1 type b\n", 0, "plain file name"},
        BadManifest{"dotdot", "file .. seq 1 type b\n", 0, "plain file name"},
        BadManifest{"absolute", "file /etc/passwd seq 1 type b\n", 0, "plain file name"},
        BadManifest{"quoted_traversal", "file \"\\x2e\\x2e/x\" seq 1 type b\n", 0,
                    "plain file name"},
        BadManifest{"backslash", "file a\\b seq 1 type b\n", 0, "plain file name"},
        BadManifest{"duplicate_base", "file a seq 1 type b\nfile b seq 2 type b\n", 20,
                    "second base"},
        BadManifest{"seq_zero", "file a seq 0 type b\n", 0, "positive"},
        BadManifest{"seq_text", "file a seq one type b\n", 0, "positive"},
        BadManifest{"seq_negative", "file a seq -3 type b\n", 0, "positive"},
        BadManifest{"incr_not_increasing",
                    "file b seq 1 type b\nfile i2 seq 2 type i\nfile i1 seq 2 type i\n", 41,
                    "increasing"},
        BadManifest{"unknown_type", "file a seq 1 type x\n", 0, "type 'x'"},
        BadManifest{"long_type", "file a seq 1 type base\n", 0, "type 'base'"},
        BadManifest{"no_newline_at_end", "file a seq 1 type b", 0, "newline"},
        BadManifest{"blank_line", "file a seq 1 type b\n\n", 20, "empty line"},
        BadManifest{"odd_tokens", "file a seq 1 type\n", 0, "key/value"},
        BadManifest{"missing_seq", "file a type b foo bar\n", 0, "missing 'seq"},
        BadManifest{"duplicate_key", "file a seq 1 type b file c\n", 0, "twice"},
        BadManifest{"same_file_twice", "file a seq 1 type b\nfile a seq 2 type i\n", 20,
                    "listed twice"},
        BadManifest{"unterminated_quote", "file \"abc seq 1 type b\n", 0, "unterminated"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Manifest, PlainFileNames) {
  EXPECT_TRUE(IsPlainFileName("appendonly.aof.1.incr.aof"));
  EXPECT_TRUE(IsPlainFileName("..hidden"));
  EXPECT_FALSE(IsPlainFileName(""));
  EXPECT_FALSE(IsPlainFileName("."));
  EXPECT_FALSE(IsPlainFileName("a/b"));
  EXPECT_FALSE(IsPlainFileName(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace tidemark::aof
