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

TEST(Duplicates, BucketsKeepEveryHashThroughReserveGrowthAndClear) {
  // Hashes added before a Reserve() move into the reserved block; a bucket that outgrows its
  // region (far more hashes than reserved) moves out and keeps growing; Clear() forgets all.
  auto v = Random(200000, 4);
  HashBuckets b;
  for (size_t i = 0; i < 1000; ++i) b.Add(v[i]);
  b.Reserve(10000);
  for (size_t i = 1000; i < v.size(); ++i) b.Add(v[i]);
  b.Add(v[7]);  // added before the Reserve()
  EXPECT_TRUE(b.HasDuplicate());
  HashBuckets c;
  c.Reserve(100);
  for (uint64_t x : v) c.Add(x);
  c.Add(v.back());  // added after every bucket grew
  EXPECT_TRUE(c.HasDuplicate());
  HashBuckets d;
  d.Reserve(v.size());
  for (uint64_t x : v) d.Add(x);
  d.Clear();
  for (size_t i = 0; i < 1000; ++i) d.Add(v[i]);
  d.Add(v[5000]);  // was added before the Clear() only
  EXPECT_FALSE(d.HasDuplicate());
  d.Add(v[1]);  // the buckets are usable again after a check
  d.Add(v[1]);
  EXPECT_TRUE(d.HasDuplicate());
}

// Runs the pieces last to first, as a Parallel may order them any way it likes.
class Backwards final : public Parallel {
 public:
  void ForEach(size_t n, const std::function<void(size_t)>& work) override {
    for (size_t i = n; i-- > 0;) work(i);
    ++calls;
  }
  int calls = 0;
};

TEST(Duplicates, BucketsCheckedInPiecesFindTheSameAnswer) {
  auto v = Random(300000, 21);
  for (size_t repeat_at : {size_t{0}, size_t{150000}, v.size() - 1}) {
    Backwards parallel;
    HashBuckets none, one;
    none.Reserve(v.size());
    for (uint64_t x : v) none.Add(x), one.Add(x);
    one.Add(v[repeat_at]);
    EXPECT_FALSE(none.HasDuplicate(&parallel));
    EXPECT_TRUE(one.HasDuplicate(&parallel)) << repeat_at;
    EXPECT_EQ(parallel.calls, 2);
  }
}

}  // namespace
}  // namespace tidemark::rdb
