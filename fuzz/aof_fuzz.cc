// Any bytes as a single-file AOF (RDB preamble sniffing included): never crash, hang or read out
// of bounds, and the verdict's offsets are consistent: a valid file is good to its end, a
// truncated one is good up to a point inside it, and cutting there yields a valid file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "core/aof/aof_verifier.h"

namespace {

class OneFile final : public tidemark::aof::AofFileOpener {
 public:
  OneFile(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  tidemark::Result<Opened> Open(const std::string&, uint64_t offset) override {
    Opened o;
    o.size = n_;
    o.source = std::make_unique<tidemark::SpanSource>(
        std::span<const uint8_t>(d_ + std::min<uint64_t>(offset, n_), n_ - std::min<uint64_t>(offset, n_)));
    return o;
  }

 private:
  const uint8_t* d_;
  size_t n_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark::aof;
  OneFile opener(data, size);
  AofVerifyOptions options;
  options.truncate_after_timestamp = 1000;
  AofReport r = VerifyLegacyAof(opener, "fuzz.aof", options);
  if (r.files.size() != 1) std::abort();
  const AofFileReport& f = r.files[0];
  if (f.last_good_offset > size) std::abort();
  if (f.verdict == AofVerdict::kValid && (r.error || f.last_good_offset != size)) std::abort();
  if (f.verdict == AofVerdict::kTruncated) {
    if (f.bytes_to_cut != size - f.last_good_offset || f.bytes_to_cut == 0) std::abort();
    OneFile cut(data, f.last_good_offset);
    AofReport again = VerifyLegacyAof(cut, "cut.aof", {});
    if (!again.valid()) std::abort();
  }
  if (f.timestamp_cut_offset && *f.timestamp_cut_offset > size) std::abort();
  return 0;
}
