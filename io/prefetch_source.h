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
//
// Hand-offs wake the other thread only when it sleeps, and the reader thread, once the ring is
// full, sleeps until half of it is free again: waking a thread costs microseconds (more on a
// virtual machine, whose idle core must be woken by the host), and one wake-up per slot on each
// side was 7% of `verify rdb`'s CPU time and kept the two threads from overlapping.
//
// Over a FileSource it may map the file instead of reading it (Input::kMapFile): the reader
// thread then faults each window in (MADV_POPULATE_READ, which reports an I/O error as an error,
// not as SIGBUS) and checksums it, and the consumer reads the page cache in place; the kernel
// copies nothing (the copy was half of the reading thread's time). Windows the consumer is done
// with are unmapped as the reader thread moves on (mapped pages count as resident memory), so
// memory stays at the ring's size. It falls back to reading where the kernel lacks
// MADV_POPULATE_READ (before Linux 5.14). A file cut short by another process while mapped ends
// the stream early at the windows not yet faulted in; one cut inside the windows already faulted
// in is the one case that raises SIGBUS (Redis replaces its files by rename, never truncates them).
#pragma once

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/base/byte_source.h"
#include "io/file_source.h"

namespace tidemark {

class PrefetchSource final : public ByteSource {
 public:
  // Smaller slots, more of them: a slot is read by the consumer soon after the kernel filled
  // it, while it is still in the shared cache (1 MiB slots: the reads ran from memory).
  static constexpr size_t kSlots = 8;
  static constexpr size_t kSlotSize = 256 << 10;
  // A full ring's reader thread is woken once this many slots are free, not at each one.
  static constexpr size_t kRefill = kSlots / 2;
  // Map mode: consumed windows are dropped this many at a time. Each drop makes the kernel
  // flush the consumer's TLB by an interrupt of its core (costly in a virtual machine): one a
  // window was one interrupt per 256 KiB of parsing. Costs up to this many windows of RSS.
  static constexpr size_t kUnmapBatch = 4;

  enum class Crc64 : bool { kNo, kYes };
  enum class Input : bool { kRead, kMapFile };

  // `inner` (and `sink`, if any) must outlive this object and are only used from the background
  // thread while it lives. With Crc64::kYes every Lend() carries crc64_before. A chunk the sink
  // refuses is not handed over: the consumer gets the sink's error in its place.
  explicit PrefetchSource(ByteSource& inner, Crc64 crc64 = Crc64::kNo, ByteSink* sink = nullptr);
  // The same over a file, mapped with Input::kMapFile where the OS can (see above); `file` must
  // not have been read from.
  PrefetchSource(FileSource& file, Crc64 crc64, Input input, ByteSink* sink = nullptr);
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
  struct Slot {
    std::unique_ptr<uint8_t[]> buffer;  // read mode
    const uint8_t* data = nullptr;      // the slot's bytes: the buffer or a window of the map
    size_t size = 0;
    uint64_t crc_before = 0;  // CRC-64 of the stream before this slot (Crc64::kYes)
  };
  void Start();
  void Produce();
  // Fills `slot` with the next bytes, by reading or by mapping; error and eof as found.
  size_t Fill(Slot& slot, std::optional<Error>& error, bool& eof);
  size_t MapWindow(Slot& slot, std::optional<Error>& error);
  // Maps the file; false (reading instead) where the kernel cannot populate a mapping.
  bool MapFile(const FileSource& file);
  // Waits for a filled slot or the end; true when there is one. Gives back a lent slot first.
  bool WaitForSlot(std::unique_lock<std::mutex>& lock);

  ByteSource& inner_;
  const bool crc64_;
  ByteSink* const sink_;
  // Map mode: the whole file mapped read-only; windows before unmapped_ were given back.
  const uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  size_t mapped_pos_ = 0;  // bytes of the file handed to slots so far
  size_t unmapped_ = 0;
  std::string path_;
  std::array<Slot, kSlots> slots_;
  // Marks the slot in use as consumed; wakes the reader thread when it may refill its ring.
  // Called with mu_ held.
  void Release();

  std::mutex mu_;
  std::condition_variable space_;  // the reader thread waits for free slots
  std::condition_variable data_;   // the consumer waits for a filled slot
  bool producer_waiting_ = false;
  bool consumer_waiting_ = false;
  size_t filled_ = 0;    // slots produced (monotonic)
  size_t consumed_ = 0;  // slots fully consumed (monotonic)
  size_t offset_ = 0;    // bytes consumed of the current slot
  bool ended_ = false;   // the consumer was handed the end of the input
  bool lent_ = false;    // the current slot is lent: consumed at the next call
  bool done_ = false;    // producer reached end of input or an error
  bool stop_ = false;    // consumer is going away
  uint64_t total_crc_ = 0;  // CRC-64 of the whole input, once done_ without error
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace tidemark
