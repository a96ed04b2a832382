// SHA-1 of many independent messages at once: the dataset digest (dataset_digest.h) is tens of
// millions of SHA-1s of short strings, each too short for the one-message block function to be
// fast. Here up to 16 messages go through the compression function side by side, one message per
// 32-bit SIMD lane (AVX-512: 16 lanes, AVX2: 8), which on a CPU without SHA instructions costs
// a fraction of hashing them one by one.
//
// Messages of up to kMaxLaneBytes are hashed in lanes, grouped by their padded block count so
// lanes of a group finish together; longer ones, and batches too small to fill lanes, go through
// OpenSSL's one-message SHA-1 (the scalar level), which gives the same bytes.
//
// Pure functions: no state between calls; the level is the caller's choice (BestSha1Level() for
// the fastest this CPU runs; tests pass each supported level to check them all).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tidemark {

using Sha1Digest = std::array<uint8_t, 20>;

enum class Sha1Level : uint8_t {
  kScalar,  // OpenSSL, one message at a time; every CPU
  kAvx2,    // 8 lanes of 256-bit vectors
  kAvx512,  // 16 lanes of 512-bit vectors (AVX-512 F, VL, BW)
};

// Longest message hashed in lanes (8 blocks after padding); longer ones go scalar.
inline constexpr size_t kMaxLaneBytes = 8 * 64 - 9;

bool Sha1LevelSupported(Sha1Level level);  // this CPU runs it
Sha1Level BestSha1Level();                 // the fastest supported level
const char* Sha1LevelName(Sha1Level level);

// out[i] = SHA-1(messages[i]) for every i; out.size() must equal messages.size(). A level the
// CPU does not support is a caller bug (it would die of an illegal instruction): check with
// Sha1LevelSupported first.
void Sha1Many(std::span<const std::span<const uint8_t>> messages, std::span<Sha1Digest> out, Sha1Level level);

// One message, scalar: for messages known to be long, or alone.
void Sha1One(std::span<const uint8_t> message, uint8_t out[20]);

// One message given in pieces (a value too large to hold whole), scalar: the same bytes as
// Sha1One of the pieces joined.
class Sha1Stream {
 public:
  Sha1Stream() { Reset(); }
  void Reset();
  void Update(std::span<const uint8_t> piece);
  Sha1Digest Final();  // then Reset before reuse

 private:
  alignas(8) unsigned char ctx_[96];  // OpenSSL's SHA_CTX, kept out of this header
};

}  // namespace tidemark
