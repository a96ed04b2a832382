#include <charconv>

#include "core/rdb/encodings.h"
#include "core/rdb/listpack_walk.h"

namespace tidemark::rdb {

std::string_view PackedElement::Text(char (&buf)[24]) const {
  if (!is_int) return str;
  auto r = std::to_chars(buf, buf + sizeof buf, int_value);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}

namespace listpack_detail {

std::unexpected<Error> Bad(size_t at, std::string msg) {
  return MakeError(ErrorCode::kCorrupt, "listpack: " + msg, static_cast<int64_t>(at));
}

std::unexpected<Error> BadBacklen(size_t at, uint64_t entry) {
  return Bad(at, "backlen does not match the entry: expected " + std::to_string(entry));
}

std::unexpected<Error> BadEnd(size_t p, size_t size, uint64_t declared, uint64_t n) {
  if (p != size - 1) return Bad(p, "terminator before the end of the payload");
  return Bad(4, "header counts " + std::to_string(declared) + " elements, found " + std::to_string(n));
}

}  // namespace listpack_detail

Status ValidateListpack(std::span<const uint8_t> lp, uint64_t* count, const ElementVisitor* visit) {
  if (!visit) return WalkListpack(lp, count, [](const PackedElement&) -> Status { return {}; });
  return WalkListpack(lp, count, *visit);
}

}  // namespace tidemark::rdb
