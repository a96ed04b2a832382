// Verifying the AOF of a running Redis while it rewrites it: a rewrite writes a new manifest and
// deletes the files the old one named, so a single pass that read the old manifest fails on a
// file that is gone — a false alarm about healthy data. The rewrite here is a real one
// (BGREWRITEAOF on a real redis-server), made at the worst moment: between reading the
// manifest and opening its first part.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "io/aof_files.h"
#include "io/file_source.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::RedisServer;
using testing::TempDir;

// Opens parts from the AOF directory, but first makes Redis rewrite the AOF (at the first open
// of the first `rewrites` passes) and waits until the part it was asked for has been deleted.
class RewritingOpener final : public aof::AofFileOpener {
 public:
  RewritingOpener(const RedisServer& redis, const std::string& dir, int rewrites)
      : redis_(redis), inner_(dir), rewrites_left_(rewrites) {}
  Result<Opened> Open(const std::string& name, uint64_t offset) override {
    if (offset == 0 && rewrites_left_ > 0 && name.find(".base.") != std::string::npos) {
      --rewrites_left_;
      ++rewrites_done_;
      redis_.RewriteAof();
      const std::filesystem::path old = std::filesystem::path(inner_.dir()) / name;
      for (int i = 0; i < 800 && std::filesystem::exists(old); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      EXPECT_FALSE(std::filesystem::exists(old)) << "Redis kept the old base " << old;
    }
    return inner_.Open(name, offset);
  }
  int rewrites_done() const { return rewrites_done_; }

 private:
  const RedisServer& redis_;
  DirectoryAofOpener inner_;
  int rewrites_left_;
  int rewrites_done_ = 0;
};

class AofLive : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.Pipe("SET a 1\nRPUSH l x y z\nHSET h f v\nINCR n\n");
    redis_.RewriteAof();  // a base with data, then more in the incr file
    redis_.Pipe("SET b 2\nINCR n\n");
    auto where = LocateAof(dir_.path());
    ASSERT_TRUE(where.has_value()) << where.error().ToString();
    ASSERT_TRUE(where->multi_part);
    where_ = *where;
  }
  TempDir dir_;
  RedisServer redis_{dir_.path(), {"appendonly yes", "appendfsync always"}};
  AofLocation where_;
};

TEST_F(AofLive, ARewriteBetweenManifestAndPartsIsNotReportedAsDamage) {
  // One pass over the manifest read before the rewrite: the base it names is gone.
  RewritingOpener once(redis_, where_.dir, 1);
  auto manifest = ReadSmallFile(where_.dir + "/" + where_.manifest);
  ASSERT_TRUE(manifest.has_value());
  aof::AofReport single = aof::VerifyAofDirectory(*manifest, where_.manifest, once, {});
  EXPECT_FALSE(single.valid()) << "the race this test is about did not happen";

  RewritingOpener again(redis_, where_.dir, 1);
  auto live = VerifyLiveAof(where_, {}, again);
  ASSERT_TRUE(live.has_value()) << live.error().ToString();
  EXPECT_TRUE(live->valid()) << (live->error ? live->error->ToString() : "");
  EXPECT_EQ(again.rewrites_done(), 1);
  EXPECT_GT(live->total_bytes(), 0u);  // the new base: an RDB preamble holding the keys
}

TEST_F(AofLive, RewritesDuringEveryPassEndInAClearErrorNotAVerdict) {
  RewritingOpener always(redis_, where_.dir, 100);
  auto live = VerifyLiveAof(where_, {}, always, 3);
  ASSERT_FALSE(live.has_value());
  EXPECT_EQ(always.rewrites_done(), 3);
  EXPECT_NE(live.error().ToString().find("rewritten during each of 3"), std::string::npos)
      << live.error().ToString();
}

}  // namespace
}  // namespace tidemark
