#include "core/crypto/framed_aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace tidemark::crypto {
namespace {

constexpr char kMagic[8] = {'T', 'D', 'M', 'K', 'A', 'E', 'A', 'D'};
constexpr uint8_t kVersion = 1;
constexpr uint8_t kAlgorithmAes256GcmHmacSha256 = 1;
constexpr size_t kFixedPrefix = sizeof(kMagic) + 3;  // magic, version, algorithm, key id length
constexpr size_t kCheckBytes = 16;
constexpr size_t kNonceBytes = 12;

size_t HeaderSize(size_t key_id_bytes) {
  return kFixedPrefix + key_id_bytes + 4 + kAeadSaltBytes + kCheckBytes;
}

struct Derived {
  std::array<uint8_t, 32> key;
  std::array<uint8_t, 32> check;
};

// HMAC-SHA256 as the PRF that turns (master key, salt) into this object's key and key check.
Derived Derive(const AeadKey& master, std::span<const uint8_t> salt) {
  auto prf = [&](std::string_view label, std::array<uint8_t, 32>& out) {
    std::vector<uint8_t> msg(label.begin(), label.end());
    msg.insert(msg.end(), salt.begin(), salt.end());
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), master.bytes.data(), static_cast<int>(master.bytes.size()),
              msg.data(), msg.size(), out.data(), &len) ||
        len != out.size())
      std::abort();  // OpenSSL without SHA-256: nothing sensible to continue with
  };
  Derived d;
  prf("tidemark aead v1 key", d.key);
  prf("tidemark aead v1 check", d.check);
  return d;
}

std::array<uint8_t, kNonceBytes> Nonce(uint64_t index, bool final) {
  std::array<uint8_t, kNonceBytes> n{};
  for (int i = 0; i < 8; ++i) n[i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  n[11] = final ? 1 : 0;
  return n;
}

uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

Status CheckChunkSize(uint32_t chunk_size) {
  if (chunk_size < kAeadMinChunk || chunk_size > kAeadMaxChunk)
    return MakeError(ErrorCode::kInvalidArgument,
                     "encryption chunk size " + std::to_string(chunk_size) + " is outside " +
                         std::to_string(kAeadMinChunk) + ".." + std::to_string(kAeadMaxChunk));
  return {};
}

EVP_CIPHER_CTX* NewGcm(const std::array<uint8_t, 32>& key, bool encrypt) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (!c || EVP_CipherInit_ex(c, EVP_aes_256_gcm(), nullptr, key.data(), nullptr,
                              encrypt ? 1 : 0) != 1)
    std::abort();  // out of memory or an OpenSSL without AES-GCM
  return c;
}

}  // namespace

struct AeadEncryptSink::Ctx {
  EVP_CIPHER_CTX* cipher = nullptr;
  ~Ctx() { EVP_CIPHER_CTX_free(cipher); }
};
struct AeadDecryptSource::Ctx {
  EVP_CIPHER_CTX* cipher = nullptr;
  ~Ctx() { EVP_CIPHER_CTX_free(cipher); }
};

Status ValidateKeyId(std::string_view id) {
  if (id.empty() || id.size() > kAeadMaxKeyIdBytes)
    return MakeError(ErrorCode::kInvalidArgument,
                     "encryption key id must be 1 to " + std::to_string(kAeadMaxKeyIdBytes) +
                         " characters, got " + std::to_string(id.size()));
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return MakeError(ErrorCode::kInvalidArgument,
                       "encryption key id '" + std::string(id) +
                           "' may hold only letters, digits, '.', '_' and '-'");
  return {};
}

uint64_t EncryptedSize(uint64_t plain_bytes, size_t key_id_bytes, uint32_t chunk_size) {
  // The last chunk is never empty unless the object is: a full buffer waits for more bytes.
  uint64_t chunks = plain_bytes == 0 ? 1 : (plain_bytes + chunk_size - 1) / chunk_size;
  return HeaderSize(key_id_bytes) + plain_bytes + chunks * kAeadTagBytes;
}

AeadEncryptSink::AeadEncryptSink(ByteSink& out, uint32_t chunk_size)
    : out_(out), ctx_(std::make_unique<Ctx>()), buf_(chunk_size + kAeadTagBytes) {}
AeadEncryptSink::~AeadEncryptSink() = default;

Result<std::unique_ptr<AeadEncryptSink>> AeadEncryptSink::Create(
    const AeadKey& key, std::span<const uint8_t, kAeadSaltBytes> salt, ByteSink& out,
    uint32_t chunk_size) {
  if (auto s = ValidateKeyId(key.id); !s) return std::unexpected(s.error());
  if (auto s = CheckChunkSize(chunk_size); !s) return std::unexpected(s.error());
  std::unique_ptr<AeadEncryptSink> sink(new AeadEncryptSink(out, chunk_size));
  Derived d = Derive(key, salt);
  sink->ctx_->cipher = NewGcm(d.key, true);
  auto& h = sink->header_;
  h.assign(kMagic, kMagic + sizeof(kMagic));
  h.push_back(kVersion);
  h.push_back(kAlgorithmAes256GcmHmacSha256);
  h.push_back(static_cast<uint8_t>(key.id.size()));
  h.insert(h.end(), key.id.begin(), key.id.end());
  for (int shift = 24; shift >= 0; shift -= 8) h.push_back(static_cast<uint8_t>(chunk_size >> shift));
  h.insert(h.end(), salt.begin(), salt.end());
  h.insert(h.end(), d.check.begin(), d.check.begin() + kCheckBytes);
  if (auto s = out.Update(h); !s) return std::unexpected(s.error());
  sink->bytes_out_ = h.size();
  return sink;
}

Status AeadEncryptSink::Update(std::span<const uint8_t> chunk) {
  if (finished_) return MakeError(ErrorCode::kInvalidArgument, "encrypt: update after finish");
  const size_t chunk_size = buf_.size() - kAeadTagBytes;
  while (!chunk.empty()) {
    // A full chunk is sealed only once more bytes arrive: the last chunk must carry the final
    // flag, and only Finish knows which one is last.
    if (filled_ == chunk_size)
      if (auto s = SealChunk(false); !s) return s;
    size_t n = std::min(chunk.size(), chunk_size - filled_);
    std::memcpy(buf_.data() + filled_, chunk.data(), n);
    filled_ += n;
    chunk = chunk.subspan(n);
  }
  return {};
}

Status AeadEncryptSink::Finish() {
  if (finished_) return MakeError(ErrorCode::kInvalidArgument, "encrypt: finished twice");
  finished_ = true;
  return SealChunk(true);
}

Status AeadEncryptSink::SealChunk(bool final) {
  EVP_CIPHER_CTX* c = ctx_->cipher;
  auto nonce = Nonce(index_, final);
  int len = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      EVP_EncryptUpdate(c, nullptr, &len, header_.data(), static_cast<int>(header_.size())) != 1 ||
      EVP_EncryptUpdate(c, buf_.data(), &len, buf_.data(), static_cast<int>(filled_)) != 1 ||
      EVP_EncryptFinal_ex(c, buf_.data() + filled_, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kAeadTagBytes, buf_.data() + filled_) != 1)
    return MakeError(ErrorCode::kIo, "encrypt: AES-256-GCM failed at chunk " + std::to_string(index_));
  size_t n = filled_ + kAeadTagBytes;
  if (auto s = out_.Update(std::span<const uint8_t>(buf_.data(), n)); !s) return s;
  bytes_out_ += n;
  ++index_;
  filled_ = 0;
  return {};
}

AeadDecryptSource::AeadDecryptSource(ByteSource& in, std::span<const AeadKey> keys,
                                     std::string where)
    : in_(in), keys_(keys.begin(), keys.end()), where_(std::move(where)),
      ctx_(std::make_unique<Ctx>()) {}
AeadDecryptSource::~AeadDecryptSource() = default;

namespace {
// Reads until `out` is full or the input ends; returns the bytes read.
Result<size_t> ReadFull(ByteSource& in, std::span<uint8_t> out) {
  size_t got = 0;
  while (got < out.size()) {
    auto n = in.Read(out.subspan(got));
    if (!n) return n;
    if (*n == 0) break;
    got += *n;
  }
  return got;
}
}  // namespace

Status AeadDecryptSource::ReadHeader() {
  auto fail = [&](ErrorCode code, std::string msg, int64_t offset) {
    return MakeError(code, std::move(msg), offset, where_);
  };
  auto read = [&](size_t n) -> Status {
    size_t at = header_.size();
    header_.resize(at + n);
    auto got = ReadFull(in_, std::span<uint8_t>(header_).subspan(at));
    if (!got) return std::unexpected(got.error());
    if (*got < n)
      return fail(ErrorCode::kTruncated,
                  "the object ends inside its encryption header (expected " +
                      std::to_string(header_.size()) + " bytes, got " + std::to_string(at + *got) +
                      ")",
                  static_cast<int64_t>(at + *got));
    return {};
  };
  if (auto s = read(kFixedPrefix); !s) return s;
  if (std::memcmp(header_.data(), kMagic, sizeof(kMagic)) != 0)
    return fail(ErrorCode::kUnsupported,
                "not an encrypted Tidemark object: expected the magic \"TDMKAEAD\"", 0);
  if (header_[8] != kVersion)
    return fail(ErrorCode::kUnsupported,
                "encryption format version " + std::to_string(header_[8]) +
                    " is not supported (this build reads version 1)",
                8);
  if (header_[9] != kAlgorithmAes256GcmHmacSha256)
    return fail(ErrorCode::kUnsupported,
                "encryption algorithm " + std::to_string(header_[9]) +
                    " is not supported (expected 1, AES-256-GCM)",
                9);
  size_t id_bytes = header_[10];
  if (id_bytes == 0 || id_bytes > kAeadMaxKeyIdBytes)
    return fail(ErrorCode::kCorrupt, "key id length " + std::to_string(id_bytes) + " is outside 1..64", 10);
  if (auto s = read(HeaderSize(id_bytes) - kFixedPrefix); !s) return s;
  key_id_.assign(reinterpret_cast<const char*>(header_.data()) + kFixedPrefix, id_bytes);
  const uint8_t* p = header_.data() + kFixedPrefix + id_bytes;
  chunk_size_ = LoadU32(p);
  if (auto s = CheckChunkSize(chunk_size_); !s)
    return fail(ErrorCode::kCorrupt, s.error().message,
                static_cast<int64_t>(kFixedPrefix + id_bytes));
  auto key = std::find_if(keys_.begin(), keys_.end(), [&](const AeadKey& k) { return k.id == key_id_; });
  if (key == keys_.end()) {
    std::string have;
    for (const auto& k : keys_) have += (have.empty() ? "" : ", ") + k.id;
    return fail(ErrorCode::kUnsupported,
                "encrypted with key id '" + key_id_ + "', but " +
                    (have.empty() ? std::string("no encryption key is configured")
                                  : "the configured key ids are: " + have) +
                    "; give the sidecar that key to restore this backup",
                kFixedPrefix);
  }
  std::span<const uint8_t> salt(p + 4, kAeadSaltBytes);
  Derived d = Derive(*key, salt);
  if (CRYPTO_memcmp(d.check.data(), p + 4 + kAeadSaltBytes, kCheckBytes) != 0)
    return fail(ErrorCode::kInvalidArgument,
                "the key with id '" + key_id_ +
                    "' is not the key this object was encrypted with (key check mismatch)",
                static_cast<int64_t>(header_.size() - kCheckBytes));
  ctx_->cipher = NewGcm(d.key, false);
  buf_.resize(chunk_size_ + kAeadTagBytes + 1);
  plain_.resize(chunk_size_);
  offset_ = header_.size();
  header_done_ = true;
  return {};
}

// Authenticates buf_[0, cipher_bytes + tag) as chunk index_ with the given final flag; the
// plaintext goes to plain_.
bool AeadDecryptSource::Open(size_t cipher_bytes, bool final) {
  EVP_CIPHER_CTX* c = ctx_->cipher;
  auto nonce = Nonce(index_, final);
  int len = 0;
  return EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
         EVP_DecryptUpdate(c, nullptr, &len, header_.data(), static_cast<int>(header_.size())) == 1 &&
         EVP_DecryptUpdate(c, plain_.data(), &len, buf_.data(), static_cast<int>(cipher_bytes)) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, buf_.data() + cipher_bytes) == 1 &&
         EVP_DecryptFinal_ex(c, plain_.data() + cipher_bytes, &len) == 1;
}

Status AeadDecryptSource::NextChunk() {
  const size_t full = chunk_size_ + kAeadTagBytes;
  if (!in_eof_) {
    auto got = ReadFull(in_, std::span<uint8_t>(buf_).subspan(have_));
    if (!got) return std::unexpected(got.error());
    have_ += *got;
    in_eof_ = have_ < buf_.size();
  }
  const std::string chunk = "chunk " + std::to_string(index_);
  auto fail = [&](ErrorCode code, std::string msg) {
    return MakeError(code, std::move(msg), static_cast<int64_t>(offset_), where_);
  };
  if (!in_eof_) {
    // A byte follows this chunk, so it must not be the last.
    if (!Open(chunk_size_, false)) {
      if (Open(chunk_size_, true))
        return fail(ErrorCode::kCorrupt,
                    chunk + " is sealed as the last chunk, but bytes follow it");
      return fail(ErrorCode::kCorrupt,
                  chunk + " fails authentication: the data was altered, reordered or duplicated");
    }
    plain_end_ = chunk_size_;
    buf_[0] = buf_[full];  // the look-ahead byte starts the next chunk
    have_ = 1;
    offset_ += full;
  } else {
    if (have_ < kAeadTagBytes)
      return fail(ErrorCode::kTruncated,
                  "the object ends inside " + chunk + " (" + std::to_string(have_) +
                      " bytes, at least 16 expected)");
    size_t cipher = have_ - kAeadTagBytes;
    if (!Open(cipher, true)) {
      if (cipher == chunk_size_ && Open(cipher, false))
        return fail(ErrorCode::kTruncated,
                    "the object ends after " + chunk +
                        ", which was not sealed as the last chunk: it was truncated");
      return fail(ErrorCode::kCorrupt,
                  chunk + " fails authentication as the last chunk (" + std::to_string(have_) +
                      " bytes): the object was truncated, altered or reordered");
    }
    plain_end_ = cipher;
    have_ = 0;
    offset_ += cipher + kAeadTagBytes;
    done_ = true;
  }
  plain_pos_ = 0;
  ++index_;
  return {};
}

Result<size_t> AeadDecryptSource::Read(std::span<uint8_t> out) {
  if (!header_done_)
    if (auto s = ReadHeader(); !s) return std::unexpected(s.error());
  while (plain_pos_ == plain_end_) {
    if (done_ || out.empty()) return 0;
    if (auto s = NextChunk(); !s) return std::unexpected(s.error());
  }
  size_t n = std::min(out.size(), plain_end_ - plain_pos_);
  std::memcpy(out.data(), plain_.data() + plain_pos_, n);
  plain_pos_ += n;
  return n;
}

}  // namespace tidemark::crypto
