// Client-side encryption of a backup as a stream of framed AES-256-GCM chunks.
//
// An object is a header followed by chunks (all integers big-endian; docs/formats.md):
//
//   header  "TDMKAEAD" | version u8 = 1 | algorithm u8 = 1 | key id length u8 | key id
//           | chunk size u32 | salt (32 random bytes) | key check (16 bytes)
//   chunk   ciphertext (chunk size bytes; the last chunk 0..chunk size) | GCM tag (16 bytes)
//
// Every object gets its own AES key, HMAC-SHA256(master key, "tidemark aead v1 key" | salt), so
// nonces never repeat across objects encrypted with the same master key. The nonce of chunk i is
// i (u64) followed by a final flag (u32, 1 only on the last chunk), and the whole header is the
// additional data of every chunk. Hence a chunk that is flipped, moved, duplicated or taken from
// another object fails its tag; a stream cut at a chunk boundary ends on a chunk that was not
// sealed as the last; and a changed header (key id, chunk size, salt) fails every chunk. The key
// check, HMAC(master key, "tidemark aead v1 check" | salt), tells a wrong key apart from tampered
// data before anything is decrypted.
//
// Memory: one chunk buffer per stream, whatever the object's size. Pure: the caller supplies the
// salt (random, from the OS) and the key bytes. Neither class is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"

namespace tidemark::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadSaltBytes = 32;
inline constexpr size_t kAeadTagBytes = 16;
inline constexpr size_t kAeadMaxKeyIdBytes = 64;
inline constexpr uint32_t kAeadDefaultChunk = 256 * 1024;
// Limits a decryptor accepts from a header, so a forged one cannot ask for a huge buffer.
inline constexpr uint32_t kAeadMinChunk = 64;
inline constexpr uint32_t kAeadMaxChunk = 4 * 1024 * 1024;

// A master key and the id it is known by (written into every object it encrypts, and into the
// backup's metadata, so keys can rotate: old objects name the key they need).
struct AeadKey {
  std::string id;
  std::array<uint8_t, kAeadKeyBytes> bytes{};
};

// Key ids: 1..64 characters of [A-Za-z0-9._-].
Status ValidateKeyId(std::string_view id);

// The number of bytes an object of `plain_bytes` takes once encrypted.
uint64_t EncryptedSize(uint64_t plain_bytes, size_t key_id_bytes, uint32_t chunk_size);

// Encrypts everything handed to Update into `out`, a chunk at a time. Finish seals the last
// chunk; an object without Finish is incomplete and a decryptor refuses it.
class AeadEncryptSink final : public ByteSink {
 public:
  // `salt` must be fresh random bytes for every object. Writes the header to `out` at once.
  // Errors: kInvalidArgument for a bad key id or chunk size; out's own errors.
  static Result<std::unique_ptr<AeadEncryptSink>> Create(
      const AeadKey& key, std::span<const uint8_t, kAeadSaltBytes> salt, ByteSink& out,
      uint32_t chunk_size = kAeadDefaultChunk);
  ~AeadEncryptSink() override;

  Status Update(std::span<const uint8_t> chunk) override;
  // Seals the buffered bytes as the final chunk. Call once; Update afterwards is an error.
  Status Finish();
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  struct Ctx;
  AeadEncryptSink(ByteSink& out, uint32_t chunk_size);
  Status SealChunk(bool final);

  ByteSink& out_;
  std::unique_ptr<Ctx> ctx_;
  std::vector<uint8_t> header_;
  std::vector<uint8_t> buf_;  // plaintext of the chunk being filled, then its ciphertext + tag
  size_t filled_ = 0;
  uint64_t index_ = 0;
  uint64_t bytes_out_ = 0;
  bool finished_ = false;
};

// Decrypts an object read from `in`. Bytes come out only after their chunk's tag checked, and
// the end of the stream is reported only after the final chunk checked: a reader never sees
// plaintext that was not authenticated, nor mistakes a truncated object for a complete one.
// Errors (where = `where`, offset = the ciphertext offset of the header field or chunk):
//   kUnsupported      not this format / version / algorithm; no key with the header's key id
//   kInvalidArgument  the key with that id is not the one the object was encrypted with
//   kTruncated        the stream ends inside the header or a chunk, or after a chunk that was
//                     not the last
//   kCorrupt          a chunk fails authentication (flipped, reordered, duplicated bytes), or
//                     bytes follow the final chunk
class AeadDecryptSource final : public ByteSource {
 public:
  // `in` must outlive this object; `keys` is copied.
  AeadDecryptSource(ByteSource& in, std::span<const AeadKey> keys, std::string where);
  ~AeadDecryptSource() override;

  Result<size_t> Read(std::span<uint8_t> out) override;
  // The header's key id, once the first Read has parsed it (empty before).
  const std::string& key_id() const { return key_id_; }

 private:
  struct Ctx;
  Status ReadHeader();
  Status NextChunk();
  bool Open(size_t cipher_bytes, bool final);

  ByteSource& in_;
  std::vector<AeadKey> keys_;
  std::string where_;
  std::unique_ptr<Ctx> ctx_;
  std::vector<uint8_t> header_;
  std::string key_id_;
  uint32_t chunk_size_ = 0;
  std::vector<uint8_t> buf_;    // ciphertext + tag + one byte of look-ahead
  std::vector<uint8_t> plain_;  // the last authenticated chunk's plaintext
  size_t have_ = 0;             // bytes of buf_ filled
  size_t plain_pos_ = 0, plain_end_ = 0;
  uint64_t index_ = 0;
  uint64_t offset_ = 0;  // ciphertext offset of buf_[0]
  bool header_done_ = false;
  bool done_ = false;
  bool in_eof_ = false;
};

}  // namespace tidemark::crypto
