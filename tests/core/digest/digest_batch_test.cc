// DigestBatch (digest_batch.h) against the plain definition, each SHA-1 taken at once, on
// generated call sequences that cross many batch edges: keys of more elements than a batch
// (their chain and open field carried into the next), elements too long for a lane, dropped
// keys, several databases. Hashed on the calling thread, on a BackgroundThread (the backup's
// pass) and by a Background that runs each piece as late as its contract allows, which must all
// give the same digests; under ThreadSanitizer (make test-tsan) this is also the check that the
// two threads share nothing but what they hand over. A piece that throws fails the caller.
#include "core/digest/digest_batch.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/background_thread.h"

namespace tidemark {
namespace {

Sha1Digest Sha1(std::span<const uint8_t> bytes) {
  Sha1Digest d;
  Sha1One(bytes, d.data());
  return d;
}

void XorInto(Sha1Digest& d, const Sha1Digest& s) {
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= s[i];
}

// One call of DigestBatch's interface, with its operand.
struct Call {
  enum Kind { kBeginKey, kMixKey, kXorKey, kBeginField, kMixField, kEndField, kEndKey, kDropKey } kind;
  std::vector<uint8_t> bytes;  // Mix*/Xor*: the element; End*: the 20 bytes xored first, if any
  uint64_t db = 0;
};

// The definition (digest_batch.h): every SHA-1 at once, in call order.
std::map<uint64_t, Sha1Digest> Plain(const std::vector<Call>& calls) {
  std::map<uint64_t, Sha1Digest> dbs;
  Sha1Digest k{}, e{};
  uint64_t db = 0;
  auto mix = [](Sha1Digest& d, const Sha1Digest& h) {
    XorInto(d, h);
    d = Sha1(d);
  };
  for (const Call& c : calls) {
    Sha1Digest operand{};
    if (c.bytes.size() == 20) std::copy(c.bytes.begin(), c.bytes.end(), operand.begin());
    switch (c.kind) {
      case Call::kBeginKey: k = {}; db = c.db; break;
      case Call::kMixKey: mix(k, Sha1(c.bytes)); break;
      case Call::kXorKey: XorInto(k, Sha1(c.bytes)); break;
      case Call::kBeginField: e = {}; break;
      case Call::kMixField: mix(e, Sha1(c.bytes)); break;
      case Call::kEndField: XorInto(e, operand); XorInto(k, Sha1(e)); break;
      case Call::kEndKey: XorInto(k, operand); XorInto(dbs[db], Sha1(k)); break;
      case Call::kDropKey: break;
    }
  }
  return dbs;
}

void Apply(DigestBatch& batch, const Call& c) {
  Sha1Digest operand;
  const bool has_operand = c.bytes.size() == 20;
  if (has_operand) std::copy(c.bytes.begin(), c.bytes.end(), operand.begin());
  switch (c.kind) {
    case Call::kBeginKey: batch.BeginKey(c.db); break;
    case Call::kMixKey: batch.MixKey(c.bytes); break;
    case Call::kXorKey: batch.XorKey(c.bytes); break;
    case Call::kBeginField: batch.BeginField(); break;
    case Call::kMixField: batch.MixField(c.bytes); break;
    case Call::kEndField: batch.EndField(has_operand ? &operand : nullptr); break;
    case Call::kEndKey: batch.EndKey(has_operand ? &operand : nullptr); break;
    case Call::kDropKey: batch.DropKey(); break;
  }
}

std::map<uint64_t, Sha1Digest> Batched(const std::vector<Call>& calls, Background* background) {
  DigestBatch batch(BestSha1Level(), background);
  for (const Call& c : calls) Apply(batch, c);
  return batch.Finish();
}

// Keys shaped like the digest's: mixes first (name, type, list elements), then xors (set
// members) or fields (hash and sorted-set pairs), then an optional "expire" operand.
std::vector<Call> Generate(uint32_t seed) {
  std::mt19937 rng(seed);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  };
  auto size = [&] {  // mostly short, some of every padded length, a few past a lane
    const uint32_t r = rng() % 100;
    return r < 80 ? rng() % 24 : r < 97 ? rng() % kMaxLaneBytes : kMaxLaneBytes + 1 + rng() % 3000;
  };
  std::vector<Call> calls;
  for (int key = 0; key < 2000; ++key) {
    // A few keys of more elements than both batches hold.
    const size_t elements = key % 700 == 5 ? DigestBatch::kBatchElements + 2000 + rng() % 3000 : rng() % 12;
    calls.push_back({Call::kBeginKey, {}, rng() % 3});
    calls.push_back({Call::kMixKey, bytes(size()), 0});
    calls.push_back({Call::kMixKey, bytes(4), 0});
    switch (rng() % 4) {
      case 0:  // list: mixes
        for (size_t i = 0; i < elements; ++i) calls.push_back({Call::kMixKey, bytes(size()), 0});
        break;
      case 1:  // set: xors
        for (size_t i = 0; i < elements; ++i) calls.push_back({Call::kXorKey, bytes(size()), 0});
        break;
      default:  // hash or zset: fields of two mixes; a long field now and then
        for (size_t i = 0; i < elements; i += 2) {
          calls.push_back({Call::kBeginField, {}, 0});
          const size_t steps = key % 700 == 5 && i == 0 ? DigestBatch::kBatchElements : 2;
          for (size_t s = 0; s < steps; ++s) calls.push_back({Call::kMixField, bytes(size()), 0});
          calls.push_back({Call::kEndField, rng() % 5 == 0 ? bytes(20) : std::vector<uint8_t>{}, 0});
        }
    }
    if (rng() % 10 == 0) {
      calls.push_back({Call::kDropKey, {}, 0});
    } else {
      calls.push_back({Call::kEndKey, rng() % 3 == 0 ? bytes(20) : std::vector<uint8_t>{}, 0});
    }
  }
  return calls;
}

// A Background as lazy as the contract allows: each piece runs inside the Wait() that follows
// it, on the calling thread. A DigestBatch that read a batch's results before waiting for them
// (the open key's chain state, say) would see them unset here, on every flush.
class RunAtWait final : public Background {
 public:
  void Start(std::function<void()> work) override {
    ASSERT_FALSE(work_) << "a piece started before the last was waited for";
    work_ = std::move(work);
    ++started_;
  }
  void Wait() override {
    if (!work_) return;
    auto work = std::move(work_);
    work_ = nullptr;
    if (started_ == throw_at_) throw std::runtime_error("piece " + std::to_string(started_) + " failed");
    work();
  }
  int started() const { return started_; }
  int throw_at_ = -1;  // the piece (1-based) that throws instead of running

 private:
  std::function<void()> work_;
  int started_ = 0;
};

TEST(DigestBatch, OnABackgroundThreadOrNotTheDigestsAreThePlainDefinitions) {
  for (uint32_t seed : {1u, 2u}) {
    SCOPED_TRACE(seed);
    const auto calls = Generate(seed);
    const auto want = Plain(calls);
    ASSERT_EQ(want.size(), 3u);
    EXPECT_EQ(Batched(calls, nullptr), want);
    BackgroundThread thread;
    EXPECT_EQ(Batched(calls, &thread), want);
    RunAtWait late;
    EXPECT_EQ(Batched(calls, &late), want);
    EXPECT_GE(late.started(), 10) << "few batches: the test would not cross many hand-offs";
  }
}

// What a piece throws (an allocation that failed on the hashing side) reaches the caller, as if
// it had hashed the batch itself; the DigestBatch is then destroyed with nothing left running.
TEST(DigestBatch, APieceThatThrowsFailsTheCallerNotTheProcess) {
  const auto calls = Generate(5);
  RunAtWait failing;
  failing.throw_at_ = 3;
  EXPECT_THROW(Batched(calls, &failing), std::runtime_error);
  EXPECT_EQ(failing.started(), 3);  // the walk filled the next batch; its flush's Wait() threw

  // A walk that stops (an invalid file) while the failing piece is still unclaimed: the
  // destructor waits for it and drops the exception instead of ending the process.
  RunAtWait stopped;
  stopped.throw_at_ = 2;
  {
    DigestBatch batch(BestSha1Level(), &stopped);
    for (size_t i = 0; stopped.started() < 2; ++i) Apply(batch, calls.at(i));
  }
  EXPECT_EQ(stopped.started(), 2);
}

TEST(DigestBatch, AWalkThatStopsWhileABatchIsHashedLeavesNothingRunning) {
  const auto calls = Generate(4);
  BackgroundThread thread;
  {
    DigestBatch batch(BestSha1Level(), &thread);
    for (size_t i = 0; i < calls.size() / 2; ++i) Apply(batch, calls[i]);
  }  // destroyed mid-walk: waits for the batch it handed over, if still hashing
  // The thread is free for the next piece.
  bool ran = false;
  thread.Start([&] { ran = true; });
  thread.Wait();
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace tidemark
