// Reads ahead of a consumer on a second thread, so the kernel's copy of the next chunk overlaps
// the consumer's parsing of this one (the verifiers are CPU-bound on one core; machines have two).
//
// Owns a fixed ring of kSlots buffers of kSlotSize bytes (constant memory). The consumer either
// copies bytes out (Read) or reads a slot in place (Lend: zero-copy). Asked to, it also computes
// the CRC-64 of the stream and lends every slot with the CRC of the bytes before it (the RDB
// checksum). Whichever thread has time to spare takes that pass: the reader thread checksums a
// slot when the consumer has work queued, and leaves it to the consumer when the consumer is
// about to wait for it; the consumer joins the slots' CRCs (Crc64Shift). A fixed side made one
// thread wait for the other: on the reader's side, `verify rdb`'s parser spent ~40% of its time
// waiting for slots.
// Read() and Lend() are called by one consumer thread only. The reader thread stops at end of
// input, at the first error (which is handed to the consumer after the data before it), or when
// the object is destroyed.
//
// Hand-offs wake the other thread only when it sleeps, and the reader thread, once the ring is
// full, sleeps until half of it is free again: waking a thread costs microseconds (more on a
// virtual machine, whose idle core must be woken by the host), and one wake-up per slot on each
// side was 7% of `verify rdb`'s CPU time and kept the two threads from overlapping.
//
// It reads (the kernel copies into the ring) rather than mapping the file: mapping saved that copy
// on the first machine it was measured on, but on a newer kernel in a VM that tracks page
// accesses, populating and dropping the page tables of a 1 GB file cost more than the copy
// (`verify rdb`: 259-349 ms mapped vs 229-238 ms read; docs/benchmarks.md).
#pragma once

#include <array>
#include <atomic>
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
  // A full ring's reader thread is woken once this many slots are free, not at each one.
  static constexpr size_t kRefill = kSlots / 2;

  enum class Crc64 : bool { kNo, kYes };
  // How the consumer waits for a slot the reader thread has not filled yet. kSpinFirst polls for
  // up to kSpinMicros before it sleeps: the next slot is usually that close (256 KiB take
  // ~40-60 us to read and checksum), and a sleep costs a futex wake-up on the reader's side plus, on a
  // VM that halts idle vCPUs, tens of microseconds for the host to resume this one (`verify rdb`:
  // 224-226 ms instead of 242-248 ms). It burns the waiting core, so it is for a command that
  // has the machine to itself, not for the sidecar, whose spare CPU belongs to Redis.
  enum class Wait : bool { kSleep, kSpinFirst };
  static constexpr long kSpinMicros = 100;

  // `inner` (and `sink`, if any) must outlive this object and are only used from the background
  // thread while it lives. With Crc64::kYes every Lend() carries crc64_before. A chunk the sink
  // refuses is not handed over: the consumer gets the sink's error in its place.
  explicit PrefetchSource(ByteSource& inner, Crc64 crc64 = Crc64::kNo, ByteSink* sink = nullptr,
                          Wait wait = Wait::kSleep);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;
  bool CanLend() const override { return true; }
  // Lends the rest of the oldest filled slot; the slot goes back to the reader thread at the
  // next Lend() or Read().
  Result<LentBytes> Lend() override;
  // With Crc64::kYes, once the consumer has been handed the end of the input (no error): the
  // CRC-64 of the whole input. nullopt before.
  std::optional<uint64_t> TotalCrc64();

 private:
  // The reader thread checksums a full slot itself when at least this many slots are ready for
  // the consumer (the one it is reading included), so the consumer is not about to wait.
  static constexpr size_t kCrcWhenAhead = 2;

  struct Slot {
    std::unique_ptr<uint8_t[]> buffer;
    const uint8_t* data() const { return buffer.get(); }
    size_t size = 0;
    std::optional<uint64_t> crc;  // Crc64(0, the slot's bytes), when the reader thread took it
  };
  void Start();
  void Produce();
  // Fills `slot` with the next bytes; error and eof as found.
  size_t Fill(Slot& slot, std::optional<Error>& error, bool& eof);
  // Waits for a filled slot or the end; true when there is one. Gives back a lent slot first.
  bool WaitForSlot(std::unique_lock<std::mutex>& lock);
  // The consumer's side of the checksum, without the lock: the CRC after the current slot, once.
  void CrcOfCurrentSlot(const Slot& slot);

  ByteSource& inner_;
  const bool crc64_;
  ByteSink* const sink_;
  const Wait wait_;
  std::array<Slot, kSlots> slots_;
  // Marks the slot in use as consumed; wakes the reader thread when it may refill its ring.
  // Called with mu_ held.
  void Release();

  std::mutex mu_;
  std::condition_variable space_;  // the reader thread waits for free slots
  std::condition_variable data_;   // the consumer waits for a filled slot
  bool producer_waiting_ = false;
  bool consumer_waiting_ = false;
  // Written under mu_; read without it by a consumer that spins (Wait::kSpinFirst).
  std::atomic<size_t> filled_ = 0;  // slots produced (monotonic)
  // Slots fully consumed (monotonic). Written under mu_; read without it by the reader thread,
  // which only needs an estimate of how far ahead it is.
  std::atomic<size_t> consumed_ = 0;
  size_t offset_ = 0;    // bytes consumed of the current slot
  bool ended_ = false;   // the consumer was handed the end of the input
  bool lent_ = false;    // the current slot is lent: consumed at the next call
  std::atomic<bool> done_ = false;  // producer reached end of input or an error (as filled_)
  bool stop_ = false;    // consumer is going away
  // Consumer's side (Crc64::kYes): the CRC-64 of the stream before the current slot, and after
  // it once computed (a full slot the reader thread checksummed: joined in eight lookups).
  uint64_t crc_before_ = 0;
  uint64_t crc_after_ = 0;
  bool crc_after_known_ = false;
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace tidemark
