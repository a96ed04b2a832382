// Intset: <encoding u32 LE: 2, 4 or 8> <length u32 LE> <length little-endian integers, sorted>.
#include "core/rdb/encodings.h"

namespace tidemark::rdb {

namespace {
uint64_t LoadLE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
std::unexpected<Error> Bad(size_t at, std::string msg) {
  return MakeError(ErrorCode::kCorrupt, "intset: " + msg, static_cast<int64_t>(at));
}
}  // namespace

Status ValidateIntset(std::span<const uint8_t> is, uint64_t* count, const ElementVisitor* visit) {
  if (is.size() < 8) return Bad(0, "payload of " + std::to_string(is.size()) + " bytes, expected at least 8");
  uint64_t enc = LoadLE(is.data(), 4);
  if (enc != 2 && enc != 4 && enc != 8) return Bad(0, "encoding " + std::to_string(enc) + ", expected 2, 4 or 8");
  uint64_t len = LoadLE(is.data() + 4, 4);
  if (len == 0) return Bad(4, "empty intset");
  if (8 + enc * len != is.size())
    return Bad(4, std::to_string(len) + " members of " + std::to_string(enc) + " bytes need " +
                      std::to_string(8 + enc * len) + " bytes, payload has " + std::to_string(is.size()));
  int64_t prev = 0;
  for (uint64_t i = 0; i < len; ++i) {
    size_t at = 8 + i * enc;
    uint64_t raw = LoadLE(is.data() + at, enc);
    uint64_t m = uint64_t{1} << (8 * enc - 1);
    int64_t v = static_cast<int64_t>((raw ^ m) - m);
    if (i > 0 && v <= prev) return Bad(at, "members not strictly increasing (sorted, unique)");
    prev = v;
    if (visit) {
      PackedElement e;
      e.is_int = true;
      e.int_value = v;
      e.offset = at;
      if (auto s = (*visit)(e); !s) return s;
    }
  }
  *count = len;
  return {};
}

}  // namespace tidemark::rdb
