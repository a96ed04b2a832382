#include "io/prefetch_source.h"

#include "core/format/crc64.h"
#include "tests/testing/chunked_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tidemark {
namespace {

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(static_cast<unsigned>(n));
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Hands out small, uneven pieces, then fails (when told to) after `fail_after` bytes.
class Trickle final : public ByteSource {
 public:
  Trickle(const std::vector<uint8_t>& d, size_t fail_after) : d_(d), fail_after_(fail_after) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (pos_ >= fail_after_) return MakeError(ErrorCode::kIo, "disk went away", static_cast<int64_t>(pos_), "trickle");
    size_t n = std::min({out.size(), d_.size() - pos_, size_t{1 + pos_ % 4099}, fail_after_ - pos_});
    std::copy_n(d_.begin() + static_cast<long>(pos_), n, out.data());
    pos_ += n;
    return n;
  }

 private:
  const std::vector<uint8_t>& d_;
  size_t pos_ = 0, fail_after_;
};

std::vector<uint8_t> Drain(ByteSource& src, size_t piece, std::optional<Error>* error) {
  std::vector<uint8_t> out, buf(piece);
  for (;;) {
    auto n = src.Read(buf);
    if (!n) {
      *error = n.error();
      return out;
    }
    if (*n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
  }
}

TEST(PrefetchSource, DeliversExactlyTheInnerBytesWhateverTheReadSizes) {
  for (size_t size : {0u, 1u, 1000u, 3u << 20}) {
    auto data = RandomBytes(size);
    for (size_t piece : {1u, 777u, 1u << 20, 3u << 20}) {
      if (piece == 1 && size > 100000) continue;
      Trickle inner(data, SIZE_MAX);
      PrefetchSource prefetch(inner);
      std::optional<Error> error;
      EXPECT_EQ(Drain(prefetch, piece, &error), data) << size << "/" << piece;
      EXPECT_FALSE(error.has_value());
    }
  }
}

TEST(PrefetchSource, HandsOverTheDataBeforeAnErrorThenTheError) {
  auto data = RandomBytes(5 << 20);
  Trickle inner(data, 3'000'000);
  PrefetchSource prefetch(inner);
  std::optional<Error> error;
  auto got = Drain(prefetch, 65536, &error);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "disk went away");
  ASSERT_EQ(got.size(), 3'000'000u);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST(PrefetchSource, CanBeAbandonedMidStream) {
  auto data = RandomBytes(8 << 20);
  Trickle inner(data, SIZE_MAX);
  PrefetchSource prefetch(inner);
  uint8_t buf[10];
  ASSERT_TRUE(prefetch.Read(buf));
  // The destructor must stop and join the reader thread while it waits for a free slot.
}

// Lends until the end, checking that each piece's crc64_before is the CRC of all bytes before it
// (when asked for) and that the empty piece at the end carries the CRC of everything.
std::vector<uint8_t> DrainLent(PrefetchSource& src, bool with_crc, std::optional<Error>* error) {
  std::vector<uint8_t> out;
  for (;;) {
    auto lent = src.Lend();
    if (!lent) {
      *error = lent.error();
      return out;
    }
    EXPECT_EQ(lent->crc64_before.has_value(), with_crc);
    if (with_crc && lent->crc64_before) {
      EXPECT_EQ(*lent->crc64_before, Crc64(0, out)) << "at " << out.size();
    }
    if (lent->bytes.empty()) return out;
    out.insert(out.end(), lent->bytes.begin(), lent->bytes.end());
  }
}

TEST(PrefetchSource, LendsExactlyTheInnerBytesWithTheCrcBeforeEachPiece) {
  for (size_t size : {0u, 1u, 1000u, 3u << 20}) {
    auto data = RandomBytes(size);
    for (auto crc : {PrefetchSource::Crc64::kNo, PrefetchSource::Crc64::kYes}) {
      Trickle inner(data, SIZE_MAX);
      PrefetchSource prefetch(inner, crc);
      ASSERT_TRUE(prefetch.CanLend());
      std::optional<Error> error;
      EXPECT_EQ(DrainLent(prefetch, crc == PrefetchSource::Crc64::kYes, &error), data) << size;
      EXPECT_FALSE(error.has_value());
    }
  }
}

TEST(PrefetchSource, ReadAndLendMayTakeTurns) {
  // A lent slot goes back at the next call; a Read() after it continues after the lent bytes,
  // and a Lend() after a partial Read() lends the rest of the slot with the CRC before the rest.
  auto data = RandomBytes(2 << 20);
  Trickle inner(data, SIZE_MAX);
  PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes);
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(1000);
  for (int turn = 0;; ++turn) {
    if (turn % 2 == 0) {
      auto n = prefetch.Read(buf);
      ASSERT_TRUE(n);
      if (*n == 0) break;
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
    } else {
      auto lent = prefetch.Lend();
      ASSERT_TRUE(lent);
      ASSERT_TRUE(lent->crc64_before.has_value());
      EXPECT_EQ(*lent->crc64_before, Crc64(0, got)) << "at " << got.size();
      if (lent->bytes.empty()) break;
      got.insert(got.end(), lent->bytes.begin(), lent->bytes.end());
    }
  }
  EXPECT_EQ(got, data);
}

TEST(PrefetchSource, LendHandsOverTheDataBeforeAnErrorThenTheError) {
  auto data = RandomBytes(5 << 20);
  Trickle inner(data, 3'000'000);
  PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes);
  std::optional<Error> error;
  auto got = DrainLent(prefetch, true, &error);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "disk went away");
  ASSERT_EQ(got.size(), 3'000'000u);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

// Records what the reader thread hands it; refuses the chunk that would pass `limit` bytes.
class RecordingSink final : public ByteSink {
 public:
  explicit RecordingSink(size_t limit = SIZE_MAX) : limit_(limit) {}
  Status Update(std::span<const uint8_t> chunk) override {
    if (seen_.size() + chunk.size() > limit_) return MakeError(ErrorCode::kIo, "store is full");
    seen_.insert(seen_.end(), chunk.begin(), chunk.end());
    return {};
  }
  const std::vector<uint8_t>& seen() const { return seen_; }

 private:
  size_t limit_;
  std::vector<uint8_t> seen_;
};

TEST(PrefetchSource, TheSinkGetsEveryChunkBeforeTheConsumerAndTheTotalCrcAtTheEnd) {
  auto data = RandomBytes(3 << 20);
  Trickle inner(data, SIZE_MAX);
  RecordingSink sink;
  std::vector<uint8_t> got;
  std::optional<uint64_t> crc;
  {
    PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes, &sink);
    std::optional<Error> error;
    got = DrainLent(prefetch, true, &error);
    EXPECT_FALSE(error.has_value());
    crc = prefetch.TotalCrc64();
  }  // joined: the sink is this thread's again
  EXPECT_EQ(got, data);
  EXPECT_EQ(sink.seen(), data);
  ASSERT_TRUE(crc.has_value());
  EXPECT_EQ(*crc, Crc64(0, data));
}

TEST(PrefetchSource, AChunkTheSinkRefusesIsNotHandedOverItsErrorIs) {
  auto data = RandomBytes(5 << 20);
  Trickle inner(data, SIZE_MAX);
  RecordingSink sink(3'000'000);
  PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes, &sink);
  std::optional<Error> error;
  auto got = DrainLent(prefetch, true, &error);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "store is full");
  EXPECT_FALSE(prefetch.TotalCrc64().has_value());
  // The consumer saw only bytes the sink took, and all of them.
  EXPECT_EQ(got.size(), sink.seen().size());
  EXPECT_LE(got.size(), 3'000'000u);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST(PrefetchSource, ASpinningConsumerGetsTheSameBytesCrcsAndError) {
  // The reader thread trickles (up to 4 KiB a read), so the consumer often finds no slot ready
  // and spins; with 3 MB it also finds some after spinning and sleeps on others.
  auto data = RandomBytes(3 << 20);
  {
    Trickle inner(data, SIZE_MAX);
    PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes, nullptr, PrefetchSource::Wait::kSpinFirst);
    std::optional<Error> error;
    EXPECT_EQ(DrainLent(prefetch, true, &error), data);
    EXPECT_FALSE(error.has_value());
    EXPECT_EQ(prefetch.TotalCrc64(), Crc64(0, data));
  }
  Trickle failing(data, 1'000'000);
  PrefetchSource prefetch(failing, PrefetchSource::Crc64::kNo, nullptr, PrefetchSource::Wait::kSpinFirst);
  std::optional<Error> error;
  auto got = Drain(prefetch, 65536, &error);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "disk went away");
  EXPECT_EQ(got, std::vector<uint8_t>(data.begin(), data.begin() + 1'000'000));
}

TEST(PrefetchSource, TheCrcsAreTheSameWhicheverThreadTakesThem) {
  // 4 MiB and a bit: sixteen full slots, whose CRCs the two threads share, and a short last one.
  auto data = RandomBytes((4 << 20) + 1000);
  {
    // A consumer slower than its source: the reader thread is ahead and checksums the slots,
    // and the consumer joins their CRCs.
    testing::ChunkedSource inner(data, 1 << 20);
    PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes);
    std::vector<uint8_t> got;
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      auto lent = prefetch.Lend();
      ASSERT_TRUE(lent.has_value());
      ASSERT_EQ(lent->crc64_before, Crc64(0, got)) << "at " << got.size();
      if (lent->bytes.empty()) break;
      got.insert(got.end(), lent->bytes.begin(), lent->bytes.end());
    }
    EXPECT_EQ(got, data);
    EXPECT_EQ(prefetch.TotalCrc64(), Crc64(0, data));
  }
  // A consumer faster than its source: it is about to wait for each slot and checksums it itself.
  Trickle inner(data, SIZE_MAX);
  PrefetchSource prefetch(inner, PrefetchSource::Crc64::kYes);
  std::optional<Error> error;
  EXPECT_EQ(DrainLent(prefetch, true, &error), data);
  EXPECT_FALSE(error.has_value());
  EXPECT_EQ(prefetch.TotalCrc64(), Crc64(0, data));
}

}  // namespace
}  // namespace tidemark
