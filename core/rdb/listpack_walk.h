// Listpack walking as a template over the per-element callback, so that callers on the hot path
// (the packed hashes, sets and sorted sets of a dump) have it inlined instead of going through a
// std::function per element. Internal to core/rdb; ValidateListpack (encodings.h) is the same
// walk with an optional ElementVisitor.
//
// Listpack: <total-bytes u32 LE> <num-elements u16 LE> { entry } 0xFF
// entry: <encoding+data> <backlen: the size of encoding+data, 1..5 bytes, read right to left,
// 7 bits per byte, high bit set on all but the leftmost byte>.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/rdb/encodings.h"

namespace tidemark::rdb {

namespace listpack_detail {

inline constexpr size_t kHeader = 6;

inline size_t BacklenBytes(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

inline int64_t SignExtend(uint64_t v, int bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

inline uint64_t LoadLE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

std::unexpected<Error> Bad(size_t at, std::string msg);
[[gnu::cold]] std::unexpected<Error> BadBacklen(size_t at, uint64_t entry);
[[gnu::cold]] std::unexpected<Error> BadEnd(size_t p, size_t size, uint64_t declared, uint64_t n);

// True when the `back` bytes ending at d[last] are the backlen of an entry of `entry` bytes.
inline bool BacklenMatches(const uint8_t* d, size_t last, size_t back, uint64_t entry) {
  if (back == 1) return d[last] == entry;  // entry <= 127: one byte, high bit clear
  uint64_t val = 0;
  size_t used = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t c = d[last - used];
    val |= uint64_t{c & 0x7fu} << shift;
    ++used;
    if (!(c & 0x80)) break;
    if (used == back) { used = back + 1; break; }
  }
  return used == back && val == entry;
}

}  // namespace listpack_detail

// Validates a listpack, calling visit(const PackedElement&) -> Status for each element in order
// (an error stops the walk and is returned). Errors are relative to the payload.
template <class Visit>
Status WalkListpack(std::span<const uint8_t> lp, uint64_t* count, Visit&& visit) {
  using namespace listpack_detail;
  const size_t size = lp.size();
  if (size < kHeader + 1) return Bad(0, "payload of " + std::to_string(size) + " bytes, expected at least 7");
  uint64_t total = LoadLE(lp.data(), 4);
  if (total != size)
    return Bad(0, "header says " + std::to_string(total) + " bytes, payload has " + std::to_string(size));
  uint64_t declared = LoadLE(lp.data() + 4, 2);
  if (lp[size - 1] != 0xff) return Bad(size - 1, "missing 0xFF terminator");
  size_t p = kHeader;
  uint64_t n = 0;
  const uint8_t* d = lp.data();
  while (true) {
    if (p >= size) [[unlikely]] return Bad(p, "entries run past the payload");
    uint8_t b = d[p];
    if (b == 0xff) break;
    size_t enc = 1;
    uint64_t len = 0;
    PackedElement e;
    e.offset = p;
    size_t avail = size - 1 - p;  // bytes before the terminator
    auto need = [&](size_t k) { return k <= avail; };
    if ((b & 0x80) == 0) {
      e.is_int = true;
      e.int_value = b & 0x7f;
    } else if ((b & 0xc0) == 0x80) {
      len = b & 0x3f;
    } else if ((b & 0xe0) == 0xc0) {
      enc = 2;
      if (!need(2)) return Bad(p, "13-bit integer entry cut by the terminator");
      e.is_int = true;
      e.int_value = SignExtend((uint64_t{b & 0x1fu} << 8) | d[p + 1], 13);
    } else if ((b & 0xf0) == 0xe0) {
      enc = 2;
      if (!need(2)) return Bad(p, "12-bit string header cut by the terminator");
      len = (uint64_t{b & 0x0fu} << 8) | d[p + 1];
    } else if (b == 0xf0) {
      enc = 5;
      if (!need(5)) return Bad(p, "32-bit string header cut by the terminator");
      len = LoadLE(d + p + 1, 4);
    } else if (b >= 0xf1 && b <= 0xf4) {
      static constexpr size_t kBytes[] = {2, 3, 4, 8};
      size_t w = kBytes[b - 0xf1];
      enc = 1 + w;
      if (!need(enc)) return Bad(p, "integer entry cut by the terminator");
      e.is_int = true;
      e.int_value = SignExtend(LoadLE(d + p + 1, w), static_cast<int>(8 * w));
    } else {
      return Bad(p, "invalid entry encoding byte " + std::to_string(b));
    }
    uint64_t entry = enc + len;
    size_t back = BacklenBytes(entry);
    if (entry + back > avail) [[unlikely]]
      return Bad(p, "entry of " + std::to_string(entry + back) + " bytes runs past the terminator");
    if (!e.is_int) e.str = std::string_view(reinterpret_cast<const char*>(d + p + enc), len);
    // The backlen must describe this entry exactly.
    if (!BacklenMatches(d, p + entry + back - 1, back, entry)) [[unlikely]] return BadBacklen(p + entry, entry);
    if (auto s = visit(static_cast<const PackedElement&>(e)); !s) [[unlikely]] return s;
    ++n;
    p += entry + back;
  }
  if (p != size - 1 || (declared != 65535 && declared != n)) [[unlikely]] return BadEnd(p, size, declared, n);
  *count = n;
  return {};
}

}  // namespace tidemark::rdb
