// BackupStore on an S3-compatible bucket (the S3 client: sidecar/objstore/s3_client.h).
//
// Under "<prefix>/" a backup is two objects: "<name>.rdb" (or "<name>.rdb.enc" when encrypted,
// docs/formats.md) holds the data, "<name>.json" the metadata (metadata_json.h, with the key id
// when encrypted). The data object is streamed as the snapshot passes (one streamed PUT when the
// writer was told the size, BackupWriter::ExpectBytes; else one multipart upload, one part of
// memory; through the encryptor first when a key is given) and completed before the
// metadata object is written: a listing, which shows only names whose metadata parses and whose
// data object exists, never shows a backup with incomplete bytes. Any failure aborts the
// multipart upload and deletes a completed data object whose metadata was never written.
//
// Names: only generated names (core/backup/backup_name.h) are accepted or listed; keys under the
// prefix that are not "<generated name>.json|.rdb|.rdb.enc" are ignored, so nothing a bucket
// holds can name a file for the sidecar to write (reads go to memory or the caller's sink).
//
// One writer at a time in this object (BeginPut fails "in progress" otherwise). A bucket has no
// lock: one resource per prefix (the CRD says so), whose pod 0 alone takes backups.
// ReadBack and OpenForRead (the restore, the drill, verifyAfterCopy) read the data object as
// one streamed GET on a connection of their own (objstore::ObjectReader: resumed mid-body from
// the next byte of the same object, never spliced; the caller's buffer is the only memory) and
// decrypt chunk by chunk; a backup encrypted under a key id the store has no key for fails to
// read, naming the key id. Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/framed_aead.h"
#include "sidecar/backup_store.h"

namespace tidemark::objstore {
class S3Client;
}

namespace tidemark::sidecar {

struct ObjectStoreOptions {
  std::string prefix;                          // "" or "a/b" (no leading or trailing '/')
  std::optional<crypto::AeadKey> encrypt_with;  // encrypt new backups with this key
  std::vector<crypto::AeadKey> read_keys;      // keys to decrypt with (encrypt_with included)
  uint32_t chunk_size = crypto::kAeadDefaultChunk;
};

class ObjectBackupStore final : public BackupStore {
 public:
  ObjectBackupStore(std::unique_ptr<objstore::S3Client> client, ObjectStoreOptions options);
  ~ObjectBackupStore() override;

  Result<std::unique_ptr<BackupWriter>> BeginPut(const std::string& name) override;
  Result<BackupListing> List() override;
  Result<std::unique_ptr<ByteSource>> OpenForRead(const std::string& name) override;
  Status Delete(const std::string& name) override;
  // Aborts open multipart uploads of backup data under the prefix and deletes data objects
  // whose metadata was never written (a sidecar that died between the two).
  Result<CleanupReport> CleanupStale() override;
  std::string DataLocation(const std::string& name) const override;
  std::string MetadataLocation(const std::string& name) const override;

  // "s3://bucket/prefix/", for people.
  std::string Location() const;
  objstore::S3Client& client() { return *client_; }

 private:
  friend class ObjectWriter;
  std::string Key(const std::string& file) const;
  std::string DataKey(const std::string& name, bool encrypted) const;
  Result<backup::BackupMetadata> ReadMetadata(const std::string& name);
  // `etag` (empty: whichever object the GET finds): the object to read.
  Result<std::unique_ptr<ByteSource>> OpenData(const std::string& key, const std::string& etag,
                                               bool encrypted);

  std::unique_ptr<objstore::S3Client> client_;
  ObjectStoreOptions options_;
  bool busy_ = false;  // a writer is open
};

}  // namespace tidemark::sidecar
