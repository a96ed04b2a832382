#include "io/prefetch_source.h"

#include <chrono>
#include <cstring>

#include "core/format/crc64.h"

namespace tidemark {

namespace {

// Tells the core this is a spin-wait (on x86, lets a sibling hyperthread run and saves power).
inline void Pause() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

PrefetchSource::PrefetchSource(ByteSource& inner, Crc64 crc64, ByteSink* sink, Wait wait)
    : inner_(inner), crc64_(crc64 == Crc64::kYes), sink_(sink), wait_(wait) {
  Start();
}

void PrefetchSource::Start() {
  for (auto& s : slots_) s.buffer.reset(new uint8_t[kSlotSize]);
  thread_ = std::thread([this] { Produce(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  space_.notify_all();
  thread_.join();
}

size_t PrefetchSource::Fill(Slot& slot, std::optional<Error>& error, bool& eof) {
  size_t got = 0;
  while (got < kSlotSize) {
    auto n = inner_.Read({slot.buffer.get() + got, kSlotSize - got});
    if (!n) {
      error = n.error();
      break;
    }
    if (*n == 0) {
      eof = true;
      break;
    }
    got += *n;
  }
  return got;
}

void PrefetchSource::Produce() {
  for (;;) {
    size_t index;
    {
      std::unique_lock lock(mu_);
      if (!stop_ && filled_ - consumed_ == kSlots) {
        producer_waiting_ = true;
        space_.wait(lock, [&] { return stop_ || filled_ - consumed_ <= kSlots - kRefill; });
        producer_waiting_ = false;
      }
      if (stop_) return;
      index = filled_ % kSlots;
    }
    // The slot is free: the consumer never touches slots at or past filled_.
    Slot& slot = slots_[index];
    std::optional<Error> error;
    bool eof = false;
    size_t got = Fill(slot, error, eof);
    // While the bytes are still in this core's cache, unless the consumer is about to wait for
    // them. Only full slots: the consumer's join is made for that length.
    slot.crc.reset();
    const size_t ahead = filled_.load(std::memory_order_relaxed) -
                         consumed_.load(std::memory_order_relaxed);  // slots ready, unconsumed
    if (crc64_ && got == kSlotSize && ahead >= kCrcWhenAhead)
      slot.crc = tidemark::Crc64(0, {slot.data(), got});
    if (sink_ && got) {
      if (auto s = sink_->Update({slot.data(), got}); !s) {
        error = s.error();
        got = 0;  // the consumer must not see bytes the other stages did not take
      }
    }
    bool wake;
    {
      std::lock_guard lock(mu_);
      slot.size = got;
      if (got) ++filled_;
      if (error) error_ = std::move(error);
      if (error_ || eof) done_ = true;
      wake = consumer_waiting_;
    }
    if (wake) data_.notify_one();
    if (error || eof) return;
  }
}

void PrefetchSource::Release() {
  if (crc64_) {
    crc_before_ = crc_after_;
    crc_after_known_ = false;
  }
  ++consumed_;
  offset_ = 0;
  if (producer_waiting_ && filled_ - consumed_ <= kSlots - kRefill) space_.notify_one();
}

bool PrefetchSource::WaitForSlot(std::unique_lock<std::mutex>& lock) {
  if (lent_) {
    lent_ = false;
    Release();
  }
  if (wait_ == Wait::kSpinFirst && filled_ == consumed_ && !done_) {
    const size_t want = consumed_;
    lock.unlock();
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
    auto arrived = [&] {
      return filled_.load(std::memory_order_acquire) != want || done_.load(std::memory_order_acquire);
    };
    while (!arrived() && std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 32 && !arrived(); ++i) Pause();
    }
    lock.lock();  // the slot's bytes and size are read under the lock, as without spinning
  }
  if (filled_ == consumed_ && !done_) {
    consumer_waiting_ = true;
    data_.wait(lock, [&] { return filled_ > consumed_ || done_; });
    consumer_waiting_ = false;
  }
  return filled_ > consumed_;
}

void PrefetchSource::CrcOfCurrentSlot(const Slot& slot) {
  if (!crc64_ || crc_after_known_) return;
  // Every full slot has the same length, so one table serves every source (built once).
  static const Crc64Shift kSlotShift(kSlotSize);
  crc_after_ = slot.crc ? kSlotShift.Join(crc_before_, *slot.crc)
                        : tidemark::Crc64(crc_before_, {slot.data(), slot.size});
  crc_after_known_ = true;
}

Result<size_t> PrefetchSource::Read(std::span<uint8_t> out) {
  std::unique_lock lock(mu_);
  if (!WaitForSlot(lock)) {
    if (error_) return std::unexpected(*error_);
    ended_ = true;
    return size_t{0};
  }
  Slot& slot = slots_[consumed_ % kSlots];
  lock.unlock();
  CrcOfCurrentSlot(slot);
  size_t n = std::min(out.size(), slot.size - offset_);
  std::memcpy(out.data(), slot.data() + offset_, n);
  offset_ += n;
  if (offset_ == slot.size) {
    lock.lock();
    Release();
  }
  return n;
}

Result<LentBytes> PrefetchSource::Lend() {
  std::unique_lock lock(mu_);
  if (!WaitForSlot(lock)) {
    if (error_) return std::unexpected(*error_);
    ended_ = true;
    LentBytes end;
    if (crc64_) end.crc64_before = crc_before_;
    return end;
  }
  Slot& slot = slots_[consumed_ % kSlots];
  lent_ = true;
  lock.unlock();
  CrcOfCurrentSlot(slot);
  LentBytes lent{{slot.data() + offset_, slot.size - offset_}, std::nullopt};
  if (crc64_) {
    // After Read() took part of the slot, the CRC before the rest (not a case the verifiers hit).
    lent.crc64_before =
        offset_ == 0 ? crc_before_ : tidemark::Crc64(crc_before_, {slot.data(), offset_});
  }
  return lent;
}

std::optional<uint64_t> PrefetchSource::TotalCrc64() {
  std::lock_guard lock(mu_);
  if (!crc64_ || !ended_) return std::nullopt;
  return crc_before_;
}

}  // namespace tidemark
