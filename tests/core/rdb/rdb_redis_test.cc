// The RDB verifier against files written by real Redis servers: Debian's redis-server (7.0,
// RDB 10) at test time, and the shared files written by 7.2 (RDB 11) and 7.4 (RDB 12). Every
// corruption of a checksummed file must be caught; verdicts are compared with redis-check-rdb
// and, where they differ, with what redis-server itself does with the file.
#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/rdb/rdb_verifier.h"
#include "io/file_source.h"
#include "tests/core/rdb/redis_dataset.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::ReadFile;
using testing::RedisServer;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

RdbReport VerifyFile(const std::string& path) {
  auto src = FileSource::Open(path);
  EXPECT_TRUE(src.has_value()) << path;
  if (!src) return {};
  return VerifyRdb(*src, RdbVerifyOptions{.name = path});
}

RdbReport VerifyBytes(const std::string& bytes) {
  SpanSource src({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return VerifyRdb(src, RdbVerifyOptions{.name = "mutated.rdb"});
}

using Fixture = testing::SavedDataset;

class RdbRedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    *fixtures_ = testing::SaveAllTypesVariants(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static const Fixture& Get(const std::string& v) { return fixtures_->at(v); }

  static TempDir* dir_;
  static std::map<std::string, Fixture>* fixtures_;
};

TempDir* RdbRedisTest::dir_ = nullptr;
std::map<std::string, Fixture>* RdbRedisTest::fixtures_ = new std::map<std::string, Fixture>();

// "db0:keys=20031,expires=2,avg_ttl=..." -> {0: {20031, 2}}
std::map<uint64_t, std::pair<uint64_t, uint64_t>> ParseKeyspace(const std::string& info) {
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> out;
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long db, keys, expires;
    if (std::sscanf(line.c_str(), "db%llu:keys=%llu,expires=%llu", &db, &keys, &expires) == 3) out[db] = {keys, expires};
  }
  return out;
}

TEST_F(RdbRedisTest, EveryVariantRedisWroteIsValidWithItsKeyCounts) {
  for (const char* v : {"lzf", "nocompress", "nochecksum"}) {
    const Fixture& f = Get(v);
    RdbReport r = VerifyFile(f.path);
    ASSERT_TRUE(r.valid()) << v << ": " << r.error->ToString();
    EXPECT_EQ(r.rdb_version, 10u);
    EXPECT_EQ(r.checksum, v == std::string("nochecksum") ? RdbChecksum::kDisabled : RdbChecksum::kVerified);
    auto keyspace = ParseKeyspace(f.keyspace);
    ASSERT_EQ(keyspace.size(), r.dbs.size()) << f.keyspace;
    for (const auto& db : r.dbs) {
      EXPECT_EQ(db.keys, keyspace[db.index].first) << v << " db " << db.index;
      EXPECT_EQ(db.keys_with_expiry, keyspace[db.index].second) << v << " db " << db.index;
    }
    EXPECT_EQ(r.functions, 1u);
    EXPECT_EQ(r.Aux("redis-ver").value_or(""), "7.0.15");
    EXPECT_GT(r.keys_by_encoding["quicklist2"], 0u);
    EXPECT_GT(r.keys_by_encoding["intset"], 0u);
    EXPECT_GT(r.keys_by_encoding["listpack"], 0u);
    EXPECT_GT(r.keys_by_encoding["skiplist"], 0u);
    EXPECT_EQ(r.keys_by_type["stream"], 2u);
  }
}

TEST_F(RdbRedisTest, FilesFromRedis72And74VerifyAgainstTheirWritersKeyspace) {
  for (const char* version : {"7.2.6", "7.4.1"}) {
    std::string base = std::string(TIDEMARK_SHARED_TESTDATA) + "/redis-versions/" + version;
    auto meta = web::json::value::parse(ReadFile(base + "/meta.json"));
    for (const char* file : {"all-types-lzf.rdb", "all-types-nocompress.rdb"}) {
      RdbReport r = VerifyFile(base + "/" + file);
      ASSERT_TRUE(r.valid()) << version << "/" << file << ": " << r.error->ToString();
      auto& m = meta["files"][file];
      EXPECT_EQ(r.rdb_version, static_cast<uint32_t>(m["rdb_version"].as_integer()));
      EXPECT_EQ(r.bytes, static_cast<uint64_t>(m["size"].as_number().to_uint64()));
      for (const auto& db : r.dbs) {
        auto& ks = m["keyspace"][std::to_string(db.index)];
        EXPECT_EQ(std::to_string(db.keys), ks["keys"].as_string()) << version << " db " << db.index;
        EXPECT_EQ(std::to_string(db.keys_with_expiry), ks["expires"].as_string()) << version << " db " << db.index;
      }
    }
  }
}

TEST_F(RdbRedisTest, EveryByteFlipOfAChecksummedFileIsInvalid) {
  std::string good = ReadFile(Get("lzf").path);
  std::mt19937 rng(99);
  int checked = 0;
  // Spread over the whole file, plus the header, the tail and the checksum.
  std::vector<size_t> offsets = {0, 4, 5, 8, 9, 10, good.size() - 9, good.size() - 8, good.size() - 1};
  for (int i = 0; i < 600; ++i) offsets.push_back(rng() % good.size());
  for (size_t off : offsets) {
    std::string bad = good;
    bad[off] = static_cast<char>(bad[off] ^ (1 + rng() % 255));
    RdbReport r = VerifyBytes(bad);
    EXPECT_FALSE(r.valid()) << "flip at " << off << " went unnoticed";
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(offsets.size()));
}

TEST_F(RdbRedisTest, EveryTruncationIsInvalidAndSaysWhere) {
  std::string good = ReadFile(Get("nocompress").path);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    size_t cut = i < 20 ? good.size() - 1 - i : rng() % good.size();
    RdbReport r = VerifyBytes(good.substr(0, cut));
    ASSERT_FALSE(r.valid()) << "cut at " << cut;
    EXPECT_EQ(r.error->code, ErrorCode::kTruncated) << "cut at " << cut << ": " << r.error->ToString();
    EXPECT_EQ(r.error->offset, static_cast<int64_t>(cut)) << r.error->ToString();
  }
}

// Whenever redis-check-rdb rejects a mutated file, Tidemark rejects it too.
TEST_F(RdbRedisTest, AtLeastAsStrictAsRedisCheckRdb) {
  TempDir tmp;
  for (const char* v : {"lzf", "nochecksum"}) {
    std::string good = ReadFile(Get(v).path);
    std::mt19937 rng(123);
    int checker_rejected = 0;
    for (int i = 0; i < 40; ++i) {
      std::string bad = good;
      size_t off = 9 + rng() % (good.size() - 9);
      bad[off] = static_cast<char>(bad[off] ^ (1 + rng() % 255));
      if (i % 3 == 0) bad.resize(off);
      WriteFile(tmp.File("m.rdb"), bad);
      int checker = RunCommand("redis-check-rdb " + tmp.File("m.rdb") + " >/dev/null 2>&1");
      bool ours_valid = VerifyBytes(bad).valid();
      if (checker != 0) {
        ++checker_rejected;
        EXPECT_FALSE(ours_valid) << v << ": redis-check-rdb rejects a mutation at " << off << " that Tidemark accepts";
      }
    }
    EXPECT_GT(checker_rejected, 0) << "the comparison never exercised a rejected file";
  }
}

// A duplicate key: the CRC (disabled or recomputed) and redis-check-rdb both accept the file,
// redis-server aborts while loading it. Tidemark reports it.
TEST_F(RdbRedisTest, DuplicateKeyThatRedisCheckRdbMissesIsReported) {
  TempDir tmp;
  std::string d = tmp.File("src");
  std::filesystem::create_directories(d);
  {
    RedisServer redis(d, {"rdbchecksum no"});
    redis.Pipe("SET keyA1 x\nSET keyA2 y\n");
    redis.Save();
  }
  std::string bytes = ReadFile(d + "/dump.rdb");
  size_t at = bytes.find("keyA2");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "keyA1");
  std::string load = tmp.File("load");
  std::filesystem::create_directories(load);
  WriteFile(load + "/dump.rdb", bytes);

  EXPECT_EQ(RunCommand("redis-check-rdb " + load + "/dump.rdb >/dev/null 2>&1"), 0)
      << "redis-check-rdb now detects duplicate keys; this test documents that it did not";
  EXPECT_THROW(RedisServer server(load), std::runtime_error) << "redis-server loaded a duplicate key";
  RdbReport r = VerifyFile(load + "/dump.rdb");
  ASSERT_FALSE(r.valid());
  EXPECT_NE(r.error->message.find("duplicate key in db 0"), std::string::npos) << r.error->ToString();
  // The CLI's path too: read ahead with the CRC on the other thread, the check on two cores.
  std::string out;
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb " + load + "/dump.rdb", &out), 1);
  EXPECT_NE(out.find("duplicate key in db 0"), std::string::npos) << out;
}

TEST_F(RdbRedisTest, CliExitCodesAndJson) {
  std::string out;
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb --json " + Get("lzf").path, &out), 0);
  auto j = web::json::value::parse(out);
  EXPECT_TRUE(j["valid"].as_bool());
  EXPECT_EQ(j["rdb_version"].as_integer(), 10);
  EXPECT_EQ(j["checksum"].as_string(), "verified");
  EXPECT_TRUE(j["error"].is_null());

  TempDir tmp;
  std::string bad = ReadFile(Get("lzf").path);
  bad[bad.size() / 2] ^= 0x40;
  WriteFile(tmp.File("bad.rdb"), bad);
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb --json " + tmp.File("bad.rdb"), &out), 1);
  j = web::json::value::parse(out);
  EXPECT_FALSE(j["valid"].as_bool());
  EXPECT_TRUE(j["error"]["offset"].is_integer());
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb " + tmp.File("missing.rdb") + " 2>/dev/null", &out), 2);
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb 2>/dev/null", &out), 2);
}

TEST_F(RdbRedisTest, CliVerdictsOnAFileOfManyReadAheadSlots) {
  // The CLI reads ahead in 256 KiB slots (io/prefetch_source.h), each lent with the CRC-64 of
  // the bytes before it: the verdicts and the checksum must not depend on where slots end.
  const std::string good = ReadFile(Get("nocompress").path);
  ASSERT_GE(good.size(), size_t{1} << 20) << "the fixture no longer spans several read-ahead slots";
  std::string out;
  EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb --json " + Get("nocompress").path, &out), 0);
  auto j = web::json::value::parse(out);
  EXPECT_TRUE(j["valid"].as_bool());
  EXPECT_EQ(j["checksum"].as_string(), "verified");
  EXPECT_EQ(static_cast<size_t>(j["bytes"].as_number().to_uint64()), good.size());
  TempDir tmp;
  for (size_t at : {good.size() / 10, good.size() / 2, good.size() - 20}) {
    std::string bad = good;
    bad[at] ^= 0x01;
    WriteFile(tmp.File("bad.rdb"), bad);
    EXPECT_EQ(RunCommand(std::string(TIDEMARK_CLI) + " verify rdb --json " + tmp.File("bad.rdb"), &out), 1)
        << "byte " << at << " flipped";
  }
}

}  // namespace
}  // namespace tidemark
