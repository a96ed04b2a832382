// Reads ahead of a consumer on a second thread, so the kernel's copy of the next chunk overlaps
// the consumer's parsing of this one (the verifiers are CPU-bound on one core; machines have two).
//
// Owns a fixed ring of kSlots buffers of kSlotSize bytes (constant memory). The consumer either
// copies bytes out (Read) or reads a slot in place (Lend: zero-copy). Asked to, the reader
// thread also computes the CRC-64 of the stream as it goes and lends every slot with the CRC of
// the bytes before it, taking that pass off the consumer's thread (the RDB checksum).
// Read() and Lend() are called by one consumer thread only. The reader thread stops at end of
// input, at the first error (which is handed to the consumer after the data before it), or when
// the object is destroyed.
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
  // Smaller slots, more of them: a slot is read by the consumer soon after the kernel filled
  // it, while it is still in the shared cache (1 MiB slots: the reads ran from memory).
  static constexpr size_t kSlots = 8;
  static constexpr size_t kSlotSize = 256 << 10;

  enum class Crc64 : bool { kNo, kYes };

  // `inner` must outlive this object and is only read from the background thread. With
  // Crc64::kYes every Lend() carries crc64_before.
  explicit PrefetchSource(ByteSource& inner, Crc64 crc64 = Crc64::kNo);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;
  bool CanLend() const override { return true; }
  // Lends the rest of the oldest filled slot; the slot goes back to the reader thread at the
  // next Lend() or Read().
  Result<LentBytes> Lend() override;

 private:
  struct Slot {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    uint64_t crc_before = 0;  // CRC-64 of the stream before this slot (Crc64::kYes)
  };
  void Produce();
  // Waits for a filled slot or the end; true when there is one. Gives back a lent slot first.
  bool WaitForSlot(std::unique_lock<std::mutex>& lock);

  ByteSource& inner_;
  const bool crc64_;
  std::array<Slot, kSlots> slots_;
  std::mutex mu_;
  std::condition_variable changed_;
  size_t filled_ = 0;    // slots produced (monotonic)
  size_t consumed_ = 0;  // slots fully consumed (monotonic)
  size_t offset_ = 0;    // bytes consumed of the current slot
  bool lent_ = false;    // the current slot is lent: consumed at the next call
  bool done_ = false;    // producer reached end of input or an error
  bool stop_ = false;    // consumer is going away
  uint64_t total_crc_ = 0;  // CRC-64 of the whole input, once done_ without error
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace tidemark
