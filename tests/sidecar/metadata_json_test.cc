#include "sidecar/metadata_json.h"

#include <gtest/gtest.h>

namespace tidemark::sidecar {
namespace {

backup::BackupMetadata Sample() {
  backup::BackupMetadata m;
  m.name = "20261128T021500Z-1a2b3c4d";
  m.created_unix = 1795832100;
  m.snapshot_unix = 1795832099;
  m.size_bytes = 18875;
  m.sha256 = std::string(64, 'a');
  m.rdb_version = 10;
  m.redis_version = "7.0.15";
  m.dbs = {{0, 1000, 3}, {3, 2, 0}};
  m.source_pod = "cache-0";
  m.policy_generation = 4;
  m.repl_id = "8c1d0e2f";
  m.repl_offset = 123456789012ull;
  m.verified = true;
  m.dataset_digest = "001f5eac966697c80a565f1c641222fe091e2306";
  m.dataset_digest_for = "redis<7.2";
  return m;
}

TEST(MetadataJson, RoundTripsEveryField) {
  auto m = Sample();
  std::string text = RenderBackupMetadata(m);
  EXPECT_NE(text.find("\"apiVersion\":\"tidemark.dev/backup/v1\""), std::string::npos);
  EXPECT_NE(text.find("\"keys\":1002"), std::string::npos);
  auto back = ParseBackupMetadata(text, "x.json");
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->name, m.name);
  EXPECT_EQ(back->created_unix, m.created_unix);
  EXPECT_EQ(back->snapshot_unix, m.snapshot_unix);
  EXPECT_EQ(back->size_bytes, m.size_bytes);
  EXPECT_EQ(back->sha256, m.sha256);
  EXPECT_EQ(back->rdb_version, 10u);
  EXPECT_EQ(back->redis_version, "7.0.15");
  ASSERT_EQ(back->dbs.size(), 2u);
  EXPECT_EQ(back->dbs[1].db, 3u);
  EXPECT_EQ(back->dbs[0].expires, 3u);
  EXPECT_EQ(back->source_pod, "cache-0");
  EXPECT_EQ(back->policy_generation, 4);
  EXPECT_EQ(back->repl_id, "8c1d0e2f");
  EXPECT_EQ(back->repl_offset, 123456789012ull);
  EXPECT_TRUE(back->verified);
  EXPECT_EQ(back->dataset_digest, m.dataset_digest);
  EXPECT_EQ(back->dataset_digest_for, "redis<7.2");
}

TEST(MetadataJson, NullsForUnknownFacts) {
  auto m = Sample();
  m.snapshot_unix.reset();
  m.policy_generation.reset();
  m.repl_id.reset();
  m.repl_offset.reset();
  m.dataset_digest.reset();
  std::string text = RenderBackupMetadata(m);
  EXPECT_NE(text.find("\"replication\":null"), std::string::npos);
  auto back = ParseBackupMetadata(text, "x.json");
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->snapshot_unix);
  EXPECT_FALSE(back->policy_generation);
  EXPECT_FALSE(back->repl_id);
  EXPECT_FALSE(back->dataset_digest);
  // Metadata written before the digest existed has no member at all.
  auto pos = text.find(",\"datasetDigest\":null");
  ASSERT_NE(pos, std::string::npos) << text;
  auto older = ParseBackupMetadata(text.substr(0, pos) + text.substr(pos + 21), "x.json");
  ASSERT_TRUE(older) << older.error().ToString();
  EXPECT_FALSE(older->dataset_digest);
}

TEST(MetadataJson, CreatedAtMillisIsOptionalAndMustFallInCreatedAtsSecond) {
  auto m = Sample();
  EXPECT_EQ(RenderBackupMetadata(m).find("createdAtMillis"), std::string::npos);
  EXPECT_FALSE(ParseBackupMetadata(RenderBackupMetadata(m), "x.json")->created_unix_ms);
  m.created_unix_ms = m.created_unix * 1000 + 999;
  std::string text = RenderBackupMetadata(m);
  EXPECT_NE(text.find("\"createdAt\":\"2026-11-28T02:15:00Z\",\"createdAtMillis\":1795832100999"),
            std::string::npos)
      << text;
  auto back = ParseBackupMetadata(text, "x.json");
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->created_unix_ms, m.created_unix_ms);
  m.created_unix_ms = m.created_unix * 1000 + 1000;  // the next second
  auto off = ParseBackupMetadata(RenderBackupMetadata(m), "x.json");
  ASSERT_FALSE(off);
  EXPECT_NE(off.error().message.find("member 'createdAtMillis': expected milliseconds within"),
            std::string::npos)
      << off.error().ToString();
}

TEST(MetadataJson, EncryptionKeyIdRoundTripsAndUnknownAlgorithmsAreRefused) {
  auto m = Sample();
  EXPECT_NE(RenderBackupMetadata(m).find("\"encryption\":null"), std::string::npos);
  EXPECT_FALSE(ParseBackupMetadata(RenderBackupMetadata(m), "x.json")->encryption_key_id);
  m.encryption_key_id = "ledger-2026-11";
  std::string text = RenderBackupMetadata(m);
  auto back = ParseBackupMetadata(text, "x.json");
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->encryption_key_id, "ledger-2026-11");
  auto pos = text.find("aes-256-gcm-framed/v1");
  ASSERT_NE(pos, std::string::npos) << text;
  auto other = ParseBackupMetadata(text.replace(pos, 21, "rot13"), "x.json");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("algorithm 'rot13' is not known"), std::string::npos)
      << other.error().ToString();
}

TEST(MetadataJson, RejectsWhatCannotBeTrusted) {
  std::string good = RenderBackupMetadata(Sample());
  auto bad = [&](const std::string& from, const std::string& to, const std::string& expect) {
    std::string text = good;
    auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    auto r = ParseBackupMetadata(text, "store/x.json");
    ASSERT_FALSE(r) << "accepted: " << text;
    EXPECT_EQ(r.error().where, "store/x.json");
    EXPECT_NE(r.error().message.find(expect), std::string::npos) << r.error().message;
  };
  bad("\"name\":\"20261128T021500Z-1a2b3c4d\"", "\"name\":\"../../etc/passwd\"", "member 'name'");
  bad("tidemark.dev/backup/v1", "tidemark.dev/backup/v2", "is not known");
  bad(std::string(64, 'a'), std::string(63, 'a'), "member 'sha256'");
  bad("\"keys\":1002", "\"keys\":1001", "sum of dbs[].keys");
  bad("001f5eac966697c80a565f1c641222fe091e2306", "001F5EAC", "member 'datasetDigest'");
  bad("\"createdAt\":\"2026-11-28T02:15:00Z\"", "\"createdAt\":\"yesterday\"", "member 'createdAt'");
  bad("\"verified\":true", "\"verified\":\"yes\"", "member 'verified'");
  bad("{", "[", "");
  EXPECT_FALSE(ParseBackupMetadata(good.substr(0, good.size() / 2), "x"));
  EXPECT_FALSE(ParseBackupMetadata("", "x"));
}

}  // namespace
}  // namespace tidemark::sidecar
