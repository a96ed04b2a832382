// Buffered, checksummed reading of RDB primitives from a ByteSource.
//
// RdbInput reads in place from the chunks a source lends (ByteSource::Lend), or from chunks it
// reads into a buffer of its own when the source cannot lend; an item that straddles two chunks
// is copied into a second fixed buffer (kBufferSize, the largest run a caller may ask to see
// whole). It never holds more than that of the input, except where a caller keeps a whole
// payload (ReadString kKeep). It keeps the absolute offset of every byte, and the CRC-64 of all
// bytes before the current chunk: computed chunk by chunk, or taken from the source when the
// source checksums what it reads (then the parsing thread never computes it).
// Every error names the input, the offset and what was expected.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "core/rdb/rdb_format.h"

namespace tidemark::rdb {

struct Length {
  uint64_t value = 0;
  bool encoded = false;  // an 11xxxxxx special string encoding; value is the encoding
};

// What ReadString does with the bytes of a string.
enum class StringUse {
  kSkip,  // validate and discard (LZF streams are checked without decompressing)
  kHash,  // FNV-1a hash of the content and a short preview (keys, members, fields)
  kKeep,  // the whole content into `bytes` (payloads that must be parsed, AUX values)
};

struct StringValue {
  uint64_t length = 0;        // logical (decompressed) length
  uint64_t hash = 0;          // kHash only
  std::string preview;        // kHash: first bytes, for messages
  std::vector<uint8_t> bytes; // kKeep only; reused across calls
  int64_t offset = 0;         // where the string started
};

// Receives a string too long to hold whole, piece by piece (ReadString with pieces).
class StringPieces {
 public:
  virtual ~StringPieces() = default;
  virtual void Begin(uint64_t length) = 0;  // the decompressed length
  virtual void Piece(std::span<const uint8_t> bytes) = 0;
};

uint64_t Fnv1a(uint64_t h, const uint8_t* p, size_t n);
inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
// Hash of a whole contiguous string, 8 bytes per step (keys and members are hashed with it when
// they fit in the read buffer; longer ones with Fnv1a, chunk by chunk: the choice depends only on
// the length, so equal strings always hash alike).
[[gnu::always_inline]] inline uint64_t HashContiguous(const uint8_t* p, size_t n) {
  // One multiply per 8-byte word, the tail read as one overlapping word, then a full avalanche:
  // keys are short, so the per-call overhead is what matters.
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  auto load = [](const uint8_t* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  uint64_t h = 0x243f6a8885a308d3ULL ^ (uint64_t{n} * kMul);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) h = std::rotl((h ^ load(p + i)) * kMul, 29);
  if (i < n) {
    uint64_t tail;
    if (n >= 8) {
      tail = load(p + n - 8);  // overlaps bytes already mixed: still a function of the content
    } else {
      tail = 0;
      for (size_t k = 0; k < n; ++k) tail |= uint64_t{p[k]} << (8 * k);
    }
    h = std::rotl((h ^ tail) * kMul, 29);
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

class RdbInput {
 public:
  static constexpr size_t kBufferSize = 256 * 1024;
  static constexpr size_t kPreviewBytes = 48;

  RdbInput(ByteSource& source, std::string name);

  uint64_t offset() const { return base_ + pos_; }
  const std::string& name() const { return name_; }

  // Errors at the current offset (or the given one) naming the input.
  std::unexpected<Error> Corrupt(std::string message, int64_t at = -1) const;
  std::unexpected<Error> Truncated(std::string expected) const;

  // The common case (the byte is buffered) is inline: this runs several times per key.
  Result<uint8_t> Byte() {
    if (pos_ < end_) [[likely]] return data_[pos_++];
    return ByteSlow();
  }
  // Little-endian unsigned integer of n (1..8) bytes.
  Result<uint64_t> LittleEndian(size_t n);
  Result<double> BinaryDouble();
  Status Raw(void* out, size_t n);
  Result<Length> ReadLength() {
    if (pos_ < end_) [[likely]] {
      uint8_t b = data_[pos_];
      if ((b >> 6) == 0) {
        ++pos_;
        return Length{b, false};
      }
      if ((b >> 6) == 1 && end_ - pos_ >= 2) {
        uint64_t v = (uint64_t{b & 0x3fu} << 8) | data_[pos_ + 1];
        pos_ += 2;
        return Length{v, false};
      }
      if ((b >> 6) == 3) {
        ++pos_;
        return Length{b & 0x3fu, true};
      }
    }
    return ReadLengthSlow();
  }
  // A length that must not be a special encoding; `what` names it in errors.
  Result<uint64_t> PlainLength(const char* what);
  Status ReadString(StringUse use, StringValue& out, uint64_t keep_limit = 1ull << 32);
  // kKeep for a string that may be of any length: up to kBufferSize bytes (decompressed) it is
  // kept in out.bytes; a longer one goes to `pieces` as it is read (an LZF one decompressed
  // through a window), never whole in memory, with out.hash and out.preview as kHash gives them
  // and out.bytes empty. Streamed(out) tells which.
  Status ReadString(StringValue& out, StringPieces& pieces);
  static bool Streamed(const StringValue& v) { return v.length > kBufferSize; }
  // Fast path for the most common item body, a key and a string value that are both plain
  // (unencoded) strings with 6- or 14-bit lengths and lie whole in the buffer: hashes the key as
  // ReadString(kHash) would, skips the value and returns true. Returns false, consuming nothing,
  // for anything else; the caller then takes the careful path, which gives the same result for
  // the bytes this accepts, so verdicts never depend on how the input was chunked.
  bool BufferedKeyAndString(uint64_t* key_hash) {
    const uint8_t* p = data_ + pos_;
    const size_t avail = end_ - pos_;
    PrefetchAhead(p);
    size_t at = 0, klen = 0, vlen = 0;
    if (!ShortPlainLength(p, avail, at, klen)) return false;
    if (avail - at < klen) return false;
    const size_t key_at = at;
    at += klen;
    if (!ShortPlainLength(p, avail, at, vlen)) return false;
    if (avail - at < vlen) return false;
    *key_hash = HashContiguous(p + key_at, klen);
    pos_ += at + vlen;
    return true;
  }
  // The items after such a one are most often more of the same (a dump's strings come in runs):
  // takes every following item that is a string type byte followed by what BufferedKeyAndString
  // accepts, in one loop that keeps the window in registers; calls on_key(hash) for each key and
  // returns how many items it took. Stops, consuming nothing of it, at the first item that is
  // anything else (the caller reads that one as usual), so offsets and errors are unchanged.
  template <class OnKey>
  size_t BufferedStringItems(OnKey&& on_key) {
    const uint8_t* p = data_ + pos_;
    size_t avail = end_ - pos_;
    size_t taken = 0;
    for (;;) {
      PrefetchAhead(p);
      size_t at = 1, klen = 0, vlen = 0;
      if (avail == 0 || p[0] != kTypeString) break;
      if (!ShortPlainLength(p, avail, at, klen) || avail - at < klen) break;
      const size_t key_at = at;
      at += klen;
      if (!ShortPlainLength(p, avail, at, vlen) || avail - at < vlen) break;
      on_key(HashContiguous(p + key_at, klen));
      at += vlen;
      p += at;
      avail -= at;
      ++taken;
    }
    pos_ = static_cast<size_t>(p - data_);
    return taken;
  }
  // The same for one plain string (a member or field): hashed as ReadString(kHash) would.
  bool BufferedString(uint64_t* hash) {
    const uint8_t* p = data_ + pos_;
    const size_t avail = end_ - pos_;
    PrefetchAhead(p);
    size_t at = 0, len = 0;
    if (!ShortPlainLength(p, avail, at, len)) return false;
    if (avail - at < len) return false;
    *hash = HashContiguous(p + at, len);
    pos_ += at + len;
    return true;
  }
  // A plain string with a 6- or 14-bit length whole in the buffer, for a payload that is parsed
  // in place instead of copied: fills out.offset and out.length as ReadString(kKeep) would (not
  // out.bytes) and points `view` at the bytes, valid until the next read. False, consuming
  // nothing, otherwise.
  bool BufferedPayload(std::span<const uint8_t>* view, StringValue& out) {
    const uint8_t* p = data_ + pos_;
    const size_t avail = end_ - pos_;
    size_t at = 0, len = 0;
    if (!ShortPlainLength(p, avail, at, len)) return false;
    if (avail - at < len) return false;
    out.offset = static_cast<int64_t>(offset());
    out.hash = kFnvOffset;
    out.preview.clear();
    out.length = len;
    *view = {p + at, len};
    pos_ += at + len;
    return true;
  }
  // True when no input is left (only meaningful between items).
  Result<bool> AtEnd();
  // CRC-64 of every byte consumed so far.
  uint64_t Crc() const;

 private:
  // The walk is sequential but touches one cache line in several (a header, then a skip): ask
  // for the lines a few items ahead, which the read-ahead thread wrote from another core. A
  // prefetch never faults, also past the end of the chunk.
  static constexpr uintptr_t kPrefetchDistance = 1024;
  static void PrefetchAhead(const uint8_t* p) {
    __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(p) + kPrefetchDistance));
  }
  // Decodes a 6- or 14-bit plain length at p[at] (within avail), advancing `at`.
  static bool ShortPlainLength(const uint8_t* p, size_t avail, size_t& at, size_t& len) {
    if (at >= avail) return false;
    uint8_t b = p[at];
    if ((b >> 6) == 0) {
      len = b;
      at += 1;
      return true;
    }
    if ((b >> 6) == 1 && avail - at >= 2) {
      len = (size_t{b & 0x3fu} << 8) | p[at + 1];
      at += 2;
      return true;
    }
    return false;
  }
  Result<uint8_t> ByteSlow();
  Result<Length> ReadLengthSlow();
  Status Fill(size_t n);  // make at least n (<= kBufferSize) bytes available
  Status NextChunk();     // releases the current chunk and takes the next one
  // A source's error, named after this input and placed at `at` when the source did not say.
  std::unexpected<Error> SourceError(Error e, uint64_t at) const;
  void UseChunk(uint64_t at) {
    data_ = chunk_.data();
    base_ = chunk_base_;
    pos_ = static_cast<size_t>(at - chunk_base_);
    end_ = chunk_.size();
  }
  Status SkipBytes(uint64_t n);
  Status HashBytes(uint64_t n, StringValue& out);
  Status KeepBytes(uint64_t n, std::vector<uint8_t>& out);
  Status CheckLzf(uint64_t compressed, uint64_t original);
  Status ReadString(StringUse use, StringValue& out, uint64_t keep_limit, StringPieces* pieces);
  Status StreamBytes(uint64_t n, StringValue& out, StringPieces& pieces);
  Status StreamLzf(uint64_t compressed, uint64_t original, StringValue& out, StringPieces& pieces);
  // Feeds `compressed` bytes to an LZF stage (LzfChecker, LzfStreamDecoder), naming its errors.
  template <class Stage>
  Status FeedLzf(uint64_t compressed, Stage& stage);

  ByteSource& source_;
  std::string name_;
  const bool lends_;                     // source_.CanLend()
  std::unique_ptr<uint8_t[]> read_buf_;  // the chunk, when the source cannot lend
  std::unique_ptr<uint8_t[]> joined_;    // an item that straddles chunks, copied whole
  // The window the parsers read: data_[pos_, end_) are the stream's bytes from base_ + pos_.
  // It is either the current chunk or joined_, whose end then lies within the current chunk.
  const uint8_t* data_ = nullptr;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0;
  // The current chunk: the stream's bytes from chunk_base_; crc_ is the CRC-64 of all before.
  std::span<const uint8_t> chunk_;
  uint64_t chunk_base_ = 0;
  uint64_t crc_ = 0;
  bool chunks_seen_ = false;
  bool source_crc_ = false;  // the source lends with crc64_before
  bool eof_ = false;
  std::vector<uint8_t> scratch_;  // compressed bytes of a kept/hashed LZF string
};

// The hash ReadString(kHash) gives a string with these (decompressed) bytes.
inline uint64_t StringHash(const uint8_t* p, size_t n) {
  return n <= RdbInput::kBufferSize ? HashContiguous(p, n) : Fnv1a(kFnvOffset, p, n);
}

// Printable form of bytes for messages: escapes non-printables, cuts long strings.
std::string Printable(const uint8_t* p, size_t n);

}  // namespace tidemark::rdb
