// Redis's DEBUG DIGEST computed from RDB files (core/digest) against real servers: Debian's
// redis-server 7.0 loading the files it wrote and files assembled in older encodings, and the
// digests that Redis 7.2 and 7.4 recorded for the files they wrote (shared testdata).
#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "core/digest/dataset_digest.h"
#include "core/rdb/rdb_format.h"
#include "io/file_source.h"
#include "tests/core/rdb/rdb_builder.h"
#include "tests/core/rdb/redis_dataset.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using namespace rdb;
using testing::Bytes;
using testing::RdbBuilder;
using testing::ReadFile;
using testing::RedisServer;
using testing::TempDir;
using testing::WriteFile;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RdbDigestResult DigestFile(const std::string& path, int64_t at_ms = NowMs(),
                           std::optional<ScoreFormat> format = std::nullopt) {
  auto src = FileSource::Open(path);
  EXPECT_TRUE(src.has_value()) << path;
  if (!src) return {};
  return DigestRdb(*src, RdbVerifyOptions{.name = path}, DigestOptions{.at_ms = at_ms, .score_format = format});
}

std::string Message(const RdbReport& r) { return r.error ? r.error->ToString() : "valid"; }

// DEBUG DIGEST of a fresh redis-server that loaded `rdb_path` at start.
std::string LoadedDigest(const std::string& rdb_path, const std::vector<std::string>& conf = {}) {
  TempDir dir;
  std::filesystem::copy_file(rdb_path, dir.File("dump.rdb"));
  RedisServer redis(dir.path(), conf);
  std::string log = ReadFile(dir.File("redis.log"));
  EXPECT_NE(log.find("Done loading RDB"), std::string::npos) << log;
  return redis.Digest();
}

class DigestRedisTest : public ::testing::Test {
 protected:
  // The dataset written three ways by a real Redis 7.0, with the writer's own DEBUG DIGEST.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    *files_ = testing::SaveAllTypesVariants(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static TempDir* dir_;
  static std::map<std::string, testing::SavedDataset>* files_;
};

TempDir* DigestRedisTest::dir_ = nullptr;
std::map<std::string, testing::SavedDataset>* DigestRedisTest::files_ = new std::map<std::string, testing::SavedDataset>();

TEST_F(DigestRedisTest, EveryVariantRedisWroteGivesTheDigestOfTheServerThatLoadsIt) {
  for (const auto& [variant, file] : *files_) {
    const std::string& path = file.path;
    const std::string& writer_digest = file.digest;
    RdbDigestResult r = DigestFile(path);
    ASSERT_TRUE(r.report.valid()) << variant << ": " << Message(r.report);
    EXPECT_NE(r.digest, std::string(40, '0'));
    EXPECT_EQ(r.digest, writer_digest) << variant;
    EXPECT_EQ(r.digest, LoadedDigest(path)) << variant;
    EXPECT_EQ(r.score_format, ScoreFormat::kPrintf17g) << "redis-ver 7.0.15 formats scores with %.17g";
    ASSERT_EQ(r.dbs.size(), 3u);
    for (const auto& db : r.report.dbs) EXPECT_EQ(r.dbs.at(db.index).keys, db.keys) << variant << " db " << db.index;
  }
}

TEST_F(DigestRedisTest, OneChangedValueChangesTheDigestLikeRedis) {
  // The same dataset with one list element changed, written and loaded by Redis: both sides move.
  TempDir d;
  RedisServer redis(d.path());
  redis.Pipe(testing::AllTypesDataset());
  redis.Cli({"LSET", "biglist", "7777", "changed"});
  redis.Save();
  RdbDigestResult r = DigestFile(d.File("dump.rdb"));
  ASSERT_TRUE(r.report.valid()) << Message(r.report);
  EXPECT_EQ(r.digest, redis.Digest());
  EXPECT_NE(r.digest, files_->at("lzf").digest);
}

TEST_F(DigestRedisTest, TheVisitorNeverChangesAVerdict) {
  // Digesting takes other read paths than verifying alone (keys and members read whole): every
  // corruption must get the same verdict, error code and offset either way. (How many bytes a
  // truncated read was short of may differ: a whole read asks for the rest of the string.)
  std::string good = ReadFile(files_->at("lzf").path);
  std::mt19937 rng(5);
  for (int i = 0; i < 60; ++i) {
    std::string bad = good;
    size_t off = rng() % good.size();
    if (i % 3 == 0) bad.resize(off);
    else bad[off] = static_cast<char>(bad[off] ^ (1 + rng() % 255));
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(bad.data()), bad.size());
    SpanSource plain(bytes), visited(bytes);
    RdbReport v = VerifyRdb(plain, RdbVerifyOptions{.name = "x.rdb"});
    RdbDigestResult d = DigestRdb(visited, RdbVerifyOptions{.name = "x.rdb"}, DigestOptions{.at_ms = NowMs()});
    ASSERT_EQ(v.valid(), d.report.valid()) << "at " << off << ": " << Message(v) << " / " << Message(d.report);
    if (!v.valid()) {
      EXPECT_EQ(v.error->code, d.report.error->code) << "at " << off << ": " << Message(v) << " / " << Message(d.report);
      EXPECT_EQ(v.error->offset, d.report.error->offset) << "at " << off << ": " << Message(v) << "\n / " << Message(d.report);
    }
  }
}

TEST_F(DigestRedisTest, CliPrintsTheDigestAndExitsLikeVerify) {
  const std::string& path = files_->at("nocompress").path;
  const std::string& writer_digest = files_->at("nocompress").digest;
  const std::string cli = std::string(TIDEMARK_CLI) + " digest rdb ";
  std::string out;
  EXPECT_EQ(testing::RunCommand(cli + path + " 2>/dev/null", &out), 0);
  EXPECT_EQ(out, writer_digest + "\n");
  EXPECT_EQ(testing::RunCommand(cli + "--json " + path, &out), 0);
  auto j = web::json::value::parse(out);
  EXPECT_TRUE(j["valid"].as_bool());
  EXPECT_EQ(j["digest"].as_string(), writer_digest);
  EXPECT_EQ(j["predicts"].as_string(), "redis<7.2");
  EXPECT_EQ(j["dbs"].size(), 3u);
  EXPECT_EQ(j["dbs"][0]["db"].as_integer(), 0);
  // In 2200 the two keys that expire in 2100 are left out.
  EXPECT_EQ(testing::RunCommand(cli + "--json --at 7258118400 " + path, &out), 0);
  j = web::json::value::parse(out);
  EXPECT_EQ(j["dbs"][0]["expired"].as_integer(), 2);
  EXPECT_NE(j["digest"].as_string(), writer_digest);

  TempDir tmp;
  std::string bad = ReadFile(path);
  bad[bad.size() / 2] ^= 0x40;
  WriteFile(tmp.File("bad.rdb"), bad);
  EXPECT_EQ(testing::RunCommand(cli + "--json " + tmp.File("bad.rdb"), &out), 1);
  j = web::json::value::parse(out);
  EXPECT_FALSE(j["valid"].as_bool());
  EXPECT_TRUE(j["digest"].is_null());
  EXPECT_TRUE(j["error"]["offset"].is_integer());
  EXPECT_EQ(testing::RunCommand(cli + tmp.File("missing.rdb") + " 2>/dev/null", &out), 2);
  EXPECT_EQ(testing::RunCommand(cli + "--at yesterday " + path + " 2>/dev/null", &out), 2);
  EXPECT_EQ(testing::RunCommand(cli + "2>/dev/null", &out), 2);
}

TEST(DigestRedis, AofBaseFileWithAnRdbPreambleGivesTheServersDigest) {
  TempDir d;
  RedisServer redis(d.path(), {"appendonly yes", "aof-use-rdb-preamble yes"});
  redis.Pipe(testing::AllTypesDataset());
  redis.RewriteAof();
  std::string base;
  for (const auto& e : std::filesystem::directory_iterator(d.File("appendonlydir")))
    if (e.path().string().ends_with(".base.rdb")) base = e.path().string();
  ASSERT_FALSE(base.empty());
  RdbDigestResult r = DigestFile(base);
  ASSERT_TRUE(r.report.valid()) << Message(r.report);
  EXPECT_EQ(r.digest, redis.Digest());
}

std::string WriteBytes(const TempDir& dir, const std::string& name, const Bytes& b) {
  WriteFile(dir.File(name), std::string(b.begin(), b.end()));
  return dir.File(name);
}

// A file with a module value is valid (Redis with the module loads it) but only the module can
// digest its value: the CLI says so, names key and module, prints no number, exits 1.
TEST(DigestRedis, CliRefusesAModuleValueByNameAndPrintsNoDigest) {
  RdbBuilder b(10);
  b.Op(kTypeString).Str("s").Str("v");
  b.Op(kTypeModule2).Str("doc").Op(0x81).Le(__builtin_bswap64(testing::ModuleTypeId("ReJSON-RL", 3)), 8)
      .Len(kModuleOpString).Str("{}").Len(kModuleOpEof);
  TempDir tmp;
  const std::string path = WriteBytes(tmp, "module.rdb", b.Finish());
  const std::string cli = std::string(TIDEMARK_CLI) + " digest rdb ";
  std::string out;
  EXPECT_EQ(testing::RunCommand(cli + path + " 2>" + tmp.File("err"), &out), 1);
  EXPECT_EQ(out, "") << "no number on stdout";
  const std::string err = ReadFile(tmp.File("err"));
  EXPECT_NE(err.find("CANNOT DIGEST"), std::string::npos) << err;
  EXPECT_EQ(err.find("INVALID"), std::string::npos) << "the file is not corrupt: " << err;
  EXPECT_NE(err.find("key 'doc'"), std::string::npos) << err;
  EXPECT_NE(err.find("ReJSON-RL"), std::string::npos) << err;
  EXPECT_EQ(testing::RunCommand(cli + "--json " + path, &out), 1);
  auto j = web::json::value::parse(out);
  EXPECT_TRUE(j["digest"].is_null());
  EXPECT_EQ(j["error"]["code"].as_string(), "unsupported") << out;
  EXPECT_EQ(testing::RunCommand(std::string(TIDEMARK_CLI) + " verify rdb " + path + " >/dev/null 2>&1"), 0)
      << "the file itself verifies";
}

TEST(DigestRedis, OlderEncodingsRedis70ConvertsOnLoadDigestTheSame) {
  // RDB 9 as Redis 5 wrote it: ziplists, a zipmap, quicklist 1, intsets of every width, the
  // plain linkedlist/hashtable/text-score types, an expire in seconds, two dbs.
  RdbBuilder b(9);
  b.Op(kOpAux).Str("redis-ver").Str("5.0.14");
  b.Op(kOpSelectDb).Len(0);
  b.Op(kTypeListZiplist).Str("zl").Blob(testing::Ziplist({std::string("a"), int64_t{1}, int64_t{-70000}, std::string("")}));
  b.Op(kTypeHashZipmap).Str("zm").Blob(testing::Zipmap({{"f", "v"}, {"n", "12"}}));
  b.Op(kTypeZsetZiplist).Str("zz").Blob(testing::Ziplist({std::string("m"), std::string("1.5"), std::string("n"),
                                                          int64_t{3}, std::string("o"), std::string("0.1")}));
  b.Op(kTypeListQuicklist).Str("ql").Len(2).Blob(testing::Ziplist({std::string("x"), std::string("y")}))
      .Blob(testing::Ziplist({int64_t{3}}));
  b.Op(kTypeHashZiplist).Str("hz").Blob(testing::Ziplist({std::string("f"), std::string("v"), std::string("g"), int64_t{7}}));
  b.Op(kTypeSetIntset).Str("i16").Blob(testing::Intset({-3, 5, 300}, 2));
  b.Op(kTypeSetIntset).Str("i32").Blob(testing::Intset({-100000, 1, 100000}, 4));
  b.Op(kTypeSetIntset).Str("i64").Blob(testing::Intset({-5000000000LL, 7}, 8));
  b.Op(kTypeList).Str("ll").Len(3).Str("p").Str("q").Str("r");
  b.Op(kTypeSet).Str("hs").Len(3).Str("s1").Str("s2").Str("42");
  b.Op(kTypeHash).Str("hh").Len(2).Str("a").Str("1").Str("b").Str("two");
  b.Op(kTypeZset).Str("tz").Len(4).Str("one").Raw({3, '1', '.', '5'}).Str("up").Raw({254}).Str("down").Raw({255})
      .Str("third").Raw({8, '0', '.', '3', '3', '3', '3', '3', '3'});
  b.Op(kOpExpireTime).Le(2000000000ULL, 4);  // 2033: the field is a signed 32-bit time
  b.Op(kTypeString).Str("secs").Str("v");
  b.Op(kOpSelectDb).Len(2);
  b.Op(kTypeString).Str("k2").Str("v2");
  TempDir dir;
  std::string path = WriteBytes(dir, "old.rdb", b.Finish());
  RdbDigestResult r = DigestFile(path);
  ASSERT_TRUE(r.report.valid()) << Message(r.report);
  EXPECT_EQ(r.digest, LoadedDigest(path));
  EXPECT_EQ(r.dbs.at(0).keys, 13u);
  EXPECT_EQ(r.dbs.at(2).keys, 1u);
}

TEST(DigestRedis, ExpiredKeysAreLeftOutAsAMasterDropsThemAndAReplicaKeepsThem) {
  // A master loading a file drops keys whose expire time has passed; a replica keeps them (its
  // master expires them). So both sides of `--at` can be checked against a real server.
  RdbBuilder b(10);
  b.Op(kOpAux).Str("redis-ver").Str("7.0.15");
  b.Op(kOpExpireTimeMs).Le(1000, 8).Op(kTypeString).Str("gone").Str("v");
  b.Op(kOpExpireTimeMs).Le(1000, 8).Op(kTypeHash).Str("gone-hash").Len(1).Str("f").Str("v");
  b.Op(kOpExpireTimeMs).Le(4102444800000ULL, 8).Op(kTypeString).Str("later").Str("v");
  b.Op(kTypeString).Str("plain").Str("v");
  TempDir dir;
  std::string path = WriteBytes(dir, "ttl.rdb", b.Finish());
  std::string master = LoadedDigest(path);
  std::string replica = LoadedDigest(path, {"replicaof 127.0.0.1 1"});
  ASSERT_NE(master, replica) << "the expired keys must make a difference";
  RdbDigestResult now = DigestFile(path);
  ASSERT_TRUE(now.report.valid()) << Message(now.report);
  EXPECT_EQ(now.digest, master);
  EXPECT_EQ(now.dbs.at(0).keys, 2u);
  EXPECT_EQ(now.dbs.at(0).expired, 2u);
  EXPECT_EQ(DigestFile(path, 999).digest, replica);
  EXPECT_EQ(DigestFile(path, 1000).digest, replica) << "Redis drops a key only when its time is before now";
  EXPECT_EQ(DigestFile(path, 1001).digest, master);
}

TEST(DigestRedis, FilesWrittenByRedis72And74GiveTheDigestsTheirWritersRecorded) {
  for (const char* version : {"7.2.6", "7.4.1"}) {
    std::string base = std::string(TIDEMARK_SHARED_TESTDATA) + "/redis-versions/" + version;
    auto meta = web::json::value::parse(ReadFile(base + "/meta.json"));
    for (const char* file : {"all-types-lzf.rdb", "all-types-nocompress.rdb"}) {
      std::string recorded = meta["files"][file]["digest"].as_string();
      RdbDigestResult r = DigestFile(base + "/" + file);
      ASSERT_TRUE(r.report.valid()) << version << "/" << file << ": " << Message(r.report);
      EXPECT_EQ(r.score_format, ScoreFormat::kGrisu);
      EXPECT_EQ(r.digest, recorded) << version << "/" << file;
      // The same file as Redis 7.0 would digest it: its sorted sets hold 1e300, formatted differently.
      EXPECT_NE(DigestFile(base + "/" + file, NowMs(), ScoreFormat::kPrintf17g).digest, recorded);
      // In 2200 the two keys with an expire in 2100 are gone, as are the 7.4 hash fields' TTLs.
      RdbDigestResult later = DigestFile(base + "/" + file, 7258118400000LL);
      EXPECT_NE(later.digest, recorded);
      EXPECT_EQ(later.dbs.at(0).expired, 2u) << version;
    }
  }
}

}  // namespace
}  // namespace tidemark
