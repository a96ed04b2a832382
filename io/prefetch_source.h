// Reads ahead of a consumer on a second thread, so the kernel's copy of the next chunk overlaps
// the consumer's parsing of this one (the verifiers are CPU-bound on one core; machines have two).
//
// Owns a fixed ring of kSlots buffers of kSlotSize bytes (constant memory). Read() is called by
// one consumer thread only. The reader thread stops at end of input, at the first error (which is
// handed to the consumer after the data before it), or when the object is destroyed.
#pragma once

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/base/byte_source.h"

namespace tidemark {

class PrefetchSource final : public ByteSource {
 public:
  // Smaller slots, more of them: a slot is copied out by the consumer soon after the kernel
  // filled it, while it is still in the shared cache (1 MiB slots: the copy ran from memory).
  static constexpr size_t kSlots = 8;
  static constexpr size_t kSlotSize = 256 << 10;

  // `inner` must outlive this object and is only read from the background thread.
  explicit PrefetchSource(ByteSource& inner);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  struct Slot {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
  };
  void Produce();

  ByteSource& inner_;
  std::array<Slot, kSlots> slots_;
  std::mutex mu_;
  std::condition_variable changed_;
  size_t filled_ = 0;    // slots produced (monotonic)
  size_t consumed_ = 0;  // slots fully consumed (monotonic)
  size_t offset_ = 0;    // bytes consumed of the current slot
  bool done_ = false;    // producer reached end of input or an error
  bool stop_ = false;    // consumer is going away
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace tidemark
