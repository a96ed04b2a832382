// CRC-64 as Redis computes it for RDB files and DUMP payloads ("Jones" polynomial).
//
// Parameters: width 64, polynomial 0xad93d23594c935a9, reflected input and output, initial
// value 0, no final xor. Check value: Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
// Redis stores the result little-endian in the 8 bytes after the RDB EOF opcode; a stored zero
// means the writer had `rdbchecksum no`.
#pragma once

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

}  // namespace tidemark
