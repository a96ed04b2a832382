#include "io/prefetch_source.h"

#include <cstring>

namespace tidemark {

PrefetchSource::PrefetchSource(ByteSource& inner) : inner_(inner) {
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
    {
      std::lock_guard lock(mu_);
      slot.size = got;
      if (got) ++filled_;
      if (error) error_ = std::move(error);
      if (error_ || eof) done_ = true;
    }
    changed_.notify_all();
    if (done_) return;
  }
}

Result<size_t> PrefetchSource::Read(std::span<uint8_t> out) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return filled_ > consumed_ || done_; });
  if (filled_ == consumed_) {
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

}  // namespace tidemark
