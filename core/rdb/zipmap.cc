// Zipmap (hashes in RDB files from Redis 2.x): <zmlen u8> { <len> key <len> <free u8> value
// <free bytes> } 0xFF, where <len> is one byte (< 254) or 0xFE + u32 LE.
#include "core/rdb/encodings.h"

namespace tidemark::rdb {

namespace {
std::unexpected<Error> Bad(size_t at, std::string msg) {
  return MakeError(ErrorCode::kCorrupt, "zipmap: " + msg, static_cast<int64_t>(at));
}
}  // namespace

Status ValidateZipmap(std::span<const uint8_t> zm, uint64_t* count, const ElementVisitor* visit) {
  const uint8_t* d = zm.data();
  const size_t size = zm.size();
  if (size < 2) return Bad(0, "payload too short");
  size_t p = 1;
  uint64_t n = 0;
  auto read_len = [&](uint64_t* out) -> Status {
    if (p >= size) return Bad(p, "length runs past the payload");
    if (d[p] < 254) { *out = d[p++]; return {}; }
    if (d[p] == 255) return Bad(p, "unexpected end marker");
    if (p + 5 > size) return Bad(p, "length runs past the payload");
    *out = uint64_t{d[p + 1]} | uint64_t{d[p + 2]} << 8 | uint64_t{d[p + 3]} << 16 | uint64_t{d[p + 4]} << 24;
    p += 5;
    return {};
  };
  while (true) {
    if (p >= size) return Bad(p, "missing 0xFF end marker");
    if (d[p] == 0xff) break;
    for (int part = 0; part < 2; ++part) {
      size_t start = p;
      uint64_t len = 0;
      if (auto s = read_len(&len); !s) return s;
      uint64_t free_bytes = 0;
      if (part == 1) {
        if (p >= size) return Bad(p, "free byte runs past the payload");
        free_bytes = d[p++];
      }
      if (p + len + free_bytes > size) return Bad(start, "entry runs past the payload");
      if (visit) {
        PackedElement e;
        e.str = std::string_view(reinterpret_cast<const char*>(d + p), len);
        e.offset = start;
        if (auto s = (*visit)(e); !s) return s;
      }
      p += len + free_bytes;
      ++n;
    }
  }
  if (p != size - 1) return Bad(p, "end marker before the end of the payload");
  if (d[0] < 254 && d[0] != n / 2)
    return Bad(0, "header counts " + std::to_string(d[0]) + " pairs, found " + std::to_string(n / 2));
  *count = n;
  return {};
}

}  // namespace tidemark::rdb
