// Validators for the compact encodings Redis embeds as string payloads in RDB files: listpack,
// ziplist, intset and zipmap. Each checks the whole structure the way Redis's deep sanitizer
// (`sanitize-dump-payload yes`) does, which the server skips by default when loading an RDB: a
// payload that passes the CRC but is internally broken is loaded and crashes or mangles later.
//
// Offsets in the returned errors are relative to the start of the payload; the caller adds
// where the payload sits in the file.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::rdb {

// One element of a packed encoding: an integer or a byte string (a view into the payload).
struct PackedElement {
  bool is_int = false;
  int64_t int_value = 0;
  std::string_view str;
  size_t offset = 0;  // relative to the payload
  // The element as Redis compares it: the string, or the integer's decimal text.
  std::string_view Text(char (&buf)[24]) const;
};

// Called for each element in order; an error stops the walk and is returned.
using ElementVisitor = std::function<Status(const PackedElement&)>;

// Each returns the element count through `count`. `visit` may be null.
Status ValidateListpack(std::span<const uint8_t> lp, uint64_t* count, const ElementVisitor* visit);
Status ValidateZiplist(std::span<const uint8_t> zl, uint64_t* count, const ElementVisitor* visit);
// Also checks that members are strictly increasing (sorted, no duplicates) and not empty.
Status ValidateIntset(std::span<const uint8_t> is, uint64_t* count, const ElementVisitor* visit);
// Counts entries (pairs count as two elements, as in a ziplist hash).
Status ValidateZipmap(std::span<const uint8_t> zm, uint64_t* count, const ElementVisitor* visit);

}  // namespace tidemark::rdb
