#include "core/rdb/rdb_values.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/rdb/duplicates.h"
#include "core/rdb/listpack_walk.h"
#include "core/rdb/rdb_format.h"

namespace tidemark::rdb {

const char* TypeName(uint8_t type) {
  switch (type) {
    case kTypeString: return "string";
    case kTypeList: case kTypeListZiplist: case kTypeListQuicklist: case kTypeListQuicklist2:
      return "list";
    case kTypeSet: case kTypeSetIntset: case kTypeSetListpack: return "set";
    case kTypeZset: case kTypeZset2: case kTypeZsetZiplist: case kTypeZsetListpack: return "zset";
    case kTypeHash: case kTypeHashZipmap: case kTypeHashZiplist: case kTypeHashListpack:
    case kTypeHashMetadataPreGa: case kTypeHashListpackExPreGa: case kTypeHashMetadata:
    case kTypeHashListpackEx:
      return "hash";
    case kTypeStreamListpacks: case kTypeStreamListpacks2: case kTypeStreamListpacks3: return "stream";
    case kTypeModule2: case kTypeModulePreGa: return "module";
    default: return "unknown";
  }
}

std::string ModuleName(uint64_t id) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string name;
  uint64_t bits = id >> 10;
  for (int i = 8; i >= 0; --i) name += kChars[(bits >> (6 * i)) & 63];
  return name;
}

std::unexpected<Error> ValueChecker::InPayload(const Error& e, const StringValue& v, const char* what) const {
  // Offsets inside a compressed payload do not map to file bytes: name both.
  return in_.Corrupt(std::string(what) + " payload at offset " + std::to_string(v.offset) +
                         ", byte " + std::to_string(e.offset) + " of its " +
                         std::to_string(v.length) + " bytes: " + e.message,
                     v.offset);
}

Status ValueChecker::NotEmpty(uint64_t count, int64_t at) {
  if (count == 0)
    return in_.Corrupt("empty collection: Redis never writes one and drops the key when loading", at);
  return {};
}

Status ValueChecker::Payload(StringValue& v) {
  // Payloads (listpacks, ziplists...) are parsed whole, as Redis does; they are bounded by the
  // server's own limits in practice, so a 1 GiB cap only guards against a corrupt length.
  return in_.ReadString(StringUse::kKeep, v, uint64_t{1} << 30);
}

Result<std::span<const uint8_t>> ValueChecker::PayloadView(StringValue& v) {
  std::span<const uint8_t> view;
  if (in_.BufferedPayload(&view, v)) return view;
  if (auto s = Payload(v); !s) return std::unexpected(s.error());
  return std::span<const uint8_t>(v.bytes);
}

Status ValueChecker::HashedMembers(uint64_t count, int extra, const char* what) {
  // Duplicate detection keeps 8 bytes per member; past the limit it is skipped so that memory
  // stays bounded (Redis would still refuse such a duplicate).
  bool track = count <= max_tracked_members_;
  // A large collection's hashes are bucketed by their top byte as they stream past: the check
  // then never partitions megabytes in place with random accesses.
  constexpr uint64_t kBucketedFrom = 4096;
  bool bucketed = track && count >= kBucketedFrom;
  member_hashes_.clear();
  big_members_.Clear();
  if (bucketed) big_members_.Reserve(count);
  else if (track) member_hashes_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    // Fast path: a short member (and for a hash its short value) whole in the buffer.
    uint64_t hash;
    if (!visitor_ && (extra == 1 ? in_.BufferedKeyAndString(&hash) : in_.BufferedString(&hash))) {
      if (bucketed) big_members_.Add(hash);
      else if (track) member_hashes_.push_back(hash);
      if (extra == 1) continue;
    } else {
      if (auto s = visitor_ ? VisitedString(str_) : in_.ReadString(StringUse::kHash, str_); !s) return s;
      if (bucketed) big_members_.Add(str_.hash);
      else if (track) member_hashes_.push_back(str_.hash);
    }
    if (extra == 1) {  // hash value
      StringValue& v = payload_;
      if (auto s = visitor_ ? VisitedString(v) : in_.ReadString(StringUse::kSkip, v); !s) return s;
    } else if (extra == 2) {  // binary zset score
      int64_t at = static_cast<int64_t>(in_.offset());
      auto d = in_.BinaryDouble();
      if (!d) return std::unexpected(d.error());
      if (std::isnan(*d)) return in_.Corrupt("sorted set score is NaN (Redis refuses it)", at);
      if (visitor_) visitor_->Score(*d);
    } else if (extra == 3) {  // text zset score
      auto d = TextDouble("sorted set score");
      if (!d) return std::unexpected(d.error());
      if (visitor_) visitor_->Score(*d);
    }
  }
  if (track) {
    if (bucketed ? big_members_.HasDuplicate() : HasDuplicate(member_hashes_))
      return in_.Corrupt(std::string("duplicate ") + what + " (two members hash alike; Redis refuses duplicates)");
  }
  return {};
}

Result<double> ValueChecker::TextDouble(const char* what) {
  int64_t at = static_cast<int64_t>(in_.offset());
  auto len = in_.Byte();
  if (!len) return std::unexpected(len.error());
  if (*len == 253) return in_.Corrupt(std::string(what) + " is NaN (Redis refuses it)", at);
  if (*len == 254) return HUGE_VAL;
  if (*len == 255) return -HUGE_VAL;
  char buf[256];
  if (auto s = in_.Raw(buf, *len); !s) return std::unexpected(s.error());
  buf[*len] = '\0';
  char* end = nullptr;
  double v = std::strtod(buf, &end);
  if (end == buf || std::isnan(v)) return in_.Corrupt(std::string(what) + " '" + Printable(reinterpret_cast<uint8_t*>(buf), *len) + "' is not a number", at);
  return v;
}

Status ValueChecker::ModuleValues(const std::string& module) {
  for (;;) {
    int64_t at = static_cast<int64_t>(in_.offset());
    auto op = in_.PlainLength("module opcode");
    if (!op) return std::unexpected(op.error());
    switch (*op) {
      case kModuleOpEof: return {};
      case kModuleOpSint:
      case kModuleOpUint:
        if (auto v = in_.PlainLength("module integer"); !v) return std::unexpected(v.error());
        break;
      case kModuleOpFloat:
        if (auto v = in_.LittleEndian(4); !v) return std::unexpected(v.error());
        break;
      case kModuleOpDouble:
        if (auto v = in_.LittleEndian(8); !v) return std::unexpected(v.error());
        break;
      case kModuleOpString:
        if (auto s = in_.ReadString(StringUse::kSkip, str_); !s) return s;
        break;
      default:
        return in_.Corrupt("unknown opcode " + std::to_string(*op) + " in data of module " + module +
                               ", expected 0 (EOF) to 5 (string)", at);
    }
  }
}

Status ValueChecker::Check(uint8_t type, ValueInfo* info) {
  info->type = TypeName(type);
  int64_t at = static_cast<int64_t>(in_.offset());
  switch (type) {
    case kTypeString:
      info->encoding = "string";
      return visitor_ ? VisitedString(str_) : in_.ReadString(StringUse::kSkip, str_);
    case kTypeList: {
      info->encoding = "linkedlist";
      auto n = in_.PlainLength("list length");
      if (!n) return std::unexpected(n.error());
      if (auto s = NotEmpty(*n, at); !s) return s;
      for (uint64_t i = 0; i < *n; ++i)
        if (auto s = visitor_ ? VisitedString(str_) : in_.ReadString(StringUse::kSkip, str_); !s) return s;
      return {};
    }
    case kTypeSet:
    case kTypeHash:
    case kTypeZset:
    case kTypeZset2: {
      info->encoding = type == kTypeSet || type == kTypeHash ? "hashtable" : "skiplist";
      auto n = in_.PlainLength("collection length");
      if (!n) return std::unexpected(n.error());
      if (auto s = NotEmpty(*n, at); !s) return s;
      int extra = type == kTypeHash ? 1 : type == kTypeZset2 ? 2 : type == kTypeZset ? 3 : 0;
      const char* what = type == kTypeHash ? "hash field" : type == kTypeSet ? "set member" : "sorted set member";
      return HashedMembers(*n, extra, what);
    }
    case kTypeModulePreGa:
      return MakeError(ErrorCode::kUnsupported,
                       "module value in the pre-release format (type 6), which Redis refuses", at, in_.name());
    case kTypeModule2: {
      info->encoding = "module";
      auto id = in_.PlainLength("module id");
      if (!id) return std::unexpected(id.error());
      info->module = ModuleName(*id);
      if (visitor_) {
        if (auto s = visitor_->Module(info->module); !s) return s;
      }
      return ModuleValues(info->module);
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      info->encoding = type == kTypeListQuicklist ? "quicklist" : "quicklist2";
      return CheckQuicklist(type);
    case kTypeHashMetadataPreGa:
    case kTypeHashMetadata:
      info->encoding = "hashtable-ttl";
      return CheckHashWithTtl(type);
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      info->encoding = "stream";
      return CheckStream(type);
    default:
      return CheckPacked(type, info);
  }
}

Status ValueChecker::CheckQuicklist(uint8_t type) {
  int64_t at = static_cast<int64_t>(in_.offset());
  auto nodes = in_.PlainLength("quicklist node count");
  if (!nodes) return std::unexpected(nodes.error());
  if (auto s = NotEmpty(*nodes, at); !s) return s;
  uint64_t elements = 0;
  for (uint64_t i = 0; i < *nodes; ++i) {
    uint64_t container = kQuicklistPacked;
    if (type == kTypeListQuicklist2) {
      int64_t cat = static_cast<int64_t>(in_.offset());
      auto c = in_.PlainLength("quicklist container");
      if (!c) return std::unexpected(c.error());
      if (*c != kQuicklistPlain && *c != kQuicklistPacked)
        return in_.Corrupt("quicklist container " + std::to_string(*c) + ", expected 1 (plain) or 2 (packed)", cat);
      container = *c;
    }
    if (container == kQuicklistPlain) {
      if (auto s = visitor_ ? VisitedString(str_) : in_.ReadString(StringUse::kSkip, str_); !s) return s;
      if (str_.length == 0) return in_.Corrupt("empty plain quicklist node", str_.offset);
      ++elements;
      continue;
    }
    auto node = PayloadView(payload_);
    if (!node) return std::unexpected(node.error());
    if (payload_.length == 0) return in_.Corrupt("empty quicklist node payload", payload_.offset);
    uint64_t count = 0;
    auto s = type == kTypeListQuicklist2 ? ValidateListpack(*node, &count, nullptr)
                                         : ValidateZiplist(*node, &count, nullptr);
    if (!s) return InPayload(s.error(), payload_, "quicklist node");
    if (visitor_) VisitPacked(kTypeListZiplist, *node, type == kTypeListQuicklist2 ? ValidateListpack : ValidateZiplist);
    elements += count;  // Redis skips empty nodes silently; only an all-empty list is dropped
  }
  if (elements == 0) return NotEmpty(0, at);
  return {};
}

Status ValueChecker::CheckHashWithTtl(uint8_t type) {
  int64_t at = static_cast<int64_t>(in_.offset());
  uint64_t min_expire = 0;
  if (type == kTypeHashMetadata) {
    auto m = in_.LittleEndian(8);
    if (!m) return std::unexpected(m.error());
    min_expire = *m;
    if (min_expire > kHashFieldExpireMax + 1)
      return in_.Corrupt("hash minimum field expire time " + std::to_string(min_expire) + " is out of range", at);
  }
  int64_t len_at = static_cast<int64_t>(in_.offset());
  auto n = in_.PlainLength("hash length");
  if (!n) return std::unexpected(n.error());
  if (auto s = NotEmpty(*n, len_at); !s) return s;
  member_hashes_.clear();
  const bool track = *n <= max_tracked_members_;
  for (uint64_t i = 0; i < *n; ++i) {
    int64_t tat = static_cast<int64_t>(in_.offset());
    auto ttl = in_.PlainLength("hash field TTL");
    if (!ttl) return std::unexpected(ttl.error());
    uint64_t expire_at = type == kTypeHashMetadata ? (*ttl ? *ttl + min_expire - 1 : 0) : *ttl;
    if (expire_at > kHashFieldExpireMax)
      return in_.Corrupt("hash field expire time " + std::to_string(expire_at) + " is past the maximum", tat);
    if (visitor_ && expire_at != 0) visitor_->FieldExpire(expire_at);
    if (auto s = visitor_ ? VisitedString(str_) : in_.ReadString(StringUse::kHash, str_); !s) return s;
    if (track) member_hashes_.push_back(str_.hash);
    if (auto s = visitor_ ? VisitedString(payload_) : in_.ReadString(StringUse::kSkip, payload_); !s) return s;
  }
  if (HasDuplicate(member_hashes_))
    return in_.Corrupt("duplicate hash field (two fields hash alike; Redis refuses duplicates)");
  return {};
}

namespace {

// A listpack-ex TTL entry: an integer expire time in range.
[[gnu::noinline]] Status CheckTtlEntry(const PackedElement& e) {
  if (!e.is_int || e.int_value < 0 || static_cast<uint64_t>(e.int_value) > kHashFieldExpireMax)
    return MakeError(ErrorCode::kCorrupt, "hash field TTL entry is not a valid expire time",
                     static_cast<int64_t>(e.offset));
  return {};
}

// True for [-]digits[.digits] (at least one digit): text strtod parses whole into a number,
// never NaN. The scores Redis writes as text are almost always of this form.
bool PlainDecimal(std::string_view t) {
  size_t i = !t.empty() && t[0] == '-';
  bool digit = false, dot = false;
  for (; i < t.size(); ++i) {
    if (t[i] >= '0' && t[i] <= '9') digit = true;
    else if (t[i] == '.' && !dot) dot = true;
    else return false;
  }
  return digit;
}

// A packed sorted set's score stored as text: must parse whole as a number, not NaN.
[[gnu::noinline]] Status CheckScoreText(const PackedElement& e) {
  if (PlainDecimal(e.str)) return {};  // what strtod below would accept, without a copy
  std::string text(e.str);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || std::isnan(v))
    return MakeError(ErrorCode::kCorrupt, "sorted set score '" + Printable(reinterpret_cast<const uint8_t*>(text.data()), text.size()) + "' is not a number",
                     static_cast<int64_t>(e.offset));
  return {};
}

}  // namespace

Status ValueChecker::CheckPacked(uint8_t type, ValueInfo* info) {
  int64_t at = static_cast<int64_t>(in_.offset());
  if (type == kTypeHashListpackEx) {
    auto m = in_.LittleEndian(8);
    if (!m) return std::unexpected(m.error());
  }
  // Which structure, how many entries make one member, and which entries must be unique.
  Status (*validate)(std::span<const uint8_t>, uint64_t*, const ElementVisitor*) = nullptr;
  int tuple = 1;
  const char* what = "";
  switch (type) {
    case kTypeHashZipmap: validate = ValidateZipmap; tuple = 2; info->encoding = "zipmap"; what = "hash field"; break;
    case kTypeListZiplist: validate = ValidateZiplist; tuple = 0; info->encoding = "ziplist"; break;
    case kTypeSetIntset: validate = ValidateIntset; tuple = 0; info->encoding = "intset"; break;
    case kTypeZsetZiplist: validate = ValidateZiplist; tuple = 2; info->encoding = "ziplist"; what = "sorted set member"; break;
    case kTypeHashZiplist: validate = ValidateZiplist; tuple = 2; info->encoding = "ziplist"; what = "hash field"; break;
    case kTypeHashListpack: validate = ValidateListpack; tuple = 2; info->encoding = "listpack"; what = "hash field"; break;
    case kTypeZsetListpack: validate = ValidateListpack; tuple = 2; info->encoding = "listpack"; what = "sorted set member"; break;
    case kTypeSetListpack: validate = ValidateListpack; tuple = 1; info->encoding = "listpack"; what = "set member"; break;
    case kTypeHashListpackExPreGa:
    case kTypeHashListpackEx: validate = ValidateListpack; tuple = 3; info->encoding = "listpack-ex"; what = "hash field"; break;
    default:
      return in_.Corrupt("unknown value type " + std::to_string(type) + ", expected 0-7 or 9-" +
                             std::to_string(kMaxKnownType), at - 1);
  }
  auto payload = PayloadView(payload_);
  if (!payload) return std::unexpected(payload.error());
  members_.clear();
  int next_pos = 0;  // the next element's position in its tuple (a counter: no division)
  const bool zset = type == kTypeZsetZiplist || type == kTypeZsetListpack;
  // Per element: kept small (the checks that build messages are out of line) so that it is
  // inlined into the listpack walk.
  auto member = [&](const PackedElement& e) __attribute__((always_inline)) -> Status {
    int pos = 1;
    if (tuple > 0) {
      pos = next_pos;
      if (++next_pos == tuple) next_pos = 0;
    }
    if (pos == 0) {
      uint64_t hash;
      if (!e.is_int) {
        hash = HashContiguous(reinterpret_cast<const uint8_t*>(e.str.data()), e.str.size());
      } else {
        char buf[24];
        std::string_view text = e.Text(buf);
        hash = HashContiguous(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      members_.push_back({hash, e});
    } else if (tuple == 3 && pos == 2) {
      return CheckTtlEntry(e);
    } else if (tuple == 2 && pos == 1 && zset && !e.is_int) {
      return CheckScoreText(e);
    }
    return {};
  };
  uint64_t count = 0;
  bool need_visit = tuple > 1 || (tuple == 1 && type == kTypeSetListpack);
  Status checked;
  if (validate == ValidateListpack && need_visit) {
    checked = WalkListpack(*payload, &count, member);  // the common case: inlined
  } else {
    ElementVisitor visit = member;
    checked = validate(*payload, &count, need_visit ? &visit : nullptr);
  }
  if (!checked) return InPayload(checked.error(), payload_, info->encoding);
  if (visitor_) VisitPacked(type, *payload, validate);
  // Most packed collections are small: when no two hashes are alike there is no duplicate, and
  // that is seen without moving the members.
  bool hashes_repeat = members_.size() > 16;
  for (size_t i = 1; i < members_.size() && !hashes_repeat; ++i)
    for (size_t j = 0; j < i; ++j) hashes_repeat |= members_[i].hash == members_[j].hash;
  // Sorting by hash and comparing neighbours is exact and allocation-free; Redis compares the
  // elements' text, so the integer 12 and the string "12" are the same member.
  if (hashes_repeat)
    std::sort(members_.begin(), members_.end(), [](const Member& a, const Member& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.element.offset < b.element.offset;
    });
  for (size_t i = 1; hashes_repeat && i < members_.size(); ++i) {
    if (members_[i].hash != members_[i - 1].hash) continue;
    char b1[24], b2[24];
    std::string_view t1 = members_[i - 1].element.Text(b1), t2 = members_[i].element.Text(b2);
    if (t1 != t2) continue;
    Error e{ErrorCode::kCorrupt, {}, static_cast<int64_t>(members_[i].element.offset),
            std::string("duplicate ") + what + " '" + Printable(reinterpret_cast<const uint8_t*>(t2.data()), t2.size()) + "'"};
    return InPayload(e, payload_, info->encoding);
  }
  if (tuple > 1 && count % tuple != 0)
    return in_.Corrupt(std::string(info->encoding) + " payload holds " + std::to_string(count) +
                           " entries, expected a multiple of " + std::to_string(tuple), payload_.offset);
  return NotEmpty(count, payload_.offset);
}

}  // namespace tidemark::rdb
