#include "sidecar/object_store_config.h"

#include <openssl/evp.h>

#include <algorithm>

#include "io/file_source.h"
#include "sidecar/objstore/s3_client.h"

namespace tidemark::sidecar {

namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// A secret's value, trimmed: kubectl create secret --from-file keeps a trailing newline.
Result<std::string> ReadSecretFile(const std::string& path, const char* what) {
  auto text = ReadSmallFile(path, 64 * 1024);
  if (!text) {
    Error e = text.error();
    e.message = std::string("cannot read the ") + what + ": " + e.message;
    return std::unexpected(std::move(e));
  }
  std::string value = Trim(std::move(*text));
  if (value.empty()) return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " is empty", -1, path);
  return value;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<crypto::AeadKey> LoadEncryptionKey(const std::string& key_id, const std::string& file) {
  if (auto s = crypto::ValidateKeyId(key_id); !s) return std::unexpected(s.error());
  auto text = ReadSecretFile(file, "encryption key");
  if (!text) return std::unexpected(text.error());
  crypto::AeadKey key{key_id, {}};
  const std::string& t = *text;
  bool hex = t.size() == 64;
  for (size_t i = 0; hex && i < 32; ++i) {
    int hi = HexValue(t[2 * i]), lo = HexValue(t[2 * i + 1]);
    if (hi < 0 || lo < 0) hex = false;
    else key.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (hex) return key;
  // base64 of 32 bytes: 44 characters ending in one '='.
  if (t.size() == 44 && t[43] == '=' && t[42] != '=') {
    unsigned char out[33];
    if (EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(t.data()), 44) == 33) {
      std::copy_n(out, 32, key.bytes.begin());
      return key;
    }
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "the encryption key must be 32 bytes written as 64 hex digits or as base64 "
                   "(openssl rand -base64 32); found " + std::to_string(t.size()) + " characters of something else",
                   -1, file);
}

Result<std::unique_ptr<ObjectBackupStore>> OpenObjectStore(const ObjectStorePolicy& p,
                                                           Clock& clock,
                                                           const std::string& connect_to) {
  objstore::S3Config config;
  config.endpoint = p.endpoint;
  config.bucket = p.bucket;
  config.region = p.region;
  config.addressing =
      p.virtual_hosted ? objstore::Addressing::kVirtualHosted : objstore::Addressing::kPath;
  auto id = ReadSecretFile(p.access_key_id_file, "access key id");
  if (!id) return std::unexpected(id.error());
  auto secret = ReadSecretFile(p.secret_access_key_file, "secret access key");
  if (!secret) return std::unexpected(secret.error());
  config.credentials.access_key_id = *id;
  config.credentials.secret_access_key = *secret;
  if (p.session_token_file) {
    auto token = ReadSecretFile(*p.session_token_file, "session token");
    if (!token) return std::unexpected(token.error());
    config.credentials.session_token = *token;
  }
  if (p.ca_bundle_file) config.ca_bundle_file = *p.ca_bundle_file;
  config.connect_to = connect_to;

  ObjectStoreOptions options;
  options.prefix = p.prefix;
  if (p.encryption_key_id && p.encryption_key_file) {
    auto key = LoadEncryptionKey(*p.encryption_key_id, *p.encryption_key_file);
    if (!key) return std::unexpected(key.error());
    options.encrypt_with = *key;
  }
  auto client = objstore::S3Client::Create(std::move(config), clock);
  if (!client) return std::unexpected(client.error());
  return std::make_unique<ObjectBackupStore>(std::move(*client), std::move(options));
}

}  // namespace tidemark::sidecar
