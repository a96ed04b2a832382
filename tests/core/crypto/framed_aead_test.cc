#include "core/crypto/framed_aead.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace tidemark::crypto {
namespace {

constexpr uint32_t kChunk = 64;  // the smallest chunk: many chunks from few bytes
constexpr size_t kChunkOnWire = kChunk + kAeadTagBytes;

AeadKey Key(std::string id, uint8_t seed) {
  AeadKey k{std::move(id), {}};
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(seed + i * 7);
  return k;
}

std::array<uint8_t, kAeadSaltBytes> Salt(uint8_t seed) {
  std::array<uint8_t, kAeadSaltBytes> s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(seed * 31 + i);
  return s;
}

std::vector<uint8_t> Plain(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + i / 251);
  return v;
}

struct VectorSink final : ByteSink {
  std::vector<uint8_t> bytes;
  Status Update(std::span<const uint8_t> chunk) override {
    bytes.insert(bytes.end(), chunk.begin(), chunk.end());
    return {};
  }
};

// A source that hands out at most `step` bytes per Read, so the decryptor meets every boundary.
class StepSource final : public ByteSource {
 public:
  StepSource(const std::vector<uint8_t>& data, size_t step) : data_(data), step_(step) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = std::min({out.size(), step_, data_.size() - pos_});
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }

 private:
  const std::vector<uint8_t>& data_;
  size_t step_;
  size_t pos_ = 0;
};

// Encrypts `plain`, handing it to the sink in pieces of `step` bytes.
std::vector<uint8_t> Encrypt(const std::vector<uint8_t>& plain, const AeadKey& key,
                             uint8_t salt_seed = 1, size_t step = 17) {
  VectorSink out;
  auto salt = Salt(salt_seed);
  auto enc = AeadEncryptSink::Create(key, salt, out, kChunk);
  EXPECT_TRUE(enc) << enc.error().ToString();
  for (size_t pos = 0; pos < plain.size(); pos += step) {
    size_t n = std::min(step, plain.size() - pos);
    EXPECT_TRUE((*enc)->Update(std::span<const uint8_t>(plain).subspan(pos, n)));
  }
  EXPECT_TRUE((*enc)->Finish());
  EXPECT_EQ((*enc)->bytes_out(), out.bytes.size());
  return out.bytes;
}

Result<std::vector<uint8_t>> Decrypt(const std::vector<uint8_t>& cipher,
                                     std::vector<AeadKey> keys, size_t step = 1000) {
  StepSource in(cipher, step);
  AeadDecryptSource dec(in, keys, "backup.rdb.enc");
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(23);
  for (;;) {
    auto n = dec.Read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

size_t HeaderBytes(const AeadKey& key) { return EncryptedSize(0, key.id.size(), kChunk) - kAeadTagBytes; }

// Expects `cipher` refused with `code` and a message that contains `text`.
void ExpectRefused(const std::vector<uint8_t>& cipher, std::vector<AeadKey> keys, ErrorCode code,
                   std::string_view text) {
  auto r = Decrypt(cipher, std::move(keys));
  ASSERT_FALSE(r) << "decrypted " << r->size() << " bytes";
  EXPECT_EQ(r.error().code, code) << r.error().ToString();
  EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().ToString();
  EXPECT_EQ(r.error().where, "backup.rdb.enc");
}

TEST(FramedAead, RoundTripsEverySizeAroundChunkBoundaries) {
  AeadKey key = Key("k1", 3);
  for (size_t size : {size_t{0}, size_t{1}, size_t{kChunk - 1}, size_t{kChunk}, size_t{kChunk + 1},
                      size_t{2 * kChunk}, size_t{37 * kChunk + 5}}) {
    auto plain = Plain(size);
    for (size_t step : {size_t{1}, size_t{64}, size_t{1000}}) {
      auto cipher = Encrypt(plain, key, 1, step);
      EXPECT_EQ(cipher.size(), EncryptedSize(size, key.id.size(), kChunk)) << size;
      for (size_t read_step : {size_t{1}, size_t{79}, size_t{100000}}) {
        auto back = Decrypt(cipher, {key}, read_step);
        ASSERT_TRUE(back) << size << ": " << back.error().ToString();
        EXPECT_EQ(*back, plain) << "size " << size << " step " << step;
      }
    }
  }
}

TEST(FramedAead, CiphertextHidesThePlaintextAndDiffersPerSalt) {
  AeadKey key = Key("k1", 3);
  auto plain = std::vector<uint8_t>(4 * kChunk, 'a');
  auto a = Encrypt(plain, key, 1), b = Encrypt(plain, key, 2);
  EXPECT_NE(a, b);
  size_t h = HeaderBytes(key);
  // Equal plaintext chunks must not give equal ciphertext chunks.
  EXPECT_FALSE(std::equal(a.begin() + h, a.begin() + h + kChunk, a.begin() + h + kChunkOnWire));
  EXPECT_EQ(std::search(a.begin(), a.end(), plain.begin(), plain.begin() + 16), a.end());
}

TEST(FramedAead, AFlippedBitAnywhereIsRefused) {
  AeadKey key = Key("k1", 3);
  auto cipher = Encrypt(Plain(3 * kChunk + 10), key);
  size_t h = HeaderBytes(key);
  // In a middle chunk's ciphertext, its tag, the last chunk, and the header's salt.
  for (size_t pos : {h + kChunkOnWire + 5, h + 2 * kChunkOnWire - 1, cipher.size() - 3}) {
    auto bad = cipher;
    bad[pos] ^= 0x10;
    ExpectRefused(bad, {key}, ErrorCode::kCorrupt, "fails authentication");
  }
  auto bad_header = cipher;
  bad_header[h - 20] ^= 1;  // the salt: derives another key, whose check differs
  ExpectRefused(bad_header, {key}, ErrorCode::kInvalidArgument, "key check mismatch");
}

TEST(FramedAead, TruncationAtAChunkBoundaryIsRefusedAsTruncated) {
  AeadKey key = Key("k1", 3);
  auto cipher = Encrypt(Plain(3 * kChunk + 10), key);
  size_t h = HeaderBytes(key);
  for (size_t chunks : {size_t{1}, size_t{3}}) {
    std::vector<uint8_t> cut(cipher.begin(), cipher.begin() + h + chunks * kChunkOnWire);
    ExpectRefused(cut, {key}, ErrorCode::kTruncated, "not sealed as the last chunk");
  }
  std::vector<uint8_t> no_chunks(cipher.begin(), cipher.begin() + h);
  ExpectRefused(no_chunks, {key}, ErrorCode::kTruncated, "ends inside chunk 0");
}

TEST(FramedAead, TruncationInsideAChunkOrTheHeaderIsRefused) {
  AeadKey key = Key("k1", 3);
  auto cipher = Encrypt(Plain(3 * kChunk + 10), key);
  size_t h = HeaderBytes(key);
  std::vector<uint8_t> mid(cipher.begin(), cipher.begin() + h + kChunkOnWire + 30);
  ExpectRefused(mid, {key}, ErrorCode::kCorrupt, "chunk 1 fails authentication as the last");
  std::vector<uint8_t> last(cipher.begin(), cipher.end() - 1);
  ExpectRefused(last, {key}, ErrorCode::kCorrupt, "fails authentication as the last");
  std::vector<uint8_t> header(cipher.begin(), cipher.begin() + h - 1);
  ExpectRefused(header, {key}, ErrorCode::kTruncated, "inside its encryption header");
}

TEST(FramedAead, ReorderedDuplicatedOrAppendedChunksAreRefused) {
  AeadKey key = Key("k1", 3);
  auto cipher = Encrypt(Plain(4 * kChunk + 10), key);
  size_t h = HeaderBytes(key);
  auto at = [&](std::vector<uint8_t>& v, size_t i) {
    return v.begin() + static_cast<std::ptrdiff_t>(h + i * kChunkOnWire);
  };
  auto swapped = cipher;
  std::swap_ranges(at(swapped, 1), at(swapped, 2), at(swapped, 2));
  ExpectRefused(swapped, {key}, ErrorCode::kCorrupt, "chunk 1 fails authentication");

  auto duplicated = cipher;
  duplicated.insert(at(duplicated, 2), at(cipher, 1), at(cipher, 2));
  ExpectRefused(duplicated, {key}, ErrorCode::kCorrupt, "chunk 2 fails authentication");

  auto dropped = cipher;
  dropped.erase(at(dropped, 1), at(dropped, 2));
  ExpectRefused(dropped, {key}, ErrorCode::kCorrupt, "chunk 1 fails authentication");

  // Bytes appended after the final chunk: named as such when that chunk is full, otherwise
  // they merge with it and it fails as the last chunk.
  auto other = Encrypt(Plain(10), key, 1);
  auto full = Encrypt(Plain(4 * kChunk), key);
  full.insert(full.end(), other.begin() + static_cast<std::ptrdiff_t>(h), other.end());
  ExpectRefused(full, {key}, ErrorCode::kCorrupt, "sealed as the last chunk, but bytes follow");
  auto appended = cipher;
  appended.insert(appended.end(), other.begin() + static_cast<std::ptrdiff_t>(h), other.end());
  ExpectRefused(appended, {key}, ErrorCode::kCorrupt, "chunk 4 fails authentication as the last");

  // A chunk moved in from another object encrypted with the same key fails too (another salt).
  auto spliced = cipher;
  auto donor = Encrypt(Plain(4 * kChunk + 10), key, 9);
  std::copy(at(donor, 1), at(donor, 2), at(spliced, 1));
  ExpectRefused(spliced, {key}, ErrorCode::kCorrupt, "chunk 1 fails authentication");
}

TEST(FramedAead, WrongKeyOrUnknownKeyIdIsRefusedBeforeDecrypting) {
  AeadKey key = Key("k1", 3);
  auto cipher = Encrypt(Plain(100), key);
  ExpectRefused(cipher, {Key("k1", 4)}, ErrorCode::kInvalidArgument,
                "the key with id 'k1' is not the key this object was encrypted with");
  ExpectRefused(cipher, {Key("k2", 3)}, ErrorCode::kUnsupported,
                "encrypted with key id 'k1', but the configured key ids are: k2");
  ExpectRefused(cipher, {}, ErrorCode::kUnsupported, "no encryption key is configured");
  // Rotation: the old key among several still opens the old object.
  auto back = Decrypt(cipher, {Key("k2", 5), key});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, Plain(100));
}

TEST(FramedAead, PlainOrForeignBytesAreNotMistakenForCiphertext) {
  AeadKey key = Key("k1", 3);
  auto rdb = std::vector<uint8_t>{'R', 'E', 'D', 'I', 'S', '0', '0', '1', '0', 0xfa, 0xff};
  ExpectRefused(rdb, {key}, ErrorCode::kUnsupported, "not an encrypted Tidemark object");
  auto cipher = Encrypt(Plain(10), key);
  cipher[8] = 2;
  ExpectRefused(cipher, {key}, ErrorCode::kUnsupported, "format version 2");
}

TEST(FramedAead, CreateRefusesBadKeyIdsAndChunkSizes) {
  VectorSink out;
  auto salt = Salt(1);
  EXPECT_FALSE(AeadEncryptSink::Create(Key("", 1), salt, out));
  EXPECT_FALSE(AeadEncryptSink::Create(Key("a/b", 1), salt, out));
  EXPECT_FALSE(AeadEncryptSink::Create(Key(std::string(65, 'a'), 1), salt, out));
  EXPECT_FALSE(AeadEncryptSink::Create(Key("k", 1), salt, out, 8));
  EXPECT_TRUE(out.bytes.empty());
  EXPECT_TRUE(ValidateKeyId("prod-2026.11_a"));
}

TEST(FramedAead, AnUnfinishedObjectIsRefused) {
  AeadKey key = Key("k1", 3);
  VectorSink out;
  auto salt = Salt(1);
  auto enc = AeadEncryptSink::Create(key, salt, out, kChunk);
  ASSERT_TRUE(enc);
  auto plain = Plain(3 * kChunk);
  ASSERT_TRUE((*enc)->Update(plain));
  // No Finish: two sealed chunks went out, the third is still buffered.
  ExpectRefused(out.bytes, {key}, ErrorCode::kTruncated, "not sealed as the last chunk");
}

}  // namespace
}  // namespace tidemark::crypto
