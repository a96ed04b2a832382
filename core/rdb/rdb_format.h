// The RDB file format: every constant the verifier uses, in one place. Prose: docs/formats.md.
//
// File:   "REDIS" <4 ASCII digits: version> { opcode-or-type ... } 0xFF <8-byte CRC-64 LE (v>=5)>
// Key:    [EXPIRETIME_MS <8B LE> | EXPIRETIME <4B LE>] [IDLE <len> | FREQ <1B>] <type> <key> <value>
//
// Length encoding (the first byte's two high bits select the form):
//   00pppppp                       6-bit length
//   01pppppp qqqqqqqq              14-bit length, big-endian
//   10000000 <4 bytes BE>          32-bit length
//   10000001 <8 bytes BE>          64-bit length
//   11eeeeee                       special encoding e of a string: 0 int8, 1 int16, 2 int32
//                                  (little-endian), 3 LZF: <len: compressed> <len: original> <data>
#pragma once

#include <cstdint>

namespace tidemark::rdb {

inline constexpr uint32_t kMinVersion = 1;
inline constexpr uint32_t kMaxKnownVersion = 12;   // Redis 7.4 and 8.0 write 12
inline constexpr uint32_t kFirstVersionWithChecksum = 5;

// Opcodes (values above the highest type).
inline constexpr uint8_t kOpSlotInfo = 244;        // Redis 7.4+ cluster: slot sizing hints
inline constexpr uint8_t kOpFunction2 = 245;       // a function library (Redis 7.0 GA)
inline constexpr uint8_t kOpFunctionPreGa = 246;   // 7.0 release candidates; Redis refuses it
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Value types.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZset = 3;             // scores as text
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZset2 = 5;            // scores as binary doubles
inline constexpr uint8_t kTypeModulePreGa = 6;      // refused by Redis
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZsetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZsetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeSetListpack = 20;
inline constexpr uint8_t kTypeStreamListpacks3 = 21;
inline constexpr uint8_t kTypeHashMetadataPreGa = 22;   // 7.4 RC: absolute field TTLs
inline constexpr uint8_t kTypeHashListpackExPreGa = 23;
inline constexpr uint8_t kTypeHashMetadata = 24;        // 7.4 GA: minExpire + relative TTLs
inline constexpr uint8_t kTypeHashListpackEx = 25;
inline constexpr uint8_t kMaxKnownType = 25;

// String special encodings (low six bits of an 11xxxxxx length byte).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistPlain = 1;
inline constexpr uint64_t kQuicklistPacked = 2;

// Module value opcodes (MODULE_2 values and MODULE_AUX).
inline constexpr uint64_t kModuleOpEof = 0;
inline constexpr uint64_t kModuleOpSint = 1;
inline constexpr uint64_t kModuleOpUint = 2;
inline constexpr uint64_t kModuleOpFloat = 3;
inline constexpr uint64_t kModuleOpDouble = 4;
inline constexpr uint64_t kModuleOpString = 5;

// Stream entry flags inside stream listpacks.
inline constexpr int64_t kStreamItemDeleted = 1;
inline constexpr int64_t kStreamItemSameFields = 2;
inline constexpr size_t kStreamIdBytes = 16;   // 64-bit ms + 64-bit seq, big-endian

// Hash field expiration: largest valid expire time (ms), as Redis's EB_EXPIRE_TIME_MAX.
inline constexpr uint64_t kHashFieldExpireMax = (uint64_t{1} << 48) - 1;

}  // namespace tidemark::rdb
