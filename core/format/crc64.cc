#include "core/format/crc64.h"

#include <array>
#include <cstring>

namespace tidemark {

namespace {

// Reflected form of 0xad93d23594c935a9.
constexpr uint64_t kPolyReflected = 0x95ac9329ac4bc9b5ULL;
constexpr int kSlices = 16;

using Tables = std::array<std::array<uint64_t, 256>, kSlices>;

// Slicing-by-16: table k maps a byte to its contribution after k further zero bytes, so sixteen
// input bytes are folded with sixteen independent lookups per step.
constexpr Tables MakeTables() {
  Tables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ kPolyReflected : crc >> 1;
    t[0][i] = crc;
  }
  for (int k = 1; k < kSlices; ++k)
    for (int i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

constexpr Tables kTables = MakeTables();

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (x86-64, arm64), as everywhere Tidemark runs
}

}  // namespace

uint64_t Crc64(uint64_t crc, std::span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  const auto& t = kTables;
  while (n >= 16) {
    uint64_t a = Load64(p) ^ crc;
    uint64_t b = Load64(p + 8);
    crc = t[15][a & 0xff] ^ t[14][(a >> 8) & 0xff] ^ t[13][(a >> 16) & 0xff] ^
          t[12][(a >> 24) & 0xff] ^ t[11][(a >> 32) & 0xff] ^ t[10][(a >> 40) & 0xff] ^
          t[9][(a >> 48) & 0xff] ^ t[8][a >> 56] ^ t[7][b & 0xff] ^ t[6][(b >> 8) & 0xff] ^
          t[5][(b >> 16) & 0xff] ^ t[4][(b >> 24) & 0xff] ^ t[3][(b >> 32) & 0xff] ^
          t[2][(b >> 40) & 0xff] ^ t[1][(b >> 48) & 0xff] ^ t[0][b >> 56];
    p += 16;
    n -= 16;
  }
  while (n--) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace tidemark
