// Ziplist (RDB 4-9 lists, hashes, sorted sets; quicklist 1 nodes):
// <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> { <prevlen> <encoding> <data> } 0xFF
// prevlen: 1 byte (< 254) or 0xFE + u32 LE. Encoding: 00pppppp / 01pppppp qqqqqqqq (BE) /
// 10000000 + u32 BE string lengths; 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8,
// 0xF1..0xFD immediate 0..12.
#include "core/rdb/encodings.h"

namespace tidemark::rdb {

namespace {

constexpr size_t kHeader = 10;

uint64_t LoadLE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

std::unexpected<Error> Bad(size_t at, std::string msg) {
  return MakeError(ErrorCode::kCorrupt, "ziplist: " + msg, static_cast<int64_t>(at));
}

}  // namespace

Status ValidateZiplist(std::span<const uint8_t> zl, uint64_t* count, const ElementVisitor* visit) {
  const size_t size = zl.size();
  const uint8_t* d = zl.data();
  if (size < kHeader + 1) return Bad(0, "payload of " + std::to_string(size) + " bytes, expected at least 11");
  if (LoadLE(d, 4) != size)
    return Bad(0, "header says " + std::to_string(LoadLE(d, 4)) + " bytes, payload has " + std::to_string(size));
  uint64_t tail = LoadLE(d + 4, 4);
  uint64_t declared = LoadLE(d + 8, 2);
  if (d[size - 1] != 0xff) return Bad(size - 1, "missing 0xFF terminator");
  size_t p = kHeader, last_start = kHeader;
  uint64_t prev_len = 0, n = 0;
  while (d[p] != 0xff) {
    size_t start = p;
    size_t avail = size - 1 - p;
    size_t prevlen_size = d[p] < 254 ? 1 : 5;
    if (prevlen_size > avail) return Bad(p, "prevlen cut by the terminator");
    uint64_t prevlen = prevlen_size == 1 ? d[p] : LoadLE(d + p + 1, 4);
    if (prevlen != prev_len)
      return Bad(p, "prevlen " + std::to_string(prevlen) + ", expected " + std::to_string(prev_len));
    p += prevlen_size;
    if (p >= size - 1) return Bad(p, "entry encoding cut by the terminator");
    uint8_t b = d[p];
    size_t enc = 1;
    uint64_t len = 0;
    PackedElement e;
    e.offset = start;
    switch (b >> 6) {
      case 0: len = b & 0x3f; break;
      case 1:
        enc = 2;
        if (p + 2 > size - 1) return Bad(p, "14-bit length cut");
        len = (uint64_t{b & 0x3fu} << 8) | d[p + 1];
        break;
      case 2:
        if (b != 0x80) return Bad(p, "invalid string encoding byte " + std::to_string(b));
        enc = 5;
        if (p + 5 > size - 1) return Bad(p, "32-bit length cut");
        len = (uint64_t{d[p + 1]} << 24) | (uint64_t{d[p + 2]} << 16) | (uint64_t{d[p + 3]} << 8) | d[p + 4];
        break;
      default: {
        e.is_int = true;
        size_t w;
        if (b == 0xc0) w = 2;
        else if (b == 0xd0) w = 4;
        else if (b == 0xe0) w = 8;
        else if (b == 0xf0) w = 3;
        else if (b == 0xfe) w = 1;
        else if (b >= 0xf1 && b <= 0xfd) w = 0;
        else return Bad(p, "invalid integer encoding byte " + std::to_string(b));
        if (p + 1 + w > size - 1) return Bad(p, "integer entry cut by the terminator");
        uint64_t raw = LoadLE(d + p + 1, w);
        if (w == 0) e.int_value = (b & 0x0f) - 1;
        else {
          uint64_t m = uint64_t{1} << (8 * w - 1);
          e.int_value = static_cast<int64_t>((raw ^ m) - m);
        }
        len = w;
      }
    }
    if (p + enc + len > size - 1)
      return Bad(start, "entry runs past the terminator");
    if (!e.is_int) e.str = std::string_view(reinterpret_cast<const char*>(d + p + enc), len);
    p += enc + len;
    prev_len = p - start;
    last_start = start;
    if (visit) {
      if (auto s = (*visit)(e); !s) return s;
    }
    ++n;
  }
  if (p != size - 1) return Bad(p, "terminator before the end of the payload");
  if (tail != last_start)
    return Bad(4, "tail offset " + std::to_string(tail) + ", last entry starts at " + std::to_string(last_start));
  if (declared != 65535 && declared != n)
    return Bad(8, "header counts " + std::to_string(declared) + " entries, found " + std::to_string(n));
  *count = n;
  return {};
}

}  // namespace tidemark::rdb
