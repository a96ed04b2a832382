#include "sidecar/object_backup_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "core/backup/backup_name.h"
#include "sidecar/metadata_json.h"
#include "sidecar/objstore/s3_client.h"

namespace tidemark::sidecar {

namespace {

constexpr std::string_view kDataSuffix = ".rdb";
constexpr std::string_view kEncryptedDataSuffix = ".rdb.enc";
constexpr std::string_view kMetadataSuffix = ".json";
constexpr size_t kMaxMetadataBytes = 64 * 1024;

class StringSink final : public ByteSink {
 public:
  explicit StringSink(size_t limit) : limit_(limit) {}
  Status Update(std::span<const uint8_t> chunk) override {
    if (text.size() + chunk.size() > limit_)
      return MakeError(ErrorCode::kCorrupt,
                       "larger than " + std::to_string(limit_) + " bytes: not backup metadata");
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  std::string text;

 private:
  size_t limit_;
};

// Decrypts an owned source.
class DecryptingSource final : public ByteSource {
 public:
  DecryptingSource(std::unique_ptr<ByteSource> inner, std::span<const crypto::AeadKey> keys,
                   std::string where)
      : inner_(std::move(inner)), decrypt_(*inner_, keys, std::move(where)) {}
  Result<size_t> Read(std::span<uint8_t> out) override { return decrypt_.Read(out); }

 private:
  std::unique_ptr<ByteSource> inner_;
  crypto::AeadDecryptSource decrypt_;
};

Status CheckName(const std::string& name) {
  if (auto n = backup::ParseBackupName(name); !n) return std::unexpected(n.error());
  return {};
}

}  // namespace

// One put: bytes -> [encryptor] -> multipart upload; the data object is completed by ReadBack or
// Publish, the metadata object written by Publish only.
class ObjectWriter final : public BackupWriter {
 public:
  ObjectWriter(ObjectBackupStore& store, std::string name)
      : store_(store), name_(std::move(name)) {
    store_.busy_ = true;
  }
  ~ObjectWriter() override {
    if (!published_) Abort();
    store_.busy_ = false;
  }

  Status Start() {
    data_key_ = store_.DataKey(name_, store_.options_.encrypt_with.has_value());
    return Open(std::nullopt);
  }

  // Nothing is sent before the first byte, so the upload is opened again with the object's size
  // (encryption adds a deterministic overhead), which lets the client stream one PUT.
  Status ExpectBytes(uint64_t bytes) override {
    if (written_) return {};
    const auto& key = store_.options_.encrypt_with;
    return Open(key ? crypto::EncryptedSize(bytes, key->id.size(), store_.options_.chunk_size)
                    : bytes);
  }

  Status Open(std::optional<uint64_t> object_bytes) {
    encrypt_.reset();
    upload_ = store_.client_->StartUpload(data_key_, {}, object_bytes);
    if (store_.options_.encrypt_with) {
      std::array<uint8_t, crypto::kAeadSaltBytes> salt{};
      if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        return MakeError(ErrorCode::kIo, "no random bytes for the encryption salt");
      auto enc = crypto::AeadEncryptSink::Create(*store_.options_.encrypt_with, salt, *upload_,
                                                 store_.options_.chunk_size);
      if (!enc) return std::unexpected(enc.error());
      encrypt_ = std::move(*enc);
    }
    return {};
  }

  Status Update(std::span<const uint8_t> chunk) override {
    if (completed_ || published_)
      return MakeError(ErrorCode::kInvalidArgument, "write after the data was completed", -1,
                       store_.client_->Url(data_key_));
    written_ = true;
    return encrypt_ ? encrypt_->Update(chunk) : upload_->Update(chunk);
  }

  Result<std::unique_ptr<ByteSource>> ReadBack() override {
    if (auto s = Complete(); !s) return std::unexpected(s.error());
    return store_.OpenData(data_key_, "", encrypt_ != nullptr);
  }

  Status Publish(const backup::BackupMetadata& metadata) override {
    if (auto s = Complete(); !s) return s;
    backup::BackupMetadata m = metadata;
    if (store_.options_.encrypt_with) m.encryption_key_id = store_.options_.encrypt_with->id;
    const std::string text = RenderBackupMetadata(m);
    auto s = store_.client_->PutObject(
        store_.Key(name_ + std::string(kMetadataSuffix)),
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    if (!s) {
      Abort();
      return s;
    }
    published_ = true;
    return {};
  }

  void Abort() override {
    if (published_ || aborted_) return;
    aborted_ = true;
    // Best effort: an upload left open or a data object without metadata is found and removed
    // by the next CleanupStale; neither is ever listed as a backup. The data object goes even
    // when the put never saw it completed: a Complete (or single PUT) the server carried out
    // but whose reply was lost leaves one, and the generated name is this writer's alone.
    if (upload_) (void)upload_->Abort();
    if (!data_key_.empty()) (void)store_.client_->DeleteObject(data_key_);
  }

  const std::string& name() const override { return name_; }

 private:
  // Seals the last encrypted chunk and completes the data object (not yet a backup: no metadata).
  Status Complete() {
    if (aborted_) return MakeError(ErrorCode::kInvalidArgument, "the put was aborted", -1, name_);
    if (completed_) return {};
    if (encrypt_)
      if (auto s = encrypt_->Finish(); !s) return s;
    auto etag = upload_->Finish();
    if (!etag) return std::unexpected(etag.error());
    completed_ = true;
    return {};
  }

  ObjectBackupStore& store_;
  std::string name_;
  std::string data_key_;
  std::unique_ptr<objstore::ObjectUpload> upload_;
  std::unique_ptr<crypto::AeadEncryptSink> encrypt_;
  bool written_ = false;  // Update was called
  bool completed_ = false;
  bool published_ = false;
  bool aborted_ = false;
};

ObjectBackupStore::ObjectBackupStore(std::unique_ptr<objstore::S3Client> client,
                                     ObjectStoreOptions options)
    : client_(std::move(client)), options_(std::move(options)) {
  if (options_.encrypt_with &&
      std::none_of(options_.read_keys.begin(), options_.read_keys.end(),
                   [&](const crypto::AeadKey& k) { return k.id == options_.encrypt_with->id; }))
    options_.read_keys.push_back(*options_.encrypt_with);
}

ObjectBackupStore::~ObjectBackupStore() = default;

std::string ObjectBackupStore::Key(const std::string& file) const {
  return options_.prefix.empty() ? file : options_.prefix + "/" + file;
}

std::string ObjectBackupStore::DataKey(const std::string& name, bool encrypted) const {
  return Key(name + std::string(encrypted ? kEncryptedDataSuffix : kDataSuffix));
}

std::string ObjectBackupStore::DataLocation(const std::string& name) const {
  return client_->Url(DataKey(name, options_.encrypt_with.has_value()));
}

std::string ObjectBackupStore::Location() const { return client_->Url(Key("")); }

std::string ObjectBackupStore::MetadataLocation(const std::string& name) const {
  return client_->Url(Key(name + std::string(kMetadataSuffix)));
}

Result<std::unique_ptr<BackupWriter>> ObjectBackupStore::BeginPut(const std::string& name) {
  if (auto s = CheckName(name); !s) return std::unexpected(s.error());
  if (busy_)
    return MakeError(ErrorCode::kInvalidArgument,
                     "another backup is in progress in this store; try again when it finishes",
                     -1, client_->Url(Key("")));
  auto writer = std::make_unique<ObjectWriter>(*this, name);
  if (auto s = writer->Start(); !s) return std::unexpected(s.error());
  return std::unique_ptr<BackupWriter>(std::move(writer));
}

Result<backup::BackupMetadata> ObjectBackupStore::ReadMetadata(const std::string& name) {
  const std::string key = Key(name + std::string(kMetadataSuffix));
  StringSink sink(kMaxMetadataBytes);
  if (auto s = client_->GetObject(key, sink); !s) {
    Error e = s.error();
    if (e.where.empty()) e.where = client_->Url(key);
    return std::unexpected(std::move(e));
  }
  auto meta = ParseBackupMetadata(sink.text, client_->Url(key));
  if (!meta) return meta;
  if (meta->name != name)
    return MakeError(ErrorCode::kCorrupt, "metadata names " + meta->name, -1, client_->Url(key));
  return meta;
}

Result<std::unique_ptr<ByteSource>> ObjectBackupStore::OpenData(const std::string& key,
                                                                const std::string& etag,
                                                                bool encrypted) {
  std::unique_ptr<ByteSource> raw = client_->OpenObject(key, etag);
  if (!encrypted) return raw;
  return std::unique_ptr<ByteSource>(
      std::make_unique<DecryptingSource>(std::move(raw), options_.read_keys, client_->Url(key)));
}

Result<BackupListing> ObjectBackupStore::List() {
  const std::string dir = options_.prefix.empty() ? "" : options_.prefix + "/";
  auto objects = client_->ListObjects(dir);
  if (!objects) return std::unexpected(objects.error());
  std::map<std::string, uint64_t> sizes;  // key -> size
  for (const auto& o : *objects) sizes[o.key] = o.size;
  BackupListing out;
  for (const auto& [key, size] : sizes) {
    std::string_view file = std::string_view(key).substr(dir.size());
    if (!file.ends_with(kMetadataSuffix)) continue;
    std::string name(file.substr(0, file.size() - kMetadataSuffix.size()));
    if (!backup::ParseBackupName(name)) continue;  // not ours (or in a deeper "directory")
    auto meta = ReadMetadata(name);
    if (!meta) {
      out.problems.push_back(meta.error().ToString());
      continue;
    }
    const std::string data_key = DataKey(name, meta->encryption_key_id.has_value());
    if (!sizes.count(data_key)) {
      out.problems.push_back(client_->Url(data_key) + ": data object missing");
      continue;
    }
    out.backups.push_back(std::move(*meta));
  }
  std::sort(out.backups.begin(), out.backups.end(), backup::NewerFirst);
  return out;
}

Result<std::unique_ptr<ByteSource>> ObjectBackupStore::OpenForRead(const std::string& name) {
  if (auto s = CheckName(name); !s) return std::unexpected(s.error());
  auto meta = ReadMetadata(name);
  if (!meta) return std::unexpected(meta.error());
  const bool encrypted = meta->encryption_key_id.has_value();
  const std::string key = DataKey(name, encrypted);
  auto info = client_->HeadObject(key);
  if (!info) return std::unexpected(info.error());
  if (!*info) return MakeError(ErrorCode::kNotFound, "data object missing", -1, client_->Url(key));
  // The object HEAD found, not one that replaced it before the GET.
  return OpenData(key, (*info)->etag, encrypted);
}

Status ObjectBackupStore::Delete(const std::string& name) {
  if (auto s = CheckName(name); !s) return s;
  // Metadata first: the backup leaves every listing before its bytes go.
  if (auto s = client_->DeleteObject(Key(name + std::string(kMetadataSuffix))); !s) return s;
  for (bool encrypted : {false, true})
    if (auto s = client_->DeleteObject(DataKey(name, encrypted)); !s) return s;
  return {};
}

Result<CleanupReport> ObjectBackupStore::CleanupStale() {
  CleanupReport report;
  if (busy_) {
    report.skipped_busy = true;
    return report;
  }
  const std::string dir = options_.prefix.empty() ? "" : options_.prefix + "/";
  // The name of the backup a data key belongs to, or "" for keys that are not backup data.
  auto data_name = [&](std::string_view key) -> std::string {
    if (!key.starts_with(dir)) return "";
    std::string_view file = key.substr(dir.size());
    for (std::string_view suffix : {kEncryptedDataSuffix, kDataSuffix})
      if (file.ends_with(suffix)) {
        std::string name(file.substr(0, file.size() - suffix.size()));
        return backup::ParseBackupName(name) ? name : "";
      }
    return "";
  };
  auto uploads = client_->ListMultipartUploads(dir);
  // Some S3-compatible servers (s3rver) do not list multipart uploads: then only a lifecycle
  // rule on the bucket (AbortIncompleteMultipartUpload) removes what a killed writer left.
  const bool unlisted =
      !uploads && uploads.error().message.find("NotImplemented") != std::string::npos;
  if (!uploads && !unlisted) return std::unexpected(uploads.error());
  for (const auto& u : unlisted ? std::vector<objstore::OpenUpload>{} : *uploads) {
    if (data_name(u.key).empty()) continue;
    if (auto s = client_->AbortMultipartUpload(u.key, u.upload_id); !s)
      return std::unexpected(s.error());
    report.removed.push_back(client_->Url(u.key) + " (multipart upload " + u.upload_id + ")");
  }
  auto objects = client_->ListObjects(dir);
  if (!objects) return std::unexpected(objects.error());
  std::map<std::string, bool> has_metadata;
  for (const auto& o : *objects) has_metadata[o.key] = true;
  for (const auto& o : *objects) {
    std::string name = data_name(o.key);
    if (name.empty() || has_metadata.count(Key(name + std::string(kMetadataSuffix)))) continue;
    if (auto s = client_->DeleteObject(o.key); !s) return std::unexpected(s.error());
    report.removed.push_back(client_->Url(o.key));
  }
  return report;
}

}  // namespace tidemark::sidecar
