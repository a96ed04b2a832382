// What a walk over an RDB file tells an observer about each key's content, as Redis holds it once
// loaded: independent of how the file encodes it (listpack, ziplist, intset, hashtable...).
//
// The verifier (rdb_verifier.h) calls a ValueVisitor, when one is attached, in this order per key:
//   BeginKey -> [Element(name) -> value events -> EndKey]   (the bracket only when BeginKey said yes)
// Value events by type:
//   string       one Element (integer-encoded strings as their decimal text)
//   list         one Element per element, head to tail
//   set          one Element per member
//   hash         per field: [FieldExpire] Element(field) Element(value)
//   sorted set   per member: Element(member) Score(score)
//   stream       per live (not deleted) entry, oldest first: StreamEntry(id), then Element(field)
//                Element(value) per field; consumer groups and metadata are not visited
//   module       Module(name), whose error stops the walk
// Elements stored as integers arrive as their decimal text, as Redis returns them. Views passed
// to Element are valid only during the call. An element stored as its own string in the file
// (not inside a listpack, ziplist or intset) longer than kLongElement bytes (decompressed) comes
// in pieces instead of one Element call: BeginLongElement(length), ElementPiece... in order,
// EndLongElement; so a walk's memory does not grow with the largest value. A walk that fails
// inside such an element stops after some pieces, without EndLongElement.
//
// Without a visitor the verifier takes its fast paths; a key the visitor declines costs nothing
// extra either. Not thread-safe: one walk at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace tidemark {

struct KeyStart {
  uint64_t db = 0;
  uint8_t rdb_type = 0;     // the value type code in the file (rdb_format.h)
  int64_t expire_ms = -1;   // absolute expire time in Unix milliseconds; -1 when none
};

// Longer elements come in pieces (RdbInput::kBufferSize: what the reader holds whole anyway).
inline constexpr uint64_t kLongElement = 256 * 1024;

class ValueVisitor {
 public:
  virtual ~ValueVisitor() = default;
  // An AUX field of the file header (e.g. "redis-ver"), in file order, before the keys.
  virtual void Aux(std::string_view /*key*/, std::string_view /*value*/) {}
  // A key begins. False: the visitor does not want its name and value (they are still verified).
  virtual bool BeginKey(const KeyStart& key) = 0;
  virtual void Element(std::span<const uint8_t> bytes) = 0;
  // An element longer than kLongElement, in pieces (one element: the same place as Element).
  virtual void BeginLongElement(uint64_t length) = 0;
  virtual void ElementPiece(std::span<const uint8_t> bytes) = 0;
  virtual void EndLongElement() = 0;
  virtual void Score(double score) = 0;
  // A hash field's absolute expire time (Unix ms), just before that field.
  virtual void FieldExpire(uint64_t expire_ms) = 0;
  virtual void StreamEntry(uint64_t ms, uint64_t seq) = 0;
  virtual Status Module(const std::string& module_name) = 0;
  virtual void EndKey() = 0;
};

}  // namespace tidemark
