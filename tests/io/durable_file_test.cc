#include "io/durable_file.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(DurableFile, CommitReplacesTheDestinationWhole) {
  TempDir dir;
  WriteFile(dir.File("f"), "old");
  ASSERT_TRUE(WriteFileDurably(dir.File("f"), "new content"));
  EXPECT_EQ(ReadFile(dir.File("f")), "new content");
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

// A container's process often has the same pid at every start: the temporary names a killed run
// left are those the next run tries first. They are skipped and left as they were.
TEST(DurableFile, TemporaryNamesAKilledRunWithTheSamePidLeftAreSkipped) {
  TempDir dir;
  const std::string prefix = dir.path() + "/.f.tmp-" + std::to_string(::getpid()) + "-";
  for (int n = 0; n < 300; ++n) WriteFile(prefix + std::to_string(n), "left by a killed run");
  ASSERT_TRUE(WriteFileDurably(dir.File("f"), "new content"));
  EXPECT_EQ(ReadFile(dir.File("f")), "new content");
  for (int n = 0; n < 300; ++n)
    EXPECT_EQ(ReadFile(prefix + std::to_string(n)), "left by a killed run") << n;
}

TEST(DurableFile, WithoutCommitTheDestinationIsUntouchedAndNoTempRemains) {
  TempDir dir;
  WriteFile(dir.File("f"), "old");
  {
    auto f = DurableFile::Create(dir.File("f"));
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->Append("half-written"));
    EXPECT_EQ(FilesIn(dir.path()), 2u);
  }
  EXPECT_EQ(ReadFile(dir.File("f")), "old");
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

TEST(DurableFile, CreateFailsClearlyInAMissingDirectory) {
  TempDir dir;
  auto f = DurableFile::Create(dir.File("no/such/f"));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
  EXPECT_NE(f.error().ToString().find("cannot create temporary file"), std::string::npos);
}

}  // namespace
}  // namespace tidemark
