// Finding a repeated value among 64-bit hashes without extra memory proportional to their count.
#pragma once

#include <cstdint>
#include <vector>

namespace tidemark::rdb {

// True when some value occurs twice. Reorders `values`. In place: radix partitions on the top
// bytes (the hashes are uniform, so buckets shrink fast), then a sort of each small bucket, which
// stays in cache; several times faster than sorting the whole vector.
bool HasDuplicate(std::vector<uint64_t>& values);

// Collects hashes as they stream past, already split into 256 buckets by their top byte, so the
// final check never sweeps the whole set with random accesses. 8 bytes per hash once Reserve()
// was told the count (RDB files carry it in RESIZEDB); growth beyond that doubles a bucket.
class HashBuckets {
 public:
  HashBuckets() : buckets_(256) {}
  void Reserve(uint64_t expected);
  void Add(uint64_t hash) {
    std::vector<uint64_t>& b = buckets_[hash >> 56];
    b.push_back(hash);
    // The bucket's next cache line, for its next hash (a prefetch never faults, even past the
    // end): 256 interleaved write streams are more than the hardware prefetcher follows.
    __builtin_prefetch(b.data() + b.size() + 8, 1);
  }
  // Forgets every hash added (keeps the buckets' memory).
  void Clear() {
    for (auto& b : buckets_) b.clear();
  }
  // True when a hash occurs twice. Frees the buckets as it goes.
  bool HasDuplicate();

 private:
  std::vector<std::vector<uint64_t>> buckets_;
  std::vector<uint64_t> table_;  // scratch for one bucket's check
};

}  // namespace tidemark::rdb
