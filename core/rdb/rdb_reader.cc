#include "core/rdb/rdb_reader.h"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/format/crc64.h"
#include "core/format/lzf.h"
#include "core/rdb/rdb_format.h"

namespace tidemark::rdb {

uint64_t Fnv1a(uint64_t h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

namespace {
uint64_t HashOf(const uint8_t* p, size_t n) { return StringHash(p, n); }
}  // namespace

std::string Printable(const uint8_t* p, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n && out.size() < 64; ++i) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

RdbInput::RdbInput(ByteSource& source, std::string name)
    : source_(source),
      name_(std::move(name)),
      lends_(source.CanLend()),
      read_buf_(lends_ ? nullptr : new uint8_t[kBufferSize]) {}

std::unexpected<Error> RdbInput::Corrupt(std::string message, int64_t at) const {
  return MakeError(ErrorCode::kCorrupt, std::move(message),
                   at >= 0 ? at : static_cast<int64_t>(offset()), name_);
}

std::unexpected<Error> RdbInput::Truncated(std::string expected) const {
  return MakeError(ErrorCode::kTruncated, "file ends early: expected " + std::move(expected),
                   static_cast<int64_t>(base_ + end_), name_);
}

std::unexpected<Error> RdbInput::SourceError(Error e, uint64_t at) const {
  if (e.where.empty()) e.where = name_;
  if (e.offset < 0) e.offset = static_cast<int64_t>(at);
  return std::unexpected(std::move(e));
}

Status RdbInput::NextChunk() {
  const uint64_t next_base = chunk_base_ + chunk_.size();
  if (!source_crc_) crc_ = Crc64(crc_, chunk_);  // its last chance: the bytes go away now
  LentBytes lent;
  if (lends_) {
    auto got = source_.Lend();
    if (!got) return SourceError(got.error(), next_base);
    lent = *got;
  } else {
    auto got = source_.Read({read_buf_.get(), kBufferSize});
    if (!got) return SourceError(got.error(), next_base);
    lent.bytes = {read_buf_.get(), *got};
  }
  if (!chunks_seen_) {
    chunks_seen_ = true;
    source_crc_ = lent.crc64_before.has_value();
  } else if (source_crc_ != lent.crc64_before.has_value()) {
    // The checksum would silently be wrong: a broken source, not a broken file.
    std::fprintf(stderr, "tidemark: ByteSource lent a chunk %s crc64_before after chunks %s it\n",
                 source_crc_ ? "without" : "with", source_crc_ ? "with" : "without");
    std::abort();
  }
  if (source_crc_) crc_ = *lent.crc64_before;
  chunk_ = lent.bytes;
  chunk_base_ = next_base;
  if (chunk_.empty()) eof_ = true;
  return {};
}

Status RdbInput::Fill(size_t n) {
  if (end_ - pos_ >= n) return {};
  const uint64_t at = base_ + pos_;
  if (at >= chunk_base_ && at + n <= chunk_base_ + chunk_.size()) {
    // The window was joined_, for an item that straddled: back to reading the chunk in place.
    UseChunk(at);
    return {};
  }
  if (at == chunk_base_ + chunk_.size() && !eof_) {
    // The chunk is used up (the common case): take the next one and read it in place.
    if (auto s = NextChunk(); !s) return s;
    if (chunk_.size() >= n) {
      UseChunk(at);
      return {};
    }
  }
  // The bytes needed run past the chunk: join what is left of the window with the chunks after
  // it in joined_, whose end stays within the current chunk.
  if (!joined_) joined_.reset(new uint8_t[kBufferSize]);  // not needed when one chunk is all
  const size_t keep = end_ - pos_;
  if (keep) std::memmove(joined_.get(), data_ + pos_, keep);
  data_ = joined_.get();
  base_ = at;
  pos_ = 0;
  end_ = keep;
  while (end_ < n) {
    const uint64_t joined_end = base_ + end_, chunk_end = chunk_base_ + chunk_.size();
    if (joined_end == chunk_end) {
      if (eof_) break;
      if (auto s = NextChunk(); !s) return s;
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n - end_, chunk_end - joined_end));
    std::memcpy(joined_.get() + end_, chunk_.data() + (joined_end - chunk_base_), take);
    end_ += take;
  }
  if (end_ < n) return Truncated(std::to_string(n) + " more bytes");
  return {};
}

uint64_t RdbInput::Crc() const {
  const uint64_t at = offset();
  if (at >= chunk_base_) return Crc64(crc_, chunk_.first(static_cast<size_t>(at - chunk_base_)));
  // Inside an item that straddled into this chunk: the bytes from here to the chunk's start are
  // in the window (joined_), the ones before are gone; step back from the chunk's CRC.
  return Crc64Unwind(crc_, {data_ + pos_, static_cast<size_t>(chunk_base_ - at)});
}

Result<bool> RdbInput::AtEnd() {
  if (pos_ < end_) return false;
  if (auto s = Fill(1); !s) {
    if (s.error().code == ErrorCode::kTruncated) return true;
    return std::unexpected(s.error());
  }
  return false;
}

Result<uint8_t> RdbInput::ByteSlow() {
  if (pos_ == end_) {
    if (auto s = Fill(1); !s) return std::unexpected(s.error());
  }
  return data_[pos_++];
}

Status RdbInput::Raw(void* out, size_t n) {
  if (auto s = Fill(n); !s) return s;
  std::memcpy(out, data_ + pos_, n);
  pos_ += n;
  return {};
}

Result<uint64_t> RdbInput::LittleEndian(size_t n) {
  if (auto s = Fill(n); !s) return std::unexpected(s.error());
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += n;
  return v;
}

Result<double> RdbInput::BinaryDouble() {
  auto bits = LittleEndian(8);
  if (!bits) return std::unexpected(bits.error());
  return std::bit_cast<double>(*bits);
}

Result<Length> RdbInput::ReadLengthSlow() {
  auto first = Byte();
  if (!first) return std::unexpected(first.error());
  uint8_t b = *first;
  switch (b >> 6) {
    case 0: return Length{b & 0x3fu, false};
    case 1: {
      auto next = Byte();
      if (!next) return std::unexpected(next.error());
      return Length{(uint64_t{b & 0x3fu} << 8) | *next, false};
    }
    case 2: {
      size_t n;
      if (b == 0x80) n = 4;
      else if (b == 0x81) n = 8;
      else return Corrupt("unknown length encoding 0x" + Printable(&b, 1) + ", expected 0x80 or 0x81", offset() - 1);
      if (auto s = Fill(n); !s) return std::unexpected(s.error());
      uint64_t v = 0;
      for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
      pos_ += n;
      return Length{v, false};
    }
    default: return Length{b & 0x3fu, true};
  }
}

Result<uint64_t> RdbInput::PlainLength(const char* what) {
  int64_t at = static_cast<int64_t>(offset());
  auto len = ReadLength();
  if (!len) return std::unexpected(len.error());
  if (len->encoded) return Corrupt(std::string("expected a length for ") + what + ", found a string encoding", at);
  return len->value;
}

Status RdbInput::SkipBytes(uint64_t n) {
  while (n) {
    if (pos_ == end_) {
      if (auto s = Fill(1); !s) return s;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    pos_ += take;
    n -= take;
  }
  return {};
}

Status RdbInput::HashBytes(uint64_t n, StringValue& out) {
  if (n <= kBufferSize) {
    if (auto s = Fill(n); !s) return s;
    out.preview.assign(reinterpret_cast<const char*>(data_ + pos_), std::min<size_t>(n, kPreviewBytes));
    out.hash = HashContiguous(data_ + pos_, n);
    pos_ += n;
    return {};
  }
  while (n) {
    if (pos_ == end_) {
      if (auto s = Fill(1); !s) return s;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    if (out.preview.size() < kPreviewBytes) {
      size_t p = std::min(take, kPreviewBytes - out.preview.size());
      out.preview.append(reinterpret_cast<const char*>(data_ + pos_), p);
    }
    out.hash = Fnv1a(out.hash, data_ + pos_, take);
    pos_ += take;
    n -= take;
  }
  return {};
}

Status RdbInput::KeepBytes(uint64_t n, std::vector<uint8_t>& out) {
  out.resize(n);
  uint64_t got = 0;
  while (got < n) {
    if (pos_ == end_) {
      if (auto s = Fill(1); !s) return s;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n - got, end_ - pos_));
    std::memcpy(out.data() + got, data_ + pos_, take);
    pos_ += take;
    got += take;
  }
  return {};
}

template <class Stage>
Status RdbInput::FeedLzf(uint64_t compressed, Stage& stage) {
  uint64_t start = offset();
  while (compressed) {
    if (pos_ == end_) {
      if (auto s = Fill(1); !s) return s;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(compressed, end_ - pos_));
    size_t bad = 0;
    if (auto s = stage.Update({data_ + pos_, take}, &bad); !s)
      return Corrupt(s.error().message, static_cast<int64_t>(offset() + bad));
    pos_ += take;
    compressed -= take;
  }
  if (auto s = stage.Finish(); !s) return Corrupt(s.error().message, static_cast<int64_t>(start));
  return {};
}

Status RdbInput::CheckLzf(uint64_t compressed, uint64_t original) {
  LzfChecker checker(original);
  return FeedLzf(compressed, checker);
}

namespace {

// A long string's piece: to the consumer, and into the hash and preview kHash would give it.
void TakePiece(std::span<const uint8_t> piece, StringValue& out, StringPieces& pieces) {
  if (out.preview.size() < RdbInput::kPreviewBytes) {
    size_t p = std::min(piece.size(), RdbInput::kPreviewBytes - out.preview.size());
    out.preview.append(reinterpret_cast<const char*>(piece.data()), p);
  }
  out.hash = Fnv1a(out.hash, piece.data(), piece.size());
  pieces.Piece(piece);
}

}  // namespace

Status RdbInput::StreamBytes(uint64_t n, StringValue& out, StringPieces& pieces) {
  out.bytes.clear();
  pieces.Begin(n);
  while (n) {
    if (pos_ == end_) {
      if (auto s = Fill(1); !s) return s;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    TakePiece({data_ + pos_, take}, out, pieces);
    pos_ += take;
    n -= take;
  }
  return {};
}

Status RdbInput::StreamLzf(uint64_t compressed, uint64_t original, StringValue& out, StringPieces& pieces) {
  out.bytes.clear();
  pieces.Begin(original);
  LzfStreamDecoder decoder(original, [&](std::span<const uint8_t> piece) { TakePiece(piece, out, pieces); });
  return FeedLzf(compressed, decoder);
}

Status RdbInput::ReadString(StringValue& out, StringPieces& pieces) {
  return ReadString(StringUse::kKeep, out, uint64_t{1} << 32, &pieces);
}

Status RdbInput::ReadString(StringUse use, StringValue& out, uint64_t keep_limit) {
  return ReadString(use, out, keep_limit, nullptr);
}

Status RdbInput::ReadString(StringUse use, StringValue& out, uint64_t keep_limit, StringPieces* pieces) {
  out.offset = static_cast<int64_t>(offset());
  out.hash = kFnvOffset;
  out.preview.clear();
  auto len = ReadLength();
  if (!len) return std::unexpected(len.error());
  if (!len->encoded) {
    out.length = len->value;
    switch (use) {
      case StringUse::kSkip: return SkipBytes(len->value);
      case StringUse::kHash: return HashBytes(len->value, out);
      case StringUse::kKeep:
        if (pieces && len->value > kBufferSize) return StreamBytes(len->value, out, *pieces);
        if (len->value > keep_limit)
          return Corrupt("string of " + std::to_string(len->value) + " bytes, expected at most " +
                         std::to_string(keep_limit) + " here", out.offset);
        return KeepBytes(len->value, out.bytes);
    }
  }
  if (len->value <= kEncInt32) {
    static constexpr size_t kWidth[] = {1, 2, 4};
    size_t w = kWidth[len->value];
    auto raw = LittleEndian(w);
    if (!raw) return std::unexpected(raw.error());
    int64_t v = w == 1 ? static_cast<int8_t>(*raw) : w == 2 ? static_cast<int16_t>(*raw) : static_cast<int32_t>(*raw);
    std::string text = std::to_string(v);
    out.length = text.size();
    if (use == StringUse::kHash) {
      out.preview = text;
      out.hash = HashOf(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    } else if (use == StringUse::kKeep) {
      out.bytes.assign(text.begin(), text.end());
    }
    return {};
  }
  if (len->value != kEncLzf)
    return Corrupt("unknown string encoding " + std::to_string(len->value) +
                   ", expected int8 (0), int16 (1), int32 (2) or LZF (3)", out.offset);
  auto clen = PlainLength("LZF compressed length");
  if (!clen) return std::unexpected(clen.error());
  auto olen = PlainLength("LZF original length");
  if (!olen) return std::unexpected(olen.error());
  out.length = *olen;
  int64_t data_at = static_cast<int64_t>(offset());
  if (use == StringUse::kSkip) return CheckLzf(*clen, *olen);
  if (pieces && *olen > kBufferSize) return StreamLzf(*clen, *olen, out, *pieces);
  if (*olen > keep_limit)
    return Corrupt("compressed string of " + std::to_string(*olen) + " bytes, expected at most " +
                   std::to_string(keep_limit) + " here", out.offset);
  if (auto s = KeepBytes(*clen, scratch_); !s) return s;
  std::vector<uint8_t>& dest = use == StringUse::kKeep ? out.bytes : out.bytes;
  size_t bad = 0;  // the same offset the streaming check of kSkip names
  if (auto s = LzfDecompress(scratch_, static_cast<size_t>(*olen), dest, &bad); !s)
    return Corrupt(s.error().message, data_at + static_cast<int64_t>(bad));
  if (use == StringUse::kHash) {
    out.preview.assign(reinterpret_cast<const char*>(dest.data()),
                       std::min<size_t>(dest.size(), kPreviewBytes));
    out.hash = HashOf(dest.data(), dest.size());
  }
  return {};
}

}  // namespace tidemark::rdb
