#include "core/rdb/duplicates.h"

#include <algorithm>
#include <array>

namespace tidemark::rdb {

namespace {

constexpr size_t kSmall = 64;

bool SortedHasDuplicate(uint64_t* first, uint64_t* last) {
  std::sort(first, last);
  return std::adjacent_find(first, last) != last;
}

// American flag sort on one byte, then the same on each bucket with the next byte. 256 buckets
// keep the write positions in cache; after two levels a bucket of uniform hashes fits in L2.
bool PartitionHasDuplicate(uint64_t* first, uint64_t* last, int shift) {
  size_t n = static_cast<size_t>(last - first);
  if (n <= kSmall || shift < 0) return SortedHasDuplicate(first, last);
  std::array<size_t, 256> next{}, end{};
  for (uint64_t* p = first; p != last; ++p) ++end[(*p >> shift) & 0xff];
  size_t sum = 0;
  for (size_t b = 0; b < 256; ++b) {
    next[b] = sum;
    sum += end[b];
    end[b] = sum;
  }
  for (size_t b = 0; b < 256; ++b) {
    while (next[b] < end[b]) {
      uint64_t v = first[next[b]];
      size_t d = (v >> shift) & 0xff;
      while (d != b) {
        std::swap(v, first[next[d]++]);
        d = (v >> shift) & 0xff;
      }
      first[next[b]++] = v;
    }
  }
  size_t start = 0;
  for (size_t b = 0; b < 256; ++b) {
    if (PartitionHasDuplicate(first + start, first + end[b], shift - 8)) return true;
    start = end[b];
  }
  return false;
}

}  // namespace

bool HasDuplicate(std::vector<uint64_t>& values) {
  return PartitionHasDuplicate(values.data(), values.data() + values.size(), 56);
}

}  // namespace tidemark::rdb
