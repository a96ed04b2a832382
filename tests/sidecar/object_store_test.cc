// ObjectBackupStore against a real S3-compatible server (s3rver): the one-pass backup to the
// volume and the bucket at once (encrypted), listings that show only complete backups and never
// foreign keys, read-back through decryption, the wrong or missing key refused by name, what dead
// writers leave cleaned up, and retention in the bucket.
#include "sidecar/object_backup_store.h"

#include <gtest/gtest.h>

#include "core/base/byte_source.h"
#include "sidecar/apply_retention.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/json_log.h"
#include "sidecar/objstore/s3_client.h"
#include "sidecar/snapshot_backup.h"
#include "tests/objstore/s3rver.h"
#include "tests/sidecar/test_rdb.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::sidecar {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

crypto::AeadKey Key(const std::string& id, uint8_t seed) {
  crypto::AeadKey k{id, {}};
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(seed * 13 + i);
  return k;
}

std::string ReadAll(ByteSource& src) {
  std::string out;
  std::vector<uint8_t> buf(1000);
  for (;;) {
    auto n = src.Read(buf);
    EXPECT_TRUE(n) << n.error().ToString();
    if (!n || *n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

Result<std::string> TryReadAll(ByteSource& src) {
  std::string out;
  std::vector<uint8_t> buf(1000);
  for (;;) {
    auto n = src.Read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<objstore::S3Client> Client() {
    objstore::S3Config config;
    config.endpoint = server_.endpoint();
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = 5 << 20;
    config.retry.base_delay = std::chrono::milliseconds(5);
    auto client = objstore::S3Client::Create(std::move(config), RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::unique_ptr<ObjectBackupStore> Store(std::optional<crypto::AeadKey> encrypt,
                                           std::vector<crypto::AeadKey> read_keys = {},
                                           std::string prefix = "prod/catalog") {
    ObjectStoreOptions o;
    o.prefix = std::move(prefix);
    o.encrypt_with = std::move(encrypt);
    o.read_keys = std::move(read_keys);
    o.chunk_size = 64;           // many chunks from a small RDB
    return std::make_unique<ObjectBackupStore>(Client(), std::move(o));
  }
  Result<backup::BackupMetadata> Backup(BackupStore& store, int keys, int64_t now,
                                        uint32_t suffix = 1) {
    std::string rdb = testing::MakeTestRdb(keys, now);
    SpanSource src(Bytes(rdb));
    SnapshotBackupContext ctx;
    ctx.now_unix = now;
    ctx.name_suffix = suffix;
    return BackupSnapshot(src, "dump.rdb", store, ctx);
  }

  testing::S3rver server_;
  testing::TempDir tmp_;
};

TEST_F(ObjectStoreTest, OnePassToTheVolumeAndTheBucketEncryptedReadsBackTheSameBytes) {
  auto dir = DirBackupStore::Open(tmp_.path());
  ASSERT_TRUE(dir) << dir.error().ToString();
  auto bucket = Store(Key("k1", 1));
  const std::string rdb = testing::MakeTestRdb(40, 1795832100);
  SpanSource src(Bytes(rdb));
  SnapshotBackupContext ctx;
  ctx.now_unix = 1795832100;
  ctx.name_suffix = 0xabc;
  auto done = BackupSnapshotToStores(src, "dump.rdb", {&*dir, bucket.get()}, ctx);
  ASSERT_TRUE(done) << done.error().ToString();
  ASSERT_EQ(done->stores.size(), 2u);
  EXPECT_TRUE(done->stores[0]);
  EXPECT_TRUE(done->stores[1]) << done->stores[1].error().ToString();
  const std::string name = done->metadata.name;

  auto local = dir->List();
  auto remote = bucket->List();
  ASSERT_TRUE(local && remote) << (remote ? "" : remote.error().ToString());
  ASSERT_EQ(remote->backups.size(), 1u);
  EXPECT_TRUE(remote->problems.empty());
  const auto& m = remote->backups[0];
  EXPECT_EQ(m.name, name);
  EXPECT_EQ(m.sha256, local->backups[0].sha256);  // of the plain RDB, like the volume's
  EXPECT_EQ(m.size_bytes, rdb.size());
  EXPECT_EQ(m.total_keys(), 40u);
  EXPECT_EQ(m.encryption_key_id, "k1");
  EXPECT_FALSE(local->backups[0].encryption_key_id);
  EXPECT_EQ(bucket->DataLocation(name), "s3://backups/prod/catalog/" + name + ".rdb.enc");

  // The stored object is ciphertext; reading through the store gives the snapshot back.
  auto client = Client();
  auto info = client->HeadObject("prod/catalog/" + name + ".rdb.enc");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, crypto::EncryptedSize(rdb.size(), 2, 64));
  auto back = bucket->OpenForRead(name);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_TRUE(ReadAll(**back) == rdb);
}

TEST_F(ObjectStoreTest, WithoutTheKeyABackupIsRefusedNamingTheKeyId) {
  auto writer_store = Store(Key("prod-2026", 1));
  auto m = Backup(*writer_store, 10, 1795832100);
  ASSERT_TRUE(m) << m.error().ToString();
  for (auto& [keys, expect] :
       std::vector<std::pair<std::vector<crypto::AeadKey>, std::string>>{
           {{}, "encrypted with key id 'prod-2026', but no encryption key is configured"},
           {{Key("prod-2025", 1)}, "the configured key ids are: prod-2025"},
           {{Key("prod-2026", 2)}, "is not the key this object was encrypted with"}}) {
    auto reader = Store(std::nullopt, keys);
    auto listing = reader->List();
    ASSERT_TRUE(listing);
    ASSERT_EQ(listing->backups.size(), 1u);  // listed: the metadata says which key it needs
    auto src = reader->OpenForRead(m->name);
    ASSERT_TRUE(src) << src.error().ToString();
    auto bytes = TryReadAll(**src);
    ASSERT_FALSE(bytes) << "read " << bytes->size() << " bytes without the key";
    EXPECT_NE(bytes.error().message.find(expect), std::string::npos) << bytes.error().ToString();
  }
  // Rotation: a store encrypting with a new key still reads the old backups with the old key.
  auto rotated = Store(Key("prod-2027", 3), {Key("prod-2026", 1)});
  auto src = rotated->OpenForRead(m->name);
  ASSERT_TRUE(src);
  EXPECT_TRUE(ReadAll(**src) == testing::MakeTestRdb(10, 1795832100));
}

TEST_F(ObjectStoreTest, ListingShowsOnlyCompleteBackupsAndNeverForeignKeys) {
  auto store = Store(std::nullopt);
  auto good = Backup(*store, 5, 1795832100);
  ASSERT_TRUE(good) << good.error().ToString();
  auto client = Client();
  const std::string orphan = "20261128T030000Z-00000002";
  // A sidecar that died between the data and the metadata, keys that are not generated names,
  // and a metadata object that does not parse.
  for (const auto& [key, body] : std::vector<std::pair<std::string, std::string>>{
           {"prod/catalog/" + orphan + ".rdb", testing::MakeTestRdb(3)},
           {"prod/catalog/../escape.json", "{}"},
           {"prod/catalog/notes.json", "{}"},
           {"prod/catalog/sub/20261128T040000Z-00000003.json", "{}"},
           {"prod/catalog/20261128T050000Z-00000004.json", "not json"},
           {"prod/other/20261128T060000Z-00000005.json", "{}"}})
    ASSERT_TRUE(client->PutObject(key, Bytes(body)));
  auto listing = store->List();
  ASSERT_TRUE(listing) << listing.error().ToString();
  ASSERT_EQ(listing->backups.size(), 1u);
  EXPECT_EQ(listing->backups[0].name, good->name);
  ASSERT_EQ(listing->problems.size(), 1u);
  EXPECT_NE(listing->problems[0].find("20261128T050000Z-00000004.json"), std::string::npos);
  EXPECT_FALSE(store->OpenForRead("../escape"));
  EXPECT_FALSE(store->Delete("notes"));

  auto cleanup = store->CleanupStale();
  ASSERT_TRUE(cleanup) << cleanup.error().ToString();
  // (Open multipart uploads too, where the server lists them: s3rver does not.)
  ASSERT_EQ(cleanup->removed.size(), 1u);
  EXPECT_NE(cleanup->removed[0].find(orphan), std::string::npos);
  auto head = client->HeadObject("prod/catalog/" + orphan + ".rdb");
  ASSERT_TRUE(head);
  EXPECT_FALSE(*head);
  // Foreign keys are left alone.
  auto foreign = client->HeadObject("prod/catalog/notes.json");
  ASSERT_TRUE(foreign && *foreign);
}

TEST_F(ObjectStoreTest, AFailedPutLeavesNothingAndRetentionKeepsTheNewest) {
  auto store = Store(Key("k", 1));
  // Not an RDB: the verifier refuses it, the put is aborted, nothing appears.
  std::string junk(3000, 'j');
  SpanSource src(Bytes(junk));
  SnapshotBackupContext ctx;
  ctx.now_unix = 1795832000;
  EXPECT_FALSE(BackupSnapshot(src, "dump.rdb", *store, ctx));
  auto objects = Client()->ListObjects("prod/");
  ASSERT_TRUE(objects);
  EXPECT_TRUE(objects->empty());

  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    auto m = Backup(*store, 5 + i, 1795832100 + i * 86400, static_cast<uint32_t>(i + 1));
    ASSERT_TRUE(m) << m.error().ToString();
    names.push_back(m->name);
  }
  std::ostringstream log_out;
  JsonLog log(log_out, RealClock(), "test");
  backup::RetentionRules rules;
  rules.keep_last = 1;
  rules.keep_daily = 0;
  rules.keep_weekly = 0;
  auto kept = ApplyRetention(*store, rules, log);
  ASSERT_TRUE(kept) << kept.error().ToString();
  EXPECT_EQ(kept->kept, 1u);
  EXPECT_EQ(kept->deleted, 2u);
  auto listing = store->List();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->backups.size(), 1u);
  EXPECT_EQ(listing->backups[0].name, names.back());
  // Metadata and data of the others are both gone.
  objects = Client()->ListObjects("prod/");
  ASSERT_TRUE(objects);
  EXPECT_EQ(objects->size(), 2u);
}

}  // namespace
}  // namespace tidemark::sidecar
