#include "core/rdb/duplicates.h"

#include <gtest/gtest.h>

#include <random>

namespace tidemark::rdb {
namespace {

std::vector<uint64_t> Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng();
  return v;
}

TEST(Duplicates, FindsOneRepeatAmongManyAtAnySize) {
  for (size_t n : {2u, 100u, 70000u, 300000u}) {
    auto v = Random(n, n);
    EXPECT_FALSE(HasDuplicate(v)) << n;
    v = Random(n, n);
    v[n / 3] = v[n - 1];
    EXPECT_TRUE(HasDuplicate(v)) << n;
  }
}

TEST(Duplicates, BucketsFindARepeatAndTreatZeroLikeAnyValue) {
  for (bool reserve : {false, true}) {
    HashBuckets none, one, zeros, single_zero;
    auto v = Random(500000, 9);
    if (reserve) none.Reserve(v.size()), one.Reserve(v.size() + 1);
    for (uint64_t x : v) none.Add(x), one.Add(x);
    one.Add(v[12345]);
    EXPECT_FALSE(none.HasDuplicate());
    EXPECT_TRUE(one.HasDuplicate());
    zeros.Add(0);
    zeros.Add(0);
    EXPECT_TRUE(zeros.HasDuplicate());
    single_zero.Add(0);
    single_zero.Add(1);
    EXPECT_FALSE(single_zero.HasDuplicate());
  }
}

}  // namespace
}  // namespace tidemark::rdb
