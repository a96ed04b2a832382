// Streaming reader of the records in an AOF: RESP command arrays and '#' annotation lines.
//
// One pass, constant memory: the reader owns one 256 KiB buffer; bulk payloads stream through it
// and only the first bytes of the first two arguments are kept (enough to name the command and
// its subcommand or SELECT index). Offsets are absolute positions in the file (the reader may
// start after an RDB preamble).
//
// The syntax accepted is what Redis writes and redis-server loads (aof_format.h); where the
// loader is lax (it skips the two bytes after a bulk payload without looking at them, reads
// counts with atoi) the reader is strict, like redis-check-aof. Errors:
//   kTruncated  the input ends inside a record: offset is the start of that record, so
//               everything before it is whole;
//   kCorrupt    a byte breaks the syntax: offset is that byte. RestIsZero() then tells a
//               zero-filled tail (preallocated space after a crash) from real corruption.
// Not thread-safe; the source must outlive the reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"

namespace tidemark::aof {

enum class RecordKind { kCommand, kAnnotation };

struct AofRecord {
  RecordKind kind = RecordKind::kCommand;
  uint64_t offset = 0;  // first byte of the record
  uint64_t end = 0;     // one past its last byte
  // kCommand:
  uint64_t argc = 0;
  // Both point into the reader (its buffer or its own copy), valid until its next Next().
  std::string_view name;       // argv[0], at most kKeptArgBytes bytes
  std::string_view arg1;       // argv[1] (empty if argc < 2), at most kKeptArgBytes bytes
  uint64_t payload_bytes = 0;  // bytes of the arguments, each "$<len>\r\n<len bytes>\r\n"
  // kAnnotation:
  std::string annotation;            // the line without '#' and line end, at most 64 bytes kept
  std::optional<int64_t> timestamp;  // set for a well-formed "#TS:<unix>" line
};

class RespReader {
 public:
  static constexpr size_t kKeptArgBytes = 64;
  static constexpr size_t kBufferBytes = 256 * 1024;

  // `start_offset` is the file offset of the first byte `source` returns; `where` names the file
  // in errors.
  RespReader(ByteSource& source, uint64_t start_offset, std::string where);

  // The next record, or nullptr at a clean end of input (between records). The record is owned
  // by the reader and valid until the next call (reused to keep the loop allocation-free).
  Result<const AofRecord*> Next() {
    if (TryBufferedCommand()) return &rec_;  // inline: the call most records take
    return NextCarefully();
  }

  // After a kCorrupt error from Next(): reads to the end and says whether every byte from the
  // offending one on is NUL.
  Result<bool> RestIsZero();

  // File offset of the next unread byte (after RestIsZero: the end of the input).
  uint64_t offset() const { return base_ + pos_; }

 private:
  // Makes at least `n` bytes available at pos_; false if the input ends first.
  Result<bool> Ensure(size_t n) {
    if (end_ - pos_ >= n) return true;
    return Refill(n);
  }
  Result<bool> Refill(size_t n);
  bool TryBufferedCommand();
  Result<const AofRecord*> NextCarefully();
  Result<uint64_t> ReadCount(char prefix, uint64_t record_start, const char* what);
  Result<void> ReadBulk(uint64_t record_start, std::string* keep);
  Result<const AofRecord*> ReadAnnotation(uint64_t record_start);
  std::unexpected<Error> Truncated(uint64_t record_start, const std::string& expected) const;
  std::unexpected<Error> Corrupt(uint64_t at, const std::string& message);

  ByteSource& source_;
  std::string where_;
  std::vector<uint8_t> buf_;  // kBufferBytes, then one sentinel byte kept at buf_[end_]
  size_t pos_ = 0;            // next unread byte in buf_
  size_t end_ = 0;            // bytes valid in buf_
  uint64_t base_ = 0;         // file offset of buf_[0]
  bool eof_ = false;
  bool zero_at_error_ = false;  // the byte a kCorrupt error points at is NUL
  AofRecord rec_;
  std::string name_copy_, arg1_copy_;  // the careful path's copies of argv[0] and argv[1]
};

}  // namespace tidemark::aof
