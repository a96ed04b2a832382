#include "core/digest/sha1_multi.h"

// SHA1_Init/Update are deprecated in OpenSSL 3 in favour of EVP, whose per-call setup costs more
// than hashing the short strings the digest is made of.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), which -Wmaybe-uninitialized
// reports as uninitialised once inlined (a header false positive, fixed in later GCCs).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstring>

namespace tidemark {

namespace {

using Message = std::span<const uint8_t>;

constexpr uint32_t kInit[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
constexpr size_t kMaxLaneBlocks = (kMaxLaneBytes + 9 + 63) / 64;

size_t PaddedBlocks(size_t n) { return (n + 8) / 64 + 1; }

void StoreBe32(uint32_t v, uint8_t* p) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

// The message's last one or two blocks: its bytes after the whole blocks, 0x80, zeros, and the
// length in bits, big-endian.
[[gnu::always_inline]] inline void PadTail(Message m, uint8_t tail[128]) {
  const size_t whole = m.size() & ~size_t{63};
  const size_t rest = m.size() - whole;
  const size_t bytes = (rest < 56 ? 1 : 2) * 64;
  // Constant sizes: a few vector stores, not a call.
  std::memset(tail, 0, 64);
  if (bytes > 64) std::memset(tail + 64, 0, 64);
  if (rest) std::memcpy(tail, m.data() + whole, rest);
  tail[rest] = 0x80;
  const uint64_t bits = __builtin_bswap64(uint64_t{m.size()} * 8);
  std::memcpy(tail + bytes - 8, &bits, 8);
}

// GCC vector extensions: the same lane code compiles to AVX2 or AVX-512 instructions depending on
// the target attribute of the function it is inlined into (always_inline below), so each level is
// one instantiation rather than a hand-written copy.
typedef uint32_t U32x8 __attribute__((vector_size(32)));
typedef uint32_t U32x16 __attribute__((vector_size(64)));

// A macro, not a function: a function taking or returning a vector type from this default-target
// file would change the calling convention (-Wpsabi).
#define TIDEMARK_ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

// One 64-byte block of each lane's message into each lane's state; w[t][lane] holds word t
// of that lane's block (already big-endian decoded).
template <typename V>
[[gnu::always_inline]] inline void Compress(V (&s)[5], V (&w)[16]) {
  V a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];
#define TIDEMARK_SHA1_ROUND(t, f, k)                                                     \
  do {                                                                                   \
    if ((t) >= 16)                                                                       \
      w[(t) & 15] = TIDEMARK_ROL(w[((t) - 3) & 15] ^ w[((t) - 8) & 15] ^ w[((t) - 14) & 15] ^ \
                                 w[(t) & 15], 1);                                              \
    const V tmp = TIDEMARK_ROL(a, 5) + (f) + e + (k) + w[(t) & 15];                           \
    e = d;                                                                               \
    d = c;                                                                               \
    c = TIDEMARK_ROL(b, 30);                                                                    \
    b = a;                                                                               \
    a = tmp;                                                                             \
  } while (0)
#pragma GCC unroll 20
  for (int t = 0; t < 20; ++t) TIDEMARK_SHA1_ROUND(t, d ^ (b & (c ^ d)), 0x5A827999u);
#pragma GCC unroll 20
  for (int t = 20; t < 40; ++t) TIDEMARK_SHA1_ROUND(t, b ^ c ^ d, 0x6ED9EBA1u);
#pragma GCC unroll 20
  for (int t = 40; t < 60; ++t) TIDEMARK_SHA1_ROUND(t, (b & c) | (d & (b | c)), 0x8F1BBCDCu);
#pragma GCC unroll 20
  for (int t = 60; t < 80; ++t) TIDEMARK_SHA1_ROUND(t, b ^ c ^ d, 0xCA62C1D6u);
#undef TIDEMARK_SHA1_ROUND
  s[0] += a;
  s[1] += b;
  s[2] += c;
  s[3] += d;
  s[4] += e;
}

// Word t of every lane's block (rows[lane], 64 bytes each) into w[t], big-endian decoded: the
// blocks are loaded whole, byte-swapped and transposed with shuffles (a 16x16 or two 8x8 matrices
// of words); a load and a store per lane and word cost as much as the hashing, and gathers more.
__attribute__((target("avx2"))) inline void LoadWords(U32x8 (&w)[16], const uint8_t* const* rows) {
  const __m256i swap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4,
                                        11, 10, 9, 8, 15, 14, 13, 12);
  for (int half = 0; half < 2; ++half) {
    __m256i r[8], a[8], b[8];
    for (int l = 0; l < 8; ++l)
      r[l] = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[l] + 32 * half)), swap);
    for (int i = 0; i < 4; ++i) {
      a[2 * i] = _mm256_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
      a[2 * i + 1] = _mm256_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i) {
      b[4 * i] = _mm256_unpacklo_epi64(a[4 * i], a[4 * i + 2]);
      b[4 * i + 1] = _mm256_unpackhi_epi64(a[4 * i], a[4 * i + 2]);
      b[4 * i + 2] = _mm256_unpacklo_epi64(a[4 * i + 1], a[4 * i + 3]);
      b[4 * i + 3] = _mm256_unpackhi_epi64(a[4 * i + 1], a[4 * i + 3]);
    }
    for (int j = 0; j < 4; ++j) {
      w[8 * half + j] = reinterpret_cast<U32x8>(_mm256_permute2x128_si256(b[j], b[4 + j], 0x20));
      w[8 * half + 4 + j] = reinterpret_cast<U32x8>(_mm256_permute2x128_si256(b[j], b[4 + j], 0x31));
    }
  }
}

__attribute__((target("avx512f,avx512bw"))) inline void LoadWords(U32x16 (&w)[16], const uint8_t* const* rows) {
  const __m512i swap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
  __m512i r[16], a[16], b[16], c[16];
  for (int l = 0; l < 16; ++l) r[l] = _mm512_shuffle_epi8(_mm512_loadu_si512(rows[l]), swap);
  for (int i = 0; i < 8; ++i) {  // per 128-bit lane k: words 4k..4k+3 of rows 2i, 2i+1 interleaved
    a[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {  // b[4i+j], 128-bit lane k: word 4k+j of rows 4i..4i+3
    b[4 * i] = _mm512_unpacklo_epi64(a[4 * i], a[4 * i + 2]);
    b[4 * i + 1] = _mm512_unpackhi_epi64(a[4 * i], a[4 * i + 2]);
    b[4 * i + 2] = _mm512_unpacklo_epi64(a[4 * i + 1], a[4 * i + 3]);
    b[4 * i + 3] = _mm512_unpackhi_epi64(a[4 * i + 1], a[4 * i + 3]);
  }
  for (int j = 0; j < 4; ++j) {  // row groups 0+1 and 2+3: words j, 8+j (0x88) and 4+j, 12+j (0xdd)
    c[j] = _mm512_shuffle_i32x4(b[j], b[4 + j], 0x88);
    c[4 + j] = _mm512_shuffle_i32x4(b[j], b[4 + j], 0xdd);
    c[8 + j] = _mm512_shuffle_i32x4(b[8 + j], b[12 + j], 0x88);
    c[12 + j] = _mm512_shuffle_i32x4(b[8 + j], b[12 + j], 0xdd);
  }
  for (int j = 0; j < 4; ++j) {
    w[j] = reinterpret_cast<U32x16>(_mm512_shuffle_i32x4(c[j], c[8 + j], 0x88));
    w[8 + j] = reinterpret_cast<U32x16>(_mm512_shuffle_i32x4(c[j], c[8 + j], 0xdd));
    w[4 + j] = reinterpret_cast<U32x16>(_mm512_shuffle_i32x4(c[4 + j], c[12 + j], 0x88));
    w[12 + j] = reinterpret_cast<U32x16>(_mm512_shuffle_i32x4(c[4 + j], c[12 + j], 0xdd));
  }
}

// Up to L messages (count of them; all of at most kMaxLaneBlocks blocks) in the L lanes of V.
// Lanes whose message has fewer blocks than the longest keep their state once done.
template <typename V, int L>
[[gnu::always_inline]] inline void HashLanes(const Message* const* in, Sha1Digest* const* out, int count) {
  alignas(64) uint8_t tails[L][128];
  const uint8_t* data[L];
  uint32_t whole[L];
  alignas(64) uint32_t blocks[L];
  uint32_t most = 0;
  for (int l = 0; l < L; ++l) {
    if (l < count) {
      data[l] = in[l]->data();
      whole[l] = static_cast<uint32_t>(in[l]->size() / 64);
      blocks[l] = static_cast<uint32_t>(PaddedBlocks(in[l]->size()));
      PadTail(*in[l], tails[l]);
      if (blocks[l] > most) most = blocks[l];
    } else {
      data[l] = tails[0];
      whole[l] = 0;
      blocks[l] = 0;
    }
  }
  V s[5];
  for (int i = 0; i < 5; ++i) s[i] = V{} + kInit[i];
  V left;
  std::memcpy(&left, blocks, sizeof left);
  for (uint32_t b = 0; b < most; ++b) {
    const uint8_t* rows[L];
    for (int l = 0; l < L; ++l) {
      // A lane past its last block hashes its first one again; the result is masked off below.
      const uint32_t at = b < blocks[l] ? b : 0;
      rows[l] = at < whole[l] ? data[l] + 64 * at : tails[l] + 64 * (at - whole[l]);
    }
    V w[16];
    LoadWords(w, rows);
    V next[5] = {s[0], s[1], s[2], s[3], s[4]};
    Compress(next, w);
    const V active = (V)(left > b);  // all ones where the lane has block b
    for (int i = 0; i < 5; ++i) s[i] = (next[i] & active) | (s[i] & ~active);
  }
  for (int l = 0; l < count; ++l)
    for (int i = 0; i < 5; ++i) StoreBe32(s[i][l], out[l]->data() + 4 * i);
}

template <typename V, int L>
[[gnu::always_inline]] inline void HashGroups(const Message* const* in, Sha1Digest* const* out, size_t count) {
  for (size_t i = 0; i < count; i += L) {
    const int n = static_cast<int>(count - i < size_t{L} ? count - i : size_t{L});
    HashLanes<V, L>(in + i, out + i, n);
  }
}

__attribute__((target("avx2"))) void HashGroupsAvx2(const Message* const* in, Sha1Digest* const* out, size_t count) {
  HashGroups<U32x8, 8>(in, out, count);
}

__attribute__((target("avx512f,avx512vl,avx512bw"))) void HashGroupsAvx512(const Message* const* in,
                                                                            Sha1Digest* const* out, size_t count) {
  HashGroups<U32x16, 16>(in, out, count);
}

// A group with fewer messages than this costs more in lanes than one by one: a group costs about
// as much as 3 scalar one-block SHA-1s at either level (measured: docs/digest.md).
constexpr size_t kMinLanes = 4;

size_t LaneCount(Sha1Level level) {
  return level == Sha1Level::kAvx512 ? 16 : level == Sha1Level::kAvx2 ? 8 : 1;
}

// Messages of one padded length, hashed in full groups of lanes; a remainder too small to be worth
// a vector pass goes scalar.
void HashSameLength(const Message* const* in, Sha1Digest* const* out, size_t count, Sha1Level level) {
  const size_t lanes = LaneCount(level);
  size_t vector = count - count % lanes;
  if (count % lanes >= kMinLanes) vector = count;
  if (level == Sha1Level::kAvx512) HashGroupsAvx512(in, out, vector);
  if (level == Sha1Level::kAvx2) HashGroupsAvx2(in, out, vector);
  for (size_t i = vector; i < count; ++i) Sha1One(*in[i], out[i]->data());
}

}  // namespace

bool Sha1LevelSupported(Sha1Level level) {
  switch (level) {
    case Sha1Level::kScalar: return true;
    case Sha1Level::kAvx2: return __builtin_cpu_supports("avx2");
    case Sha1Level::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw");
  }
  return false;
}

Sha1Level BestSha1Level() {
  if (Sha1LevelSupported(Sha1Level::kAvx512)) return Sha1Level::kAvx512;
  if (Sha1LevelSupported(Sha1Level::kAvx2)) return Sha1Level::kAvx2;
  return Sha1Level::kScalar;
}

const char* Sha1LevelName(Sha1Level level) {
  switch (level) {
    case Sha1Level::kScalar: return "scalar";
    case Sha1Level::kAvx2: return "avx2";
    case Sha1Level::kAvx512: return "avx512";
  }
  return "?";
}

// SHA-1 with the padding done here: whole blocks go straight to the block function and the state
// is read off, skipping SHA1_Final's bookkeeping and cleansing, which cost more than the hashing
// itself for short strings.
void Sha1One(std::span<const uint8_t> m, uint8_t out[20]) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  const size_t whole = m.size() & ~size_t{63};
  if (whole) SHA1_Update(&ctx, m.data(), whole);
  uint8_t tail[128];
  PadTail(m, tail);
  SHA1_Update(&ctx, tail, (PaddedBlocks(m.size()) - whole / 64) * 64);  // block-aligned: nothing buffered
  const SHA_LONG h[5] = {ctx.h0, ctx.h1, ctx.h2, ctx.h3, ctx.h4};
  for (int i = 0; i < 5; ++i) StoreBe32(h[i], out + 4 * i);
}

void Sha1Many(std::span<const Message> messages, std::span<Sha1Digest> out, Sha1Level level) {
  const size_t count = messages.size();
  if (level == Sha1Level::kScalar || count < kMinLanes) {
    for (size_t i = 0; i < count; ++i) Sha1One(messages[i], out[i].data());
    return;
  }
  // Bucket the messages by padded block count (a counting sort of pointers), so each group of
  // lanes runs as many blocks as each of its messages needs; over-long ones go scalar now.
  // Chunks of kChunk keep the pointer arrays on the stack.
  constexpr size_t kChunk = 512;
  const Message* in[kChunk];
  Sha1Digest* to[kChunk];
  for (size_t first = 0; first < count; first += kChunk) {
    const size_t n = count - first < kChunk ? count - first : kChunk;
    size_t starts[kMaxLaneBlocks + 2] = {};
    for (size_t i = first; i < first + n; ++i) {
      if (messages[i].size() <= kMaxLaneBytes) ++starts[PaddedBlocks(messages[i].size()) + 1];
    }
    for (size_t b = 1; b < kMaxLaneBlocks + 2; ++b) starts[b] += starts[b - 1];
    size_t fill[kMaxLaneBlocks + 1];
    std::memcpy(fill, starts, sizeof fill);
    for (size_t i = first; i < first + n; ++i) {
      if (messages[i].size() > kMaxLaneBytes) {
        Sha1One(messages[i], out[i].data());
        continue;
      }
      const size_t at = fill[PaddedBlocks(messages[i].size())]++;
      in[at] = &messages[i];
      to[at] = &out[i];
    }
    for (size_t b = 1; b <= kMaxLaneBlocks; ++b)
      HashSameLength(in + starts[b], to + starts[b], starts[b + 1] - starts[b], level);
  }
}

static_assert(sizeof(SHA_CTX) <= 96 && alignof(SHA_CTX) <= 8);

void Sha1Stream::Reset() { SHA1_Init(reinterpret_cast<SHA_CTX*>(ctx_)); }

void Sha1Stream::Update(std::span<const uint8_t> piece) {
  SHA1_Update(reinterpret_cast<SHA_CTX*>(ctx_), piece.data(), piece.size());
}

Sha1Digest Sha1Stream::Final() {
  Sha1Digest d;
  SHA1_Final(d.data(), reinterpret_cast<SHA_CTX*>(ctx_));
  return d;
}

}  // namespace tidemark
