// Streams: a radix tree of listpacks keyed by master IDs, then metadata, consumer groups, their
// pending-entry lists (PEL) and consumers. The checks mirror what Redis verifies when loading
// with deep sanitization, which it skips by default.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_values.h"

namespace tidemark::rdb {

namespace {

// Walks a stream listpack's logical layout over its already-validated elements.
class StreamLayout {
 public:
  Status Feed(const PackedElement& e) {
    auto need_int = [&](const char* what) -> Status {
      if (!e.is_int)
        return MakeError(ErrorCode::kCorrupt, std::string("stream listpack: ") + what + " is not an integer",
                         static_cast<int64_t>(e.offset));
      return {};
    };
    switch (state_) {
      case kCount: if (auto s = need_int("entry count"); !s) return s; count_ = e.int_value; state_ = kDeleted; break;
      case kDeleted: if (auto s = need_int("deleted count"); !s) return s; deleted_ = e.int_value; state_ = kMasterFields; break;
      case kMasterFields:
        if (auto s = need_int("master field count"); !s) return s;
        master_fields_ = e.int_value;
        if (master_fields_ < 0) return MakeError(ErrorCode::kCorrupt, "stream listpack: negative master field count", static_cast<int64_t>(e.offset));
        left_ = master_fields_;
        state_ = left_ ? kMasterField : kMasterTerminator;
        break;
      case kMasterField: if (--left_ == 0) state_ = kMasterTerminator; break;
      case kMasterTerminator:
        if (!e.is_int || e.int_value != 0)
          return MakeError(ErrorCode::kCorrupt, "stream listpack: master entry not terminated by 0", static_cast<int64_t>(e.offset));
        state_ = kFlags;
        break;
      case kFlags:
        if (auto s = need_int("entry flags"); !s) return s;
        flags_ = e.int_value;
        state_ = kMs;
        break;
      case kMs: if (auto s = need_int("entry ID (ms)"); !s) return s; state_ = kSeq; break;
      case kSeq:
        if (auto s = need_int("entry ID (seq)"); !s) return s;
        if (flags_ & kStreamItemSameFields) {
          fields_ = master_fields_;
          left_ = fields_;
          state_ = left_ ? kValues : kLpCount;
        } else {
          state_ = kNumFields;
        }
        break;
      case kNumFields:
        if (auto s = need_int("entry field count"); !s) return s;
        fields_ = e.int_value;
        if (fields_ < 0) return MakeError(ErrorCode::kCorrupt, "stream listpack: negative field count", static_cast<int64_t>(e.offset));
        left_ = 2 * fields_;
        state_ = left_ ? kValues : kLpCount;
        break;
      case kValues: if (--left_ == 0) state_ = kLpCount; break;
      case kLpCount: {
        if (auto s = need_int("entry lp-count"); !s) return s;
        int64_t expect = (flags_ & kStreamItemSameFields) ? fields_ + 3 : 2 * fields_ + 4;
        if (e.int_value != expect)
          return MakeError(ErrorCode::kCorrupt, "stream listpack: lp-count " + std::to_string(e.int_value) +
                                                    ", expected " + std::to_string(expect),
                           static_cast<int64_t>(e.offset));
        ++records_;
        state_ = kFlags;
        break;
      }
    }
    return {};
  }

  Status Finish() const {
    if (state_ != kFlags)
      return MakeError(ErrorCode::kCorrupt, "stream listpack ends inside an entry", 0);
    if (count_ + deleted_ != records_)
      return MakeError(ErrorCode::kCorrupt, "stream listpack counts " + std::to_string(count_) + " live + " +
                                                std::to_string(deleted_) + " deleted entries, holds " +
                                                std::to_string(records_), 0);
    return {};
  }

 private:
  enum State { kCount, kDeleted, kMasterFields, kMasterField, kMasterTerminator, kFlags, kMs, kSeq,
               kNumFields, kValues, kLpCount } state_ = kCount;
  int64_t count_ = 0, deleted_ = 0, master_fields_ = 0, fields_ = 0, left_ = 0, flags_ = 0, records_ = 0;
};

struct IdHash {
  size_t operator()(const std::string& s) const { return std::hash<std::string>()(s); }
};

}  // namespace

Status ValueChecker::StreamListpack(const StringValue& lp, const StringValue& master_id) {
  StreamLayout layout;
  ElementVisitor visit = [&](const PackedElement& e) { return layout.Feed(e); };
  uint64_t count = 0;
  if (auto s = ValidateListpack(lp.bytes, &count, &visit); !s) return InPayload(s.error(), lp, "stream listpack");
  if (count == 0) return in_.Corrupt("empty listpack inside a stream", lp.offset);
  if (auto s = layout.Finish(); !s) return InPayload(s.error(), lp, "stream listpack");
  if (visitor_) VisitStreamListpack(lp, master_id);
  return {};
}

Status ValueChecker::CheckStream(uint8_t type) {
  auto length_field = [&](const char* what) { return in_.PlainLength(what); };
  auto nodes = length_field("stream listpack count");
  if (!nodes) return std::unexpected(nodes.error());
  for (uint64_t i = 0; i < *nodes; ++i) {
    if (auto s = in_.ReadString(StringUse::kKeep, aux_, 1 << 20); !s) return s;
    if (aux_.length != kStreamIdBytes)
      return in_.Corrupt("stream node key of " + std::to_string(aux_.length) + " bytes, expected a 16-byte ID", aux_.offset);
    if (auto s = Payload(payload_); !s) return s;
    if (auto s = StreamListpack(payload_, aux_); !s) return s;
  }
  int64_t meta_at = static_cast<int64_t>(in_.offset());
  auto length = length_field("stream length");
  if (!length) return std::unexpected(length.error());
  if (*length > 0 && *nodes == 0)
    return in_.Corrupt("stream length " + std::to_string(*length) + " but no listpacks", meta_at);
  int fields = type == kTypeStreamListpacks ? 2 : 7;  // last ID; then first ID, max deleted ID, entries added
  for (int i = 0; i < fields; ++i)
    if (auto v = length_field("stream metadata"); !v) return std::unexpected(v.error());
  auto groups = length_field("consumer group count");
  if (!groups) return std::unexpected(groups.error());
  std::unordered_set<uint64_t> group_names;
  for (uint64_t g = 0; g < *groups; ++g) {
    if (auto s = in_.ReadString(StringUse::kHash, str_); !s) return s;
    if (!group_names.insert(str_.hash).second)
      return in_.Corrupt("duplicate consumer group '" + Printable(reinterpret_cast<const uint8_t*>(str_.preview.data()), str_.preview.size()) + "'", str_.offset);
    std::string group = str_.preview;
    int group_fields = type == kTypeStreamListpacks ? 2 : 3;  // last delivered ID (+ entries read)
    for (int i = 0; i < group_fields; ++i)
      if (auto v = length_field("consumer group metadata"); !v) return std::unexpected(v.error());
    auto pel = length_field("consumer group PEL size");
    if (!pel) return std::unexpected(pel.error());
    std::unordered_map<std::string, bool, IdHash> owned;  // PEL ID -> claimed by a consumer
    std::string id(kStreamIdBytes, '\0');
    for (uint64_t p = 0; p < *pel; ++p) {
      int64_t at = static_cast<int64_t>(in_.offset());
      if (auto s = in_.Raw(id.data(), kStreamIdBytes); !s) return s;
      if (auto t = in_.LittleEndian(8); !t) return std::unexpected(t.error());
      if (auto c = length_field("PEL delivery count"); !c) return std::unexpected(c.error());
      if (!owned.emplace(id, false).second)
        return in_.Corrupt("duplicate PEL entry in consumer group '" + group + "'", at);
    }
    auto consumers = length_field("consumer count");
    if (!consumers) return std::unexpected(consumers.error());
    std::unordered_set<uint64_t> consumer_names;
    for (uint64_t c = 0; c < *consumers; ++c) {
      if (auto s = in_.ReadString(StringUse::kHash, str_); !s) return s;
      if (!consumer_names.insert(str_.hash).second)
        return in_.Corrupt("duplicate consumer in group '" + group + "'", str_.offset);
      size_t times = type == kTypeStreamListpacks3 ? 2 : 1;  // seen time (+ active time)
      for (size_t t = 0; t < times; ++t)
        if (auto v = in_.LittleEndian(8); !v) return std::unexpected(v.error());
      auto cpel = length_field("consumer PEL size");
      if (!cpel) return std::unexpected(cpel.error());
      for (uint64_t p = 0; p < *cpel; ++p) {
        int64_t at = static_cast<int64_t>(in_.offset());
        if (auto s = in_.Raw(id.data(), kStreamIdBytes); !s) return s;
        auto it = owned.find(id);
        if (it == owned.end())
          return in_.Corrupt("consumer PEL entry not in the PEL of group '" + group + "'", at);
        if (it->second) return in_.Corrupt("PEL entry claimed by two consumers in group '" + group + "'", at);
        it->second = true;
      }
    }
    for (const auto& [pid, claimed] : owned)
      if (!claimed) return in_.Corrupt("PEL entry of group '" + group + "' has no consumer");
  }
  return {};
}

}  // namespace tidemark::rdb
