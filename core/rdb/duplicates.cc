#include "core/rdb/duplicates.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace tidemark::rdb {

namespace {

// Buckets up to this size are checked with an open-addressing table of at most 65536 entries
// (512 KiB, in L2); larger ones are first split again by the next byte. Splitting costs more
// than probing a table that fits in L2 (measured).
constexpr size_t kSmall = 32768;

bool SortedHasDuplicate(uint64_t* first, uint64_t* last) {
  std::sort(first, last);
  return std::adjacent_find(first, last) != last;
}

// Open addressing in a table twice the size of the input, reused across calls: linear time, and
// for one bucket's worth of hashes it stays in L2. Zero marks an empty slot, so a zero hash is
// tracked apart.
bool TableHasDuplicate(const uint64_t* first, const uint64_t* last, std::vector<uint64_t>& table) {
  size_t n = static_cast<size_t>(last - first);
  size_t size = 16;
  while (size < 2 * n) size *= 2;
  table.assign(size, 0);
  const size_t mask = size - 1;
  bool zero = false;
  for (const uint64_t* p = first; p != last; ++p) {
    uint64_t h = *p;
    if (h == 0) {
      if (zero) return true;
      zero = true;
      continue;
    }
    for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
      if (table[i] == 0) {
        table[i] = h;
        break;
      }
      if (table[i] == h) return true;
    }
  }
  return false;
}

// American flag sort on one byte, then the same on each bucket with the next byte. 256 buckets
// keep the write positions in cache; a bucket of uniform hashes soon fits a small table.
bool PartitionHasDuplicate(uint64_t* first, uint64_t* last, int shift, std::vector<uint64_t>& table) {
  size_t n = static_cast<size_t>(last - first);
  if (n <= 32) return SortedHasDuplicate(first, last);  // a few compares, no table to clear
  if (n <= kSmall) return TableHasDuplicate(first, last, table);
  if (shift < 0) return SortedHasDuplicate(first, last);
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
    if (PartitionHasDuplicate(first + start, first + end[b], shift - 8, table)) return true;
    start = end[b];
  }
  return false;
}

}  // namespace

void HashBuckets::Reserve(uint64_t expected) {
  // Uniform hashes: a bucket gets expected/256 give or take a few standard deviations.
  const uint64_t per = expected / 256;
  uint64_t slack = 16;
  while (slack * slack < 16 * per) slack *= 2;
  size_t total = 0;
  for (const auto& b : buckets_) total += b.size() + per + slack;
  // One new block: what the buckets hold so far moves into it, each with its share of room.
  LargeBlock block(total * sizeof(uint64_t));
  uint64_t* at = static_cast<uint64_t*>(block.data());
  for (auto& b : buckets_) {
    const size_t n = b.size();
    if (n) std::memcpy(at, b.begin, n * sizeof(uint64_t));
    b.own.reset();
    b.begin = at;
    b.end = at + n;
    b.cap = at + n + per + slack;
    at = b.cap;
  }
  block_ = std::move(block);
}

void HashBuckets::Grow(Bucket& b, size_t more) {
  const size_t n = b.size();
  size_t cap = std::max<size_t>(2 * static_cast<size_t>(b.cap - b.begin), 64);
  while (cap < n + more) cap *= 2;
  std::unique_ptr<uint64_t[]> own(new uint64_t[cap]);
  if (n) std::memcpy(own.get(), b.begin, n * sizeof(uint64_t));
  b.own = std::move(own);
  b.begin = b.own.get();
  b.end = b.begin + n;
  b.cap = b.begin + cap;
}

bool HashBuckets::HasDuplicate(Parallel* parallel) {
  // Sixteen groups of sixteen buckets: even shares for two or four cores, each with a table of
  // its own. Every hash of a bucket has the same top byte: split on the next one.
  constexpr size_t kGroups = 16, kPerGroup = 256 / kGroups;
  std::atomic<bool> dup{false};
  auto check_group = [&](size_t g) {
    std::vector<uint64_t> table;
    for (size_t i = g * kPerGroup; i < (g + 1) * kPerGroup; ++i) {
      Bucket& b = buckets_[i];
      if (!dup.load(std::memory_order_relaxed) && PartitionHasDuplicate(b.begin, b.end, 48, table))
        dup.store(true, std::memory_order_relaxed);
      b = Bucket{};
    }
  };
  if (parallel) {
    parallel->ForEach(kGroups, check_group);
  } else {
    for (size_t g = 0; g < kGroups; ++g) check_group(g);
  }
  block_ = LargeBlock();
  return dup.load();
}

bool HasDuplicate(std::vector<uint64_t>& values) {
  std::vector<uint64_t> table;
  return PartitionHasDuplicate(values.data(), values.data() + values.size(), 56, table);
}

}  // namespace tidemark::rdb
