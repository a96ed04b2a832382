// Finding a repeated value among 64-bit hashes without extra memory proportional to their count.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/large_block.h"
#include "core/base/parallel.h"

namespace tidemark::rdb {

// True when some value occurs twice. Reorders `values`. In place: radix partitions on the top
// bytes (the hashes are uniform, so buckets shrink fast), then a sort of each small bucket, which
// stays in cache; several times faster than sorting the whole vector.
bool HasDuplicate(std::vector<uint64_t>& values);

// Collects hashes as they stream past, already split into 256 buckets by their top byte, so the
// final check never sweeps the whole set with random accesses. 8 bytes per hash once Reserve()
// was told the count (RDB files carry it in RESIZEDB): the buckets are then regions of one
// LargeBlock (huge pages). A bucket that outgrows its region moves to memory of its own and
// doubles from there.
class HashBuckets {
 public:
  HashBuckets() = default;
  HashBuckets(HashBuckets&&) = default;
  HashBuckets& operator=(HashBuckets&&) = default;
  // Room for `expected` more hashes (spread over the buckets as uniform hashes spread).
  void Reserve(uint64_t expected);
  void Add(uint64_t hash) {
    Bucket& b = buckets_[hash >> 56];
    if (b.end == b.cap) [[unlikely]] Grow(b, 1);
    *b.end++ = hash;
    // The bucket's next cache line, for its next hash (a prefetch never faults, even past the
    // end): 256 interleaved write streams are more than the hardware prefetcher follows.
    __builtin_prefetch(b.end + 8, 1);
  }
  // Forgets every hash added (keeps the memory).
  void Clear() {
    for (auto& b : buckets_) b.end = b.begin;
  }
  // True when a hash occurs twice. Frees the memory. With `parallel`, groups of buckets are
  // checked at the same time (at the end of a file, the read-ahead thread's core is idle).
  bool HasDuplicate(Parallel* parallel = nullptr);

 private:
  struct Bucket {
    uint64_t* begin = nullptr;
    uint64_t* end = nullptr;
    uint64_t* cap = nullptr;
    std::unique_ptr<uint64_t[]> own;  // set once the bucket left the shared block
    size_t size() const { return static_cast<size_t>(end - begin); }
  };
  // Moves b to memory of its own with room for at least `more` further hashes.
  static void Grow(Bucket& b, size_t more);

  std::array<Bucket, 256> buckets_;
  LargeBlock block_;  // the regions Reserve() handed out
};

}  // namespace tidemark::rdb
