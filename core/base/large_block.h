// Large blocks of memory for bulk data written once and then scanned (the duplicate-key check's
// hashes: 8 bytes for each of millions of keys).
//
// Where the OS offers transparent huge pages, the block asks for them: filled 4 KiB page by
// 4 KiB page, tens of MiB of fresh memory cost one page fault each (zeroing, accounting: about
// as much time as parsing the keys), and 256 interleaved write streams need 256 TLB entries.
// Contents are uninitialized. Move-only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tidemark {

class LargeBlock {
 public:
  LargeBlock() = default;
  // At least `bytes` bytes, aligned to 64. Throws std::bad_alloc, as operator new does.
  explicit LargeBlock(size_t bytes);
  ~LargeBlock();
  LargeBlock(LargeBlock&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  LargeBlock& operator=(LargeBlock&& other) noexcept;
  LargeBlock(const LargeBlock&) = delete;
  LargeBlock& operator=(const LargeBlock&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tidemark
