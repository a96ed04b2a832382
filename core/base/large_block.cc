#include "core/base/large_block.h"

#include <cstdlib>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tidemark {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

LargeBlock::LargeBlock(size_t bytes) {
  // Whole huge pages, aligned to one, when the block spans at least one; small blocks as usual.
  const size_t align = bytes >= kHugePage ? kHugePage : 64;
  size_ = (bytes + align - 1) / align * align;
  if (size_ == 0) return;
  data_ = std::aligned_alloc(align, size_);
  if (!data_) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: without THP (or with it off) the block is ordinary memory.
  if (align == kHugePage) (void)::madvise(data_, size_, MADV_HUGEPAGE);
#endif
}

LargeBlock::~LargeBlock() { std::free(data_); }

LargeBlock& LargeBlock::operator=(LargeBlock&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace tidemark
