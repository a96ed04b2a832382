// Finding a repeated value among 64-bit hashes without extra memory proportional to their count.
#pragma once

#include <cstdint>
#include <vector>

namespace tidemark::rdb {

// True when some value occurs twice. Reorders `values`. In place: radix partitions on the top
// bytes (the hashes are uniform, so buckets shrink fast), then a sort of each small bucket, which
// stays in cache; several times faster than sorting the whole vector.
bool HasDuplicate(std::vector<uint64_t>& values);

}  // namespace tidemark::rdb
