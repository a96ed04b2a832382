// A ByteSource over a test's bytes that hands them out in pieces of at most `chunk` bytes, so a
// reader meets every chunk boundary: copied by Read(), or lent in place (ByteSource::Lend), with
// or without the CRC-64 of the bytes before each piece (as io/prefetch_source does).
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "core/base/byte_source.h"
#include "core/format/crc64.h"

namespace tidemark::testing {

enum class Feed { kRead, kLend, kLendWithCrc };

class ChunkedSource final : public ByteSource {
 public:
  // `data` must outlive the source.
  ChunkedSource(std::span<const uint8_t> data, size_t chunk, Feed feed = Feed::kRead)
      : data_(data), chunk_(chunk), feed_(feed) {}
  ChunkedSource(const std::string& data, size_t chunk, Feed feed = Feed::kRead)
      : ChunkedSource({reinterpret_cast<const uint8_t*>(data.data()), data.size()}, chunk, feed) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = std::min({out.size(), chunk_, data_.size() - pos_});
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  bool CanLend() const override { return feed_ != Feed::kRead; }
  Result<LentBytes> Lend() override {
    size_t n = std::min(chunk_, data_.size() - pos_);
    LentBytes lent{{data_.data() + pos_, n}, std::nullopt};
    if (feed_ == Feed::kLendWithCrc) lent.crc64_before = crc_;
    crc_ = Crc64(crc_, lent.bytes);
    pos_ += n;
    return lent;
  }

 private:
  std::span<const uint8_t> data_;
  size_t chunk_;
  Feed feed_;
  size_t pos_ = 0;
  uint64_t crc_ = 0;
};

}  // namespace tidemark::testing
