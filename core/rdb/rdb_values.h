// Checking one value of a key (or module aux data) as it streams past. Internal to core/rdb.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rdb/duplicates.h"
#include "core/rdb/encodings.h"
#include "core/rdb/rdb_reader.h"
#include "core/rdb/value_visitor.h"

namespace tidemark::rdb {

struct ValueInfo {
  const char* type = "";      // "string", "list", ...
  const char* encoding = "";  // "raw", "listpack", "quicklist2", ...
  std::string module;         // module values: the module's name
};

const char* TypeName(uint8_t type);
// A module's name from its 64-bit id (9 chars of a 64-symbol alphabet, then a 10-bit version).
std::string ModuleName(uint64_t module_id);

// A string read for a visitor: Element, or the long-element calls for a long one
// (value_visitor.h); v.hash as ReadString(kHash) gives it.
Status VisitString(RdbInput& in, StringValue& v, ValueVisitor& visitor);

class ValueChecker {
 public:
  // Duplicates are looked for in collections of at most `max_tracked_members` members.
  ValueChecker(RdbInput& in, uint64_t max_tracked_members)
      : in_(in), max_tracked_members_(max_tracked_members) {}

  // Checks the value of `type` at the current position; fills `info`.
  Status Check(uint8_t type, ValueInfo* info);
  // Module opcode-encoded values up to their EOF opcode (MODULE_2 values and MODULE_AUX).
  Status ModuleValues(const std::string& module);
  // The visitor told the content of the values checked from now on; null: none (the fast paths).
  void SetVisitor(ValueVisitor* visitor) { visitor_ = visitor; }

 private:
  Status NotEmpty(uint64_t count, int64_t at);
  // Reads `count` strings, hashing them to find duplicates (Redis refuses duplicate members).
  Status HashedMembers(uint64_t count, int per_member_extra, const char* what);
  // Reads a payload string whole (decompressed).
  Status Payload(StringValue& v);
  // The same, but a payload whole in the read buffer is not copied: the view points into the
  // buffer (valid until the next read) or into v.bytes.
  Result<std::span<const uint8_t>> PayloadView(StringValue& v);
  Status CheckPacked(uint8_t type, ValueInfo* info);
  Status CheckQuicklist(uint8_t type);
  Status CheckHashWithTtl(uint8_t type);
  Status CheckStream(uint8_t type);
  Status StreamListpack(const StringValue& lp, const StringValue& master_id);
  Result<double> TextDouble(const char* what);
  // Visiting (rdb_values_visit.cc): a string read whole and handed to the visitor; the elements
  // of a packed payload that already passed its checks, handed over the way Redis iterates them.
  Status VisitedString(StringValue& v);
  void VisitPacked(uint8_t type, std::span<const uint8_t> payload,
                   Status (*validate)(std::span<const uint8_t>, uint64_t*, const ElementVisitor*));
  void VisitStreamListpack(const StringValue& lp, const StringValue& master_id);
  // Rewrites a payload-relative error to the file offset of the payload.
  std::unexpected<Error> InPayload(const Error& e, const StringValue& v, const char* what) const;

  RdbInput& in_;
  const uint64_t max_tracked_members_;
  ValueVisitor* visitor_ = nullptr;
  StringValue str_;       // scratch for members and fields
  StringValue payload_;   // scratch for encoded payloads
  StringValue aux_;       // scratch for stream node keys
  std::vector<uint64_t> member_hashes_;
  HashBuckets big_members_;  // member hashes of a large collection, split as they stream past
  struct Member {
    uint64_t hash;
    PackedElement element;
  };
  std::vector<Member> members_;  // of the current packed payload, for its duplicate check
};

}  // namespace tidemark::rdb
