// Any byte string through the RDB verifier: it must return a report, never crash, hang or read
// out of bounds. Also checks that a verdict does not depend on how the input is chunked.
#include <cstddef>
#include <algorithm>
#include <cstdint>

#include "core/rdb/rdb_verifier.h"

namespace {

// Hands out at most `chunk` bytes per read, to exercise buffer refills at every boundary.
class ChunkedSource final : public tidemark::ByteSource {
 public:
  ChunkedSource(const uint8_t* d, size_t n, size_t chunk) : d_(d), n_(n), chunk_(chunk) {}
  tidemark::Result<size_t> Read(std::span<uint8_t> out) override {
    size_t k = std::min({out.size(), n_ - pos_, chunk_});
    std::copy(d_ + pos_, d_ + pos_ + k, out.data());
    pos_ += k;
    return k;
  }

 private:
  const uint8_t* d_;
  size_t n_, pos_ = 0, chunk_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidemark::SpanSource whole({data, size});
  auto a = tidemark::VerifyRdb(whole, {.name = "fuzz"});
  ChunkedSource chunked(data, size, 1 + size % 7);
  auto b = tidemark::VerifyRdb(chunked, {.name = "fuzz"});
  if (a.valid() != b.valid()) __builtin_trap();
  if (!a.valid() && a.error->offset != b.error->offset) __builtin_trap();
  return 0;
}
