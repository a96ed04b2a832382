#include "io/prefetch_source.h"

#include <cstring>

#include "core/format/crc64.h"

namespace tidemark {

PrefetchSource::PrefetchSource(ByteSource& inner, Crc64 crc64) : inner_(inner), crc64_(crc64 == Crc64::kYes) {
  for (auto& s : slots_) s.data.reset(new uint8_t[kSlotSize]);
  thread_ = std::thread([this] { Produce(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PrefetchSource::Produce() {
  uint64_t crc = 0;  // of everything read so far (crc64_ only)
  for (;;) {
    size_t index;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || filled_ - consumed_ < kSlots; });
      if (stop_) return;
      index = filled_ % kSlots;
    }
    // The slot is free: the consumer never touches slots at or past filled_.
    Slot& slot = slots_[index];
    size_t got = 0;
    std::optional<Error> error;
    bool eof = false;
    while (got < kSlotSize) {
      auto n = inner_.Read({slot.data.get() + got, kSlotSize - got});
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
    slot.crc_before = crc;
    // While the bytes are still in this core's cache; this thread mostly waits in the kernel.
    if (crc64_) crc = tidemark::Crc64(crc, {slot.data.get(), got});
    {
      std::lock_guard lock(mu_);
      slot.size = got;
      if (got) ++filled_;
      if (error) error_ = std::move(error);
      if (error_ || eof) {
        done_ = true;
        total_crc_ = crc;
      }
    }
    changed_.notify_all();
    if (error || eof) return;
  }
}

bool PrefetchSource::WaitForSlot(std::unique_lock<std::mutex>& lock) {
  if (lent_) {
    lent_ = false;
    ++consumed_;
    offset_ = 0;
    changed_.notify_all();  // the reader thread may be waiting for this slot
  }
  changed_.wait(lock, [&] { return filled_ > consumed_ || done_; });
  return filled_ > consumed_;
}

Result<size_t> PrefetchSource::Read(std::span<uint8_t> out) {
  std::unique_lock lock(mu_);
  if (!WaitForSlot(lock)) {
    if (error_) return std::unexpected(*error_);
    return size_t{0};
  }
  Slot& slot = slots_[consumed_ % kSlots];
  lock.unlock();
  size_t n = std::min(out.size(), slot.size - offset_);
  std::memcpy(out.data(), slot.data.get() + offset_, n);
  offset_ += n;
  if (offset_ == slot.size) {
    lock.lock();
    ++consumed_;
    offset_ = 0;
    lock.unlock();
    changed_.notify_all();
  }
  return n;
}

Result<LentBytes> PrefetchSource::Lend() {
  std::unique_lock lock(mu_);
  if (!WaitForSlot(lock)) {
    if (error_) return std::unexpected(*error_);
    LentBytes end;
    if (crc64_) end.crc64_before = total_crc_;
    return end;
  }
  Slot& slot = slots_[consumed_ % kSlots];
  lent_ = true;
  lock.unlock();
  LentBytes lent{{slot.data.get() + offset_, slot.size - offset_}, std::nullopt};
  if (crc64_) {
    // After Read() took part of the slot, the CRC before the rest (not a case the verifiers hit).
    lent.crc64_before = offset_ == 0 ? slot.crc_before : tidemark::Crc64(slot.crc_before, {slot.data.get(), offset_});
  }
  return lent;
}

}  // namespace tidemark
