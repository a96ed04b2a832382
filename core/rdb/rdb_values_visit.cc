// The visiting half of ValueChecker: hands each value's content to a ValueVisitor once its checks
// passed, in the order Redis's own iterators produce it (value_visitor.h).
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_values.h"

namespace tidemark::rdb {

namespace {

void Emit(ValueVisitor& visitor, const PackedElement& e) {
  char buf[24];
  std::string_view text = e.Text(buf);
  visitor.Element({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// A packed sorted set's score as Redis reads it back: integers as they are, text through strtod
// of at most 127 bytes (Redis copies the entry into a 128-byte buffer first).
double PackedScore(const PackedElement& e) {
  if (e.is_int) return static_cast<double>(e.int_value);
  char buf[128];
  size_t n = std::min(e.str.size(), sizeof buf - 1);
  std::memcpy(buf, e.str.data(), n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

uint64_t BigEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Status VisitString(RdbInput& in, StringValue& v, ValueVisitor& visitor) {
  static_assert(kLongElement == RdbInput::kBufferSize);
  struct ToVisitor final : StringPieces {
    explicit ToVisitor(ValueVisitor& v) : visitor(v) {}
    void Begin(uint64_t length) override { visitor.BeginLongElement(length); }
    void Piece(std::span<const uint8_t> bytes) override { visitor.ElementPiece(bytes); }
    ValueVisitor& visitor;
  } pieces(visitor);
  if (auto s = in.ReadString(v, pieces); !s) return s;
  if (RdbInput::Streamed(v)) {
    visitor.EndLongElement();
    return {};
  }
  v.hash = StringHash(v.bytes.data(), v.bytes.size());  // as kHash: members' duplicate checks
  visitor.Element(v.bytes);
  return {};
}

Status ValueChecker::VisitedString(StringValue& v) { return VisitString(in_, v, *visitor_); }

void ValueChecker::VisitPacked(uint8_t type, std::span<const uint8_t> payload,
                               Status (*validate)(std::span<const uint8_t>, uint64_t*, const ElementVisitor*)) {
  const bool zset = type == kTypeZsetZiplist || type == kTypeZsetListpack;
  const bool with_ttl = type == kTypeHashListpackEx || type == kTypeHashListpackExPreGa;
  int pos = 0;
  PackedElement field, value;
  ValueVisitor& visitor = *visitor_;
  ElementVisitor visit = [&](const PackedElement& e) -> Status {
    if (with_ttl) {  // field, value, TTL (0: none): the TTL is told before its field
      if (pos == 0) field = e;
      else if (pos == 1) value = e;
      else {
        if (e.int_value != 0) visitor.FieldExpire(static_cast<uint64_t>(e.int_value));
        Emit(visitor, field);
        Emit(visitor, value);
      }
      pos = pos == 2 ? 0 : pos + 1;
    } else if (zset && pos == 1) {
      visitor.Score(PackedScore(e));
      pos = 0;
    } else {
      Emit(visitor, e);
      if (zset) pos = 1;
    }
    return {};
  };
  uint64_t count = 0;
  // The payload already passed this very walk: it cannot fail now.
  (void)validate(payload, &count, &visit);
}

void ValueChecker::VisitStreamListpack(const StringValue& lp, const StringValue& master_id) {
  // Entry IDs are deltas from the node's master ID (16 bytes, big-endian ms then seq); an entry
  // flagged "same fields" stores only its values, the field names are the master entry's.
  const uint64_t master_ms = BigEndian64(master_id.bytes.data());
  const uint64_t master_seq = BigEndian64(master_id.bytes.data() + 8);
  enum { kCount, kDeleted, kMasterCount, kMasterField, kMasterEnd, kFlags, kMs, kSeq, kNumFields,
         kField, kValue, kLpCount } state = kCount;
  std::vector<PackedElement> master_fields;
  int64_t master_count = 0, flags = 0, fields = 0, done = 0;
  uint64_t ms = 0;
  bool live = false;
  ValueVisitor& visitor = *visitor_;
  auto next_field = [&] {
    ++done;
    if (done == fields) return kLpCount;
    return (flags & kStreamItemSameFields) ? kValue : kField;
  };
  ElementVisitor visit = [&](const PackedElement& e) -> Status {
    switch (state) {
      case kCount: state = kDeleted; break;
      case kDeleted: state = kMasterCount; break;
      case kMasterCount:
        master_count = e.int_value;
        state = master_count ? kMasterField : kMasterEnd;
        break;
      case kMasterField:
        master_fields.push_back(e);
        if (static_cast<int64_t>(master_fields.size()) == master_count) state = kMasterEnd;
        break;
      case kMasterEnd: state = kFlags; break;
      case kFlags: flags = e.int_value; state = kMs; break;
      case kMs: ms = master_ms + static_cast<uint64_t>(e.int_value); state = kSeq; break;
      case kSeq:
        live = !(flags & kStreamItemDeleted);
        if (live) visitor.StreamEntry(ms, master_seq + static_cast<uint64_t>(e.int_value));
        done = 0;
        if (flags & kStreamItemSameFields) {
          fields = master_count;
          state = fields ? kValue : kLpCount;
        } else {
          state = kNumFields;
        }
        break;
      case kNumFields:
        fields = e.int_value;
        done = 0;
        state = fields ? kField : kLpCount;
        break;
      case kField:
        if (live) Emit(visitor, e);
        state = kValue;
        break;
      case kValue:
        if (live) {
          if (flags & kStreamItemSameFields) Emit(visitor, master_fields[static_cast<size_t>(done)]);
          Emit(visitor, e);
        }
        state = next_field();
        break;
      case kLpCount: state = kFlags; break;
    }
    return {};
  };
  uint64_t count = 0;
  (void)ValidateListpack(lp.bytes, &count, &visit);  // validated by StreamListpack already
}

}  // namespace tidemark::rdb
