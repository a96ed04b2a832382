// The one-pass backup of a snapshot larger than one part into the bucket, its size known before
// the pass (SnapshotBackupContext::snapshot_bytes, as backup_job gives a file's): the data object
// goes as one streamed PUT (encrypted: the ciphertext's size is computed up front), reads back
// the same, and a snapshot that does not have the announced size fails the put with nothing left
// in the bucket.
#include <gtest/gtest.h>

#include "core/crypto/framed_aead.h"
#include "core/format/crc64.h"
#include "sidecar/object_backup_store.h"
#include "sidecar/objstore/s3_client.h"
#include "sidecar/snapshot_backup.h"
#include "tests/objstore/s3rver.h"

namespace tidemark::sidecar {
namespace {

constexpr size_t kPart = 5 << 20;

// A valid RDB 10 holding one string key whose value is `value_bytes` long (more than a part).
std::string MakeLargeRdb(uint32_t value_bytes) {
  std::string b = "REDIS0010";
  b += "\xfe";
  b += '\0';
  b += "\xfb\x01";
  b += '\0';
  b += '\0';  // string type
  b += "\x03" "big";
  b += '\x80';  // 32-bit length, big-endian
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>(value_bytes >> shift);
  for (uint32_t i = 0; i < value_bytes; ++i) b += static_cast<char>('a' + (i * 7919u) % 26);
  b += '\xff';
  uint64_t crc = Crc64(0, {reinterpret_cast<const uint8_t*>(b.data()), b.size()});
  for (int i = 0; i < 8; ++i) b += static_cast<char>(crc >> (8 * i));
  return b;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class ObjectStoreStreamTest : public ::testing::Test {
 protected:
  std::unique_ptr<objstore::S3Client> Client() {
    objstore::S3Config config;
    config.endpoint = server_.endpoint();
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = kPart;
    config.retry.base_delay = std::chrono::milliseconds(5);
    auto client = objstore::S3Client::Create(std::move(config), RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::unique_ptr<ObjectBackupStore> Store() {
    crypto::AeadKey key{"k1", {}};
    for (size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<uint8_t>(i * 5 + 1);
    ObjectStoreOptions o;
    o.prefix = "p";
    o.encrypt_with = key;
    return std::make_unique<ObjectBackupStore>(Client(), std::move(o));
  }
  Result<backup::BackupMetadata> Backup(BackupStore& store, const std::string& rdb,
                                        uint64_t announced) {
    SpanSource src(Bytes(rdb));
    SnapshotBackupContext ctx;
    ctx.now_unix = 1795832100;
    ctx.name_suffix = 7;
    ctx.snapshot_bytes = announced;
    return BackupSnapshot(src, "dump.rdb", store, ctx);
  }

  testing::S3rver server_;
};

TEST_F(ObjectStoreStreamTest, AKnownSizeStreamsOneEncryptedPutThatReadsBack) {
  auto store = Store();
  const std::string rdb = MakeLargeRdb(kPart + 300'000);
  auto m = Backup(*store, rdb, rdb.size());
  ASSERT_TRUE(m) << m.error().ToString();
  auto info = Client()->HeadObject("p/" + m->name + ".rdb.enc");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, crypto::EncryptedSize(rdb.size(), 2, crypto::kAeadDefaultChunk));
  auto back = store->OpenForRead(m->name);
  ASSERT_TRUE(back) << back.error().ToString();
  std::string got;
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    auto n = (*back)->Read(buf);
    ASSERT_TRUE(n) << n.error().ToString();
    if (*n == 0) break;
    got.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  EXPECT_TRUE(got == rdb);
}

TEST_F(ObjectStoreStreamTest, ASnapshotOfAnotherSizeThanAnnouncedLeavesNothing) {
  auto store = Store();
  const std::string rdb = MakeLargeRdb(kPart + 1000);
  auto m = Backup(*store, rdb, rdb.size() + 1);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("declared"), std::string::npos) << m.error().ToString();
  auto objects = Client()->ListObjects("p/");
  ASSERT_TRUE(objects) << objects.error().ToString();
  EXPECT_TRUE(objects->empty()) << objects->front().key;
  auto listing = store->List();
  ASSERT_TRUE(listing);
  EXPECT_TRUE(listing->backups.empty());
}

}  // namespace
}  // namespace tidemark::sidecar
