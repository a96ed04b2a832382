#include "core/aof/resp.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/aof/aof_format.h"

namespace tidemark::aof {

namespace {
std::string Printable(uint8_t c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 15];
}

// The byte kept after the valid bytes of the buffer: not a digit, so digit runs stop at the
// buffer's end without a bounds check per byte.
constexpr uint8_t kSentinel = 0;

static_assert(std::endian::native == std::endian::little, "IsCrlf reads CR LF as one word");
inline bool IsCrlf(const uint8_t* p) {
  uint16_t two;
  std::memcpy(&two, p, 2);
  return two == ('\r' | '\n' << 8);
}

// "<prefix><1 to kMaxCountDigits digits>\r\n" starting at p and ending before e (*e is
// kSentinel): stores the number and returns the byte after the line, or nullptr if the line is
// not all there or not well-formed (the careful path then reads it again and names the
// problem). Digits past the limit only make it fail, so their overflow does not matter.
inline const uint8_t* ScanCount(const uint8_t* p, const uint8_t* e, char prefix, uint64_t* value) {
  if (e - p < 4 || *p != static_cast<uint8_t>(prefix)) return nullptr;
  const uint8_t* const digits = ++p;
  uint64_t v = 0;
  while (static_cast<uint8_t>(*p - '0') < 10) v = v * 10 + (*p++ - '0');
  const size_t n = static_cast<size_t>(p - digits);
  if (n == 0 || n > kMaxCountDigits || e - p < 2 || !IsCrlf(p)) return nullptr;
  *value = v;
  return p + 2;
}
}  // namespace

RespReader::RespReader(ByteSource& source, uint64_t start_offset, std::string where)
    : source_(source), where_(std::move(where)), buf_(kBufferBytes + 1), base_(start_offset) {}

Result<bool> RespReader::Refill(size_t n) {
  while (end_ - pos_ < n) {
    if (eof_) return false;
    if (pos_ > 0 && (kBufferBytes - end_ < n || pos_ == end_)) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      base_ += pos_;
      pos_ = 0;
      buf_[end_] = kSentinel;
    }
    auto got = source_.Read(std::span<uint8_t>(buf_.data() + end_, kBufferBytes - end_));
    if (!got) return std::unexpected(got.error());
    if (*got == 0) eof_ = true;
    end_ += *got;
    buf_[end_] = kSentinel;
  }
  return true;
}

std::unexpected<Error> RespReader::Truncated(uint64_t record_start,
                                             const std::string& expected) const {
  return MakeError(ErrorCode::kTruncated,
                   "input ends inside the record starting here (at byte " +
                       std::to_string(offset()) + "), expected " + expected,
                   static_cast<int64_t>(record_start), where_);
}

std::unexpected<Error> RespReader::Corrupt(uint64_t at, const std::string& message) {
  zero_at_error_ = at == offset() && pos_ < end_ && buf_[pos_] == 0;
  return MakeError(ErrorCode::kCorrupt, message, static_cast<int64_t>(at), where_);
}

// Reads "<prefix><digits>\r\n" and returns the number.
Result<uint64_t> RespReader::ReadCount(char prefix, uint64_t record_start, const char* what) {
  // Fast path: the whole line is in the buffer and well-formed.
  if (end_ - pos_ >= kMaxCountDigits + 3 && buf_[pos_] == static_cast<uint8_t>(prefix)) {
    const uint8_t* p = buf_.data() + pos_ + 1;
    uint64_t value = 0;
    size_t digits = 0;
    while (digits < kMaxCountDigits && p[digits] >= '0' && p[digits] <= '9')
      value = value * 10 + (p[digits++] - '0');
    if (digits > 0 && p[digits] == '\r' && p[digits + 1] == '\n') {
      pos_ += digits + 3;
      return value;
    }
  }
  auto have = Ensure(1);
  if (!have) return std::unexpected(have.error());
  if (!*have) return Truncated(record_start, std::string("'") + prefix + "' " + what);
  if (buf_[pos_] != static_cast<uint8_t>(prefix))
    return Corrupt(offset(), std::string("expected '") + prefix + "' (" + what + "), found " +
                                 Printable(buf_[pos_]));
  ++pos_;
  uint64_t value = 0;
  size_t digits = 0;
  for (;;) {
    have = Ensure(1);
    if (!have) return std::unexpected(have.error());
    if (!*have) return Truncated(record_start, std::string("digits of ") + what);
    uint8_t c = buf_[pos_];
    if (c >= '0' && c <= '9') {
      if (++digits > kMaxCountDigits)
        return Corrupt(offset(), std::string(what) + " has more than " +
                                     std::to_string(kMaxCountDigits) + " digits");
      value = value * 10 + (c - '0');
      ++pos_;
      continue;
    }
    if (digits == 0)
      return Corrupt(offset(), std::string("expected the digits of ") + what + ", found " +
                                   Printable(c));
    if (c != '\r')
      return Corrupt(offset(), std::string("expected \"\\r\\n\" after ") + what + ", found " +
                                   Printable(c));
    ++pos_;
    have = Ensure(1);
    if (!have) return std::unexpected(have.error());
    if (!*have) return Truncated(record_start, "'\\n'");
    if (buf_[pos_] != '\n')
      return Corrupt(offset(), std::string("expected '\\n' after ") + what + ", found " +
                                   Printable(buf_[pos_]));
    ++pos_;
    return value;
  }
}

Result<void> RespReader::ReadBulk(uint64_t record_start, std::string* keep) {
  auto len = ReadCount(kBulkPrefix, record_start, "the length of a bulk string");
  if (!len) return std::unexpected(len.error());
  uint64_t left = *len;
  if (keep) keep->clear();
  while (left > 0) {
    if (pos_ == end_) {
      auto have = Ensure(1);
      if (!have) return std::unexpected(have.error());
      if (!*have)
        return Truncated(record_start, std::to_string(left) + " more bytes of a " +
                                           std::to_string(*len) + "-byte bulk string");
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, end_ - pos_));
    if (keep && keep->size() < kKeptArgBytes)
      keep->append(reinterpret_cast<const char*>(buf_.data() + pos_),
                   std::min(n, kKeptArgBytes - keep->size()));
    pos_ += n;
    left -= n;
  }
  if (end_ - pos_ >= 2 && buf_[pos_] == '\r' && buf_[pos_ + 1] == '\n') {
    pos_ += 2;
    return {};
  }
  for (char expected : kCrlf) {
    auto have = Ensure(1);
    if (!have) return std::unexpected(have.error());
    if (!*have) return Truncated(record_start, "\"\\r\\n\" after a bulk string");
    if (buf_[pos_] != static_cast<uint8_t>(expected))
      return Corrupt(offset(), "expected \"\\r\\n\" after a " + std::to_string(*len) +
                                   "-byte bulk string, found " + Printable(buf_[pos_]));
    ++pos_;
  }
  return {};
}

Result<const AofRecord*> RespReader::ReadAnnotation(uint64_t record_start) {
  // The loader reads annotation lines with fgets into a 1024-byte buffer: a longer line is
  // split and its rest read as the next record.
  size_t len = 0;
  for (;;) {
    auto have = Ensure(len + 1);
    if (!have) return std::unexpected(have.error());
    if (!*have)
      return Truncated(record_start,
                       "'\\n' ending the annotation (redis-server would append its next write "
                       "to this line and then refuse the file)");
    if (buf_[pos_ + len] == '\n') break;
    if (++len >= kAnnotationMaxLine)
      return Corrupt(record_start, "annotation line longer than " +
                                       std::to_string(kAnnotationMaxLine) +
                                       " bytes: redis-server reads its rest as a new record");
  }
  AofRecord& rec = rec_;
  rec.kind = RecordKind::kAnnotation;
  rec.offset = record_start;
  rec.timestamp.reset();
  rec.argc = 0;
  rec.name = {};
  rec.arg1 = {};
  rec.payload_bytes = 0;
  std::string_view line(reinterpret_cast<const char*>(buf_.data() + pos_), len);
  pos_ += len + 1;
  rec.end = offset();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.starts_with(kTimestampAnnotation)) {
    std::string_view digits = line.substr(kTimestampAnnotation.size());
    if (!digits.empty() && digits.size() <= 18 &&
        digits.find_first_not_of("0123456789") == std::string_view::npos) {
      int64_t ts = 0;
      for (char c : digits) ts = ts * 10 + (c - '0');
      rec.timestamp = ts;
    }
  }
  line.remove_prefix(1);
  rec.annotation.assign(line.substr(0, 64));
  return &rec_;
}

// The common case, taken before the careful path: a well-formed command that is already
// whole in the buffer, parsed with pointer arithmetic and no refill checks. It accepts exactly
// what the careful path accepts and fills the same record; on anything else (a record cut by
// the buffer's end, any syntax error, argc 0 or too large) it consumes nothing and returns
// false, and the careful path starts over at the same byte, so errors and offsets come from
// one place.
bool RespReader::TryBufferedCommand() {
  const uint8_t* const buf = buf_.data();
  const uint8_t* const e = buf + end_;
  uint64_t argc = 0;
  const uint8_t* p = ScanCount(buf + pos_, e, kArrayPrefix, &argc);
  if (!p || argc == 0 || argc > INT32_MAX) return false;
  const uint8_t* const args = p;
  // One bulk string "$<len>\r\n<len bytes>\r\n" at p: moves p past it, or returns false.
  const auto bulk = [&p, e](std::string_view* keep) {
    uint64_t len = 0;
    const uint8_t* payload = ScanCount(p, e, kBulkPrefix, &len);
    if (!payload || len + 2 > static_cast<uint64_t>(e - payload) || !IsCrlf(payload + len))
      return false;
    if (keep)
      *keep = {reinterpret_cast<const char*>(payload), std::min<uint64_t>(len, kKeptArgBytes)};
    p = payload + len + 2;
    return true;
  };
  std::string_view name, arg1;
  if (!bulk(&name) || (argc >= 2 && !bulk(&arg1))) return false;
  // Every argument takes at least 4 bytes, so the loop ends at the buffer's end whatever argc.
  for (uint64_t i = 2; i < argc; ++i)
    if (!bulk(nullptr)) return false;
  AofRecord& rec = rec_;
  rec.kind = RecordKind::kCommand;
  rec.offset = offset();
  rec.argc = argc;
  rec.name = name;
  rec.arg1 = arg1;
  rec.payload_bytes = static_cast<uint64_t>(p - args);
  rec.annotation.clear();
  rec.timestamp.reset();
  pos_ = static_cast<size_t>(p - buf);
  rec.end = offset();
  return true;
}

// Every record TryBufferedCommand() leaves: byte by byte through Ensure(), refilling as needed.
Result<const AofRecord*> RespReader::NextCarefully() {
  auto have = Ensure(1);
  if (!have) return std::unexpected(have.error());
  if (!*have) return nullptr;
  const uint64_t start = offset();
  const uint8_t first = buf_[pos_];
  if (first == static_cast<uint8_t>(kAnnotationPrefix)) return ReadAnnotation(start);
  if (first != static_cast<uint8_t>(kArrayPrefix))
    return Corrupt(start, "expected '*' (a command) or '#' (an annotation), found " +
                              Printable(first));
  auto argc = ReadCount(kArrayPrefix, start, "the argument count of a command");
  if (!argc) return std::unexpected(argc.error());
  if (*argc == 0)
    return Corrupt(start, "command with 0 arguments (redis-server refuses it: bad file format)");
  if (*argc > INT32_MAX)
    return Corrupt(start, "command with " + std::to_string(*argc) +
                              " arguments, more than redis-server can load");
  AofRecord& rec = rec_;
  rec.kind = RecordKind::kCommand;
  rec.offset = start;
  rec.argc = *argc;
  rec.payload_bytes = 0;
  rec.annotation.clear();
  rec.timestamp.reset();
  arg1_copy_.clear();
  for (uint64_t i = 0; i < *argc; ++i) {
    std::string* keep = i == 0 ? &name_copy_ : i == 1 ? &arg1_copy_ : nullptr;
    const uint64_t before = offset();
    if (auto s = ReadBulk(start, keep); !s) return std::unexpected(s.error());
    rec.payload_bytes += offset() - before;
  }
  rec.end = offset();
  rec.name = name_copy_;
  rec.arg1 = arg1_copy_;
  return &rec_;
}

Result<bool> RespReader::RestIsZero() {
  if (!zero_at_error_) return false;
  bool all_zero = true;
  for (;;) {
    for (size_t i = pos_; i < end_; ++i)
      if (buf_[i] != 0) all_zero = false;
    pos_ = end_;
    auto have = Ensure(1);
    if (!have) return std::unexpected(have.error());
    if (!*have) return all_zero;
  }
}

}  // namespace tidemark::aof
