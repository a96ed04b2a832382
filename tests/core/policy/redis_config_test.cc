// A real redis-server started with each example's rendered fragment reports the rendered values
// through CONFIG GET: the fragment means to Redis what Tidemark says it means.
#include <gtest/gtest.h>

#include "core/policy/load.h"
#include "core/policy/render_redis_conf.h"
#include "tests/core/policy/test_files.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::policy {
namespace {

using testing::Stem;
using testing::YamlFiles;
using tidemark::testing::ReadFile;
using tidemark::testing::RedisServer;
using tidemark::testing::TempDir;

// The fragment's lines, without comments: what the operator puts into the pod's redis.conf.
std::vector<std::string> ConfigLines(const std::string& fragment) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < fragment.size()) {
    size_t end = fragment.find('\n', pos);
    std::string line = fragment.substr(pos, end - pos);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
    pos = end == std::string::npos ? fragment.size() : end + 1;
  }
  return lines;
}

TEST(RedisConfig, RedisReportsEveryRenderedValue) {
  for (const auto& file : YamlFiles("examples")) {
    SCOPED_TRACE(Stem(file));
    auto r = LoadRedisPersistence(ReadFile(file));
    ASSERT_TRUE(r);
    TempDir dir;
    RedisServer server(dir.path(), ConfigLines(RenderRedisConf(*r)));
    for (const auto& [directive, value] : RedisConfDirectives(*r)) {
      // redis-cli prints CONFIG GET as "name\nvalue"; Cli() trims the end (an empty value).
      std::string expect = directive + "\n" + value;
      while (expect.back() == '\n') expect.pop_back();
      EXPECT_EQ(server.Cli({"CONFIG", "GET", directive}), expect) << directive;
    }
  }
}

TEST(RedisConfig, AofModesReallyWriteTheAppendOnlyDirectory) {
  for (const char* name : {"aof-only", "hybrid", "high-safety"}) {
    SCOPED_TRACE(name);
    auto r = LoadRedisPersistence(
        ReadFile(testing::SourcePath(std::string("examples/") + name + ".yaml")));
    ASSERT_TRUE(r);
    TempDir dir;
    RedisServer server(dir.path(), ConfigLines(RenderRedisConf(*r)));
    server.Cli({"SET", "k", "v"});
    EXPECT_NE(server.Cli({"INFO", "persistence"}).find("aof_enabled:1"), std::string::npos);
    EXPECT_EQ(tidemark::testing::RunCommand("test -f " + dir.path() +
                                            "/appendonlydir/appendonly.aof.manifest"),
              0);
  }
}

}  // namespace
}  // namespace tidemark::policy
