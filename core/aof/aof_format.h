// The facts of Redis's append-only file formats, in one place. Prose: docs/formats.md, "AOF".
//
// Redis 7 keeps its AOF as a directory (`appendonlydir/`) of parts named by a manifest:
//
//   <appendfilename>.manifest, one line per part:
//     file <name> seq <n> type <t>\n
//   - <name>: written bare unless it needs quoting; then as a double-quoted C-like string
//     ("\n", "\r", "\t", "\a", "\b", "\\", "\"", "\xHH"), the way sdscatrepr prints it and
//     sdssplitargs reads it. Single-quoted strings ('..', only \' escaped) are also read.
//   - <n>: a decimal sequence number >= 1. <t>: 'b' base, 'i' incremental, 'h' history.
//   - Keys are case-insensitive and may come in any order; further key/value pairs are
//     ignored (forward compatibility); a line must have an even number of at least 6 tokens.
//   - Lines starting with '#' are comments. Lines are at most 1024 bytes.
//   - Exactly one base at most; incremental files in strictly increasing seq; history files are
//     waiting for deletion and are never loaded.
//
// Each part (and the legacy single file `appendonly.aof`) is either
//   - an RDB file ("REDIS" magic, see core/rdb/): a base written with aof-use-rdb-preamble;
//     any bytes after the RDB checksum are read as AOF commands (the old "preamble" form), or
//   - AOF commands: RESP arrays of bulk strings, as a client sends them:
//       *<argc>\r\n  then argc times  $<len>\r\n<len bytes>\r\n
//     interleaved with annotation lines starting with '#'. Redis writes one kind:
//       #TS:<unix seconds>\r\n   (aof-timestamp-enabled yes, before the commands of a new second)
//     The loader reads lines with a 1024-byte buffer, so an annotation is at most 1023 bytes
//     including its "\r\n".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tidemark::aof {

// --- manifest ---
inline constexpr std::string_view kManifestSuffix = ".manifest";
inline constexpr std::string_view kKeyFile = "file";
inline constexpr std::string_view kKeySeq = "seq";
inline constexpr std::string_view kKeyType = "type";
inline constexpr char kTypeBase = 'b';
inline constexpr char kTypeIncr = 'i';
inline constexpr char kTypeHistory = 'h';
inline constexpr size_t kManifestMaxLine = 1024;  // longer lines are refused by Redis
inline constexpr char kManifestComment = '#';

// --- RDB preamble ---
inline constexpr std::string_view kRdbMagic = "REDIS";

// --- RESP records ---
inline constexpr char kArrayPrefix = '*';
inline constexpr char kBulkPrefix = '$';
inline constexpr char kAnnotationPrefix = '#';
inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kTimestampAnnotation = "#TS:";
// Longest line (annotation, count line) the loader reads whole, "\r\n" included.
inline constexpr size_t kAnnotationMaxLine = 1023;
// A count line is '*' or '$', at most this many digits, then "\r\n".
inline constexpr size_t kMaxCountDigits = 19;

// --- transactions ---
inline constexpr std::string_view kMulti = "multi";
inline constexpr std::string_view kExec = "exec";
inline constexpr std::string_view kSelect = "select";

}  // namespace tidemark::aof
