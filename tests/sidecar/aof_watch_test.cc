#include "sidecar/aof_watch.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

using testing::ReadFile;
using testing::WriteFile;

std::string Set(const std::string& k, const std::string& v) {
  return "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$" +
         std::to_string(v.size()) + "\r\n" + v + "\r\n";
}

class AofWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(tmp_.File("appendonly.aof.manifest"),
              "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    WriteFile(tmp_.File("appendonly.aof.1.base.aof"), Set("a", "1"));
    WriteFile(tmp_.File("appendonly.aof.1.incr.aof"), "");
  }
  void Append(const std::string& bytes) {
    WriteFile(tmp_.File("appendonly.aof.1.incr.aof"),
              ReadFile(tmp_.File("appendonly.aof.1.incr.aof")) + bytes);
  }
  Result<AofWatchResult> Check() { return watcher_.Check(tmp_.path(), "appendonly.aof.manifest"); }
  testing::TempDir tmp_;
  AofWatcher watcher_;
};

TEST_F(AofWatchTest, VerifiesOnlyTheNewBytes) {
  auto first = Check();
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->bytes_verified, Set("a", "1").size());  // the base, once
  Append(Set("b", "2"));
  auto second = Check();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->bytes_verified, Set("b", "2").size());
  EXPECT_FALSE(second->new_problem);
  Append(Set("c", "3"));
  EXPECT_EQ(Check()->bytes_verified, Set("c", "3").size());
  EXPECT_EQ(watcher_.verified_offset(), Set("b", "2").size() + Set("c", "3").size());
}

TEST_F(AofWatchTest, ARecordStillBeingWrittenIsNotAProblem) {
  std::string rec = Set("b", "2");
  Append(rec.substr(0, 10));
  auto r = Check();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->new_problem);
  EXPECT_EQ(watcher_.verified_offset(), 0u);
  Append(rec.substr(10));
  r = Check();
  EXPECT_FALSE(r->new_problem);
  EXPECT_EQ(watcher_.verified_offset(), rec.size());
}

TEST_F(AofWatchTest, CorruptionIsReportedOnceWithFileAndOffset) {
  Append(Set("b", "2"));
  ASSERT_TRUE(Check());
  Append("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\nGARBAGE\r\n" + Set("d", "4"));
  auto r = Check();
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->new_problem);
  EXPECT_EQ(r->new_problem->where, "appendonly.aof.1.incr.aof");
  EXPECT_GE(r->new_problem->offset, static_cast<int64_t>(Set("b", "2").size()));
  Append(Set("e", "5"));
  auto again = Check();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->new_problem);  // not reported twice
  EXPECT_TRUE(watcher_.problem());
}

TEST_F(AofWatchTest, MissingManifestIsAnErrorToRetryNotAProblem) {
  ::unlink(tmp_.File("appendonly.aof.manifest").c_str());
  EXPECT_FALSE(Check());
}

}  // namespace
}  // namespace tidemark::sidecar
