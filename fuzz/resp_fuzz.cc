// Any bytes through the RESP reader twice: once from a source that returns everything it can,
// once from one that returns a few bytes per read (so every record straddles refills and the
// careful path runs). Both must yield the same records and the same verdict at the same offset:
// the fast in-buffer path and the careful path are two implementations of one grammar.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/aof/resp.h"

namespace {

// Returns at most `step` bytes per read (step cycles 1..max_step so refill points vary).
class DribbleSource final : public tidemark::ByteSource {
 public:
  DribbleSource(std::span<const uint8_t> data, size_t max_step) : data_(data), max_step_(max_step) {}
  tidemark::Result<size_t> Read(std::span<uint8_t> out) override {
    step_ = step_ % max_step_ + 1;
    size_t n = std::min({out.size(), data_.size() - pos_, step_});
    if (n) std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t max_step_;
  size_t step_ = 0;
  size_t pos_ = 0;
};

struct Seen {
  std::vector<std::string> records;  // one line per record
  std::optional<tidemark::Error> error;
};

Seen ReadAll(tidemark::ByteSource& source) {
  tidemark::aof::RespReader reader(source, 0, "fuzz.aof");
  Seen seen;
  for (;;) {
    auto rec = reader.Next();
    if (!rec) {
      seen.error = rec.error();
      return seen;
    }
    if (*rec == nullptr) return seen;
    const auto& r = **rec;
    std::string line = std::to_string(static_cast<int>(r.kind)) + " " + std::to_string(r.offset) +
                       "-" + std::to_string(r.end);
    if (r.end <= r.offset) std::abort();
    if (r.kind == tidemark::aof::RecordKind::kCommand) {
      line += " argc=" + std::to_string(r.argc) + " payload=" + std::to_string(r.payload_bytes) +
              " name=" + std::string(r.name) + " arg1=" + std::string(r.arg1);
    } else {
      line += " ann=" + r.annotation + " ts=" + (r.timestamp ? std::to_string(*r.timestamp) : "-");
    }
    seen.records.push_back(std::move(line));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t max_step = data[0] % 16 + 1;
  std::span<const uint8_t> bytes(data + 1, size - 1);

  tidemark::SpanSource whole(bytes);
  DribbleSource dribble(bytes, max_step);
  Seen a = ReadAll(whole);
  Seen b = ReadAll(dribble);
  if (a.records != b.records) std::abort();
  if (a.error.has_value() != b.error.has_value()) std::abort();
  if (a.error) {
    if (a.error->code != b.error->code || a.error->offset != b.error->offset) std::abort();
    if (a.error->offset < 0 || static_cast<uint64_t>(a.error->offset) > bytes.size()) std::abort();
  }
  return 0;
}
