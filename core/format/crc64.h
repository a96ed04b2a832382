// CRC-64 as Redis computes it for RDB files and DUMP payloads ("Jones" polynomial).
//
// Parameters: width 64, polynomial 0xad93d23594c935a9, reflected input and output, initial
// value 0, no final xor. Check value: Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
// Redis stores the result little-endian in the 8 bytes after the RDB EOF opcode; a stored zero
// means the writer had `rdbchecksum no`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tidemark {

// Extends `crc` (0 to start) with `data`. Pure and thread-safe; tables are built at compile time.
uint64_t Crc64(uint64_t crc, std::span<const uint8_t> data);

// The inverse: the CRC before `data`, given the CRC after it (Crc64Unwind(Crc64(c, d), d) == c).
// Byte by byte, for a few bytes: a reader that knows the CRC at a later point (a chunk boundary)
// but no longer holds the bytes before it steps back to where it stands.
uint64_t Crc64Unwind(uint64_t crc_after, std::span<const uint8_t> data);

// Joins the CRC-64s of two consecutive pieces computed apart (on two threads, say): with an
// initial value of 0 and no final xor the CRC is linear, so
//   Crc64(0, A + B) == Crc64Shift(|B|).Join(Crc64(0, A), Crc64(0, B))
// and more generally Crc64(c, B) == Crc64Shift(|B|)(c) ^ Crc64(0, B). Extending a CRC over n
// zero bytes is a fixed linear map of its 64 bits, kept as eight byte tables (16 KiB): eight
// lookups per join, whatever n. Building one costs about 0.15 ms, so make it once per length.
class Crc64Shift {
 public:
  explicit Crc64Shift(size_t bytes);
  // The CRC of the bytes that gave `crc` followed by `bytes` zero bytes.
  uint64_t operator()(uint64_t crc) const {
    uint64_t out = 0;
    for (int k = 0; k < 8; ++k) out ^= table_[k][(crc >> (8 * k)) & 0xff];
    return out;
  }
  uint64_t Join(uint64_t crc_before, uint64_t crc_of_piece) const {
    return (*this)(crc_before) ^ crc_of_piece;
  }

 private:
  std::array<std::array<uint64_t, 256>, 8> table_;
};

}  // namespace tidemark
