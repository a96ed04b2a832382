#include "core/rdb/rdb_verifier.h"

#include <algorithm>
#include <array>
#include <map>

#include "core/rdb/duplicates.h"
#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_header.h"
#include "core/rdb/rdb_reader.h"
#include "core/rdb/rdb_values.h"

namespace tidemark {

uint64_t RdbReport::total_keys() const {
  uint64_t n = 0;
  for (const auto& db : dbs) n += db.keys;
  return n;
}

std::optional<std::string> RdbReport::Aux(std::string_view key) const {
  for (const auto& [k, v] : aux)
    if (k == key) return v;
  return std::nullopt;
}

namespace {

using namespace rdb;

class Walker {
 public:
  Walker(ByteSource& source, const RdbVerifyOptions& options, RdbReport& report)
      : in_(source, options.name), options_(options), report_(report), values_(in_, options.max_tracked_members) {}

  Status Run() {
    if (auto s = Header(); !s) return s;
    for (;;) {
      int64_t at = static_cast<int64_t>(in_.offset());
      auto op = in_.Byte();
      if (!op) return Expecting(op.error(), "an opcode or a value type");
      switch (*op) {
        case kOpEof: return Trailer();
        case kOpExpireTimeMs: {
          auto v = in_.LittleEndian(8);
          if (!v) return std::unexpected(v.error());
          has_expire_ = true;
          expire_ms_ = static_cast<int64_t>(*v);
          break;
        }
        case kOpExpireTime: {
          auto v = in_.LittleEndian(4);
          if (!v) return std::unexpected(v.error());
          has_expire_ = true;
          expire_ms_ = static_cast<int64_t>(static_cast<int32_t>(*v)) * 1000;
          break;
        }
        case kOpFreq:
          if (auto v = in_.Byte(); !v) return std::unexpected(v.error());
          break;
        case kOpIdle:
          if (auto v = in_.PlainLength("LRU idle time"); !v) return std::unexpected(v.error());
          break;
        case kOpSelectDb: {
          auto db = in_.PlainLength("database number");
          if (!db) return std::unexpected(db.error());
          SelectDb(*db);
          break;
        }
        case kOpResizeDb: {
          auto size = in_.PlainLength("database size hint");
          if (!size) return std::unexpected(size.error());
          if (auto v = in_.PlainLength("expires size hint"); !v) return std::unexpected(v.error());
          // A hint only: reserve what it says, within reason, so the key hashes are one block.
          if (options_.check_duplicate_keys) KeyHashes().Reserve(std::min<uint64_t>(*size, uint64_t{1} << 26));
          break;
        }
        case kOpSlotInfo:
          for (const char* what : {"slot id", "slot size", "slot expires size"})
            if (auto v = in_.PlainLength(what); !v) return std::unexpected(v.error());
          break;
        case kOpAux: {
          if (auto s = in_.ReadString(StringUse::kKeep, aux_key_, 1 << 20); !s) return s;
          if (auto s = in_.ReadString(StringUse::kKeep, aux_value_, 1 << 20); !s) return s;
          report_.aux.emplace_back(std::string(aux_key_.bytes.begin(), aux_key_.bytes.end()),
                                   std::string(aux_value_.bytes.begin(), aux_value_.bytes.end()));
          if (options_.visitor) options_.visitor->Aux(report_.aux.back().first, report_.aux.back().second);
          break;
        }
        case kOpModuleAux: {
          auto id = in_.PlainLength("module id");
          if (!id) return std::unexpected(id.error());
          std::string name = ModuleName(*id);
          int64_t wat = static_cast<int64_t>(in_.offset());
          auto when_op = in_.PlainLength("module aux 'when' opcode");
          if (!when_op) return std::unexpected(when_op.error());
          if (*when_op != kModuleOpUint)
            return in_.Corrupt("module aux data of " + name + ": 'when' opcode " + std::to_string(*when_op) +
                                   ", expected 2 (uint)", wat);
          if (auto v = in_.PlainLength("module aux 'when'"); !v) return std::unexpected(v.error());
          if (auto s = values_.ModuleValues(name); !s) return s;
          AddModule(name);
          break;
        }
        case kOpFunctionPreGa:
          return MakeError(ErrorCode::kUnsupported,
                           "function library in the pre-release format (opcode 246), which Redis refuses", at,
                           options_.name);
        case kOpFunction2:
          if (auto s = in_.ReadString(StringUse::kSkip, key_); !s) return s;
          ++report_.functions;
          break;
        default: {
          // Most keys of a real dataset are short strings with short values: when the whole item
          // is buffered it is hashed and skipped in place (it cannot be malformed).
          uint64_t hash;
          if (*op == kTypeString && !visiting_ && in_.BufferedKeyAndString(&hash)) {
            CountKey(kTypeString, "string", hash);
            CountStringRun();
            break;
          }
          if (auto s = Key(*op, at); !s) return s;
        }
      }
    }
  }

 // Moves the per-type-code counts into the report (also after an error: counts so far).
  void FoldCounts() {
    for (size_t code = 0; code < keys_by_code_.size(); ++code) {
      if (!keys_by_code_[code]) continue;
      report_.keys_by_type[TypeName(static_cast<uint8_t>(code))] += keys_by_code_[code];
      report_.keys_by_encoding[encoding_by_code_[code]] += keys_by_code_[code];
    }
  }

 private:
  Status Header() {
    uint8_t magic[9];
    if (auto s = in_.Raw(magic, sizeof magic); !s) return Expecting(s.error(), "the 9-byte header \"REDIS\" + version");
    return ParseRdbMagic(in_, magic, options_.max_version, report_.rdb_version);
  }

  Status Key(uint8_t type, int64_t at) {
    if (type > kMaxKnownType || type == 8)
      return in_.Corrupt("unknown value type or opcode " + std::to_string(type) + ", expected a type 0-7, 9-" +
                             std::to_string(kMaxKnownType) + " or an opcode 244-255", at);
    ValueVisitor* visitor = options_.visitor;
    if (visitor && !visitor->BeginKey(KeyStart{Db().index, type, has_expire_ ? expire_ms_ : -1})) visitor = nullptr;
    if (visitor) {
      if (auto s = VisitedKeyName(*visitor); !s) return s;
    } else if (auto s = in_.ReadString(StringUse::kHash, key_); !s) {
      return s;
    }
    ValueInfo info;
    values_.SetVisitor(visitor);
    auto checked = values_.Check(type, &info);
    values_.SetVisitor(nullptr);
    if (auto& s = checked; !s) {
      Error e = s.error();
      e.message = "key '" + Printable(reinterpret_cast<const uint8_t*>(key_.preview.data()), key_.preview.size()) +
                  "' (" + TypeName(type) + ") in db " + std::to_string(Db().index) + ": " + e.message;
      return std::unexpected(std::move(e));
    }
    if (!info.module.empty()) AddModule(info.module);
    if (visitor) visitor->EndKey();
    CountKey(type, info.encoding, key_.hash);
    return {};
  }

  // The key name whole, for the visitor, hashed exactly as ReadString(kHash) would hash it.
  Status VisitedKeyName(ValueVisitor& visitor) {
    if (auto s = VisitString(in_, key_, visitor); !s) return s;
    if (!RdbInput::Streamed(key_))  // a streamed one has its preview already
      key_.preview.assign(key_.bytes.begin(),
                          key_.bytes.begin() + std::min<size_t>(key_.bytes.size(), RdbInput::kPreviewBytes));
    return {};
  }

  [[gnu::always_inline]] void CountKey(uint8_t type, const char* encoding, uint64_t key_hash) {
    RdbDbStats& db = Db();
    ++db.keys;
    if (has_expire_) ++db.keys_with_expiry;
    has_expire_ = false;  // expire_ms_ is read only while has_expire_ is set
    // Counted by type code here (a string-keyed map per key costs more than the parsing);
    // folded into the report's maps at the end.
    ++keys_by_code_[type];
    encoding_by_code_[type] = encoding;
    if (track_keys_) KeyHashes().Add(key_hash);
  }

  // The plain string items right after one (BufferedStringItems): counted as CountKey would,
  // without the per-key dispatch. None of them has an expire time (that opcode ends the run).
  void CountStringRun() {
    size_t n;
    if (track_keys_) {
      HashBuckets& hashes = KeyHashes();
      n = in_.BufferedStringItems([&hashes](uint64_t hash) { hashes.Add(hash); });
    } else {
      n = in_.BufferedStringItems([](uint64_t) {});
    }
    Db().keys += n;
    keys_by_code_[kTypeString] += n;
  }

  Status Trailer() {
    if (has_expire_) return in_.Corrupt("expire time not followed by a key");
    uint64_t computed = in_.Crc();
    if (report_.rdb_version >= kFirstVersionWithChecksum) {
      auto stored = in_.LittleEndian(8);
      if (!stored) return Expecting(stored.error(), "the 8-byte CRC-64 after the EOF opcode");
      report_.stored_checksum = *stored;
      if (*stored == 0) {
        report_.checksum = RdbChecksum::kDisabled;
      } else if (*stored != computed) {
        return in_.Corrupt("CRC-64 mismatch: stored " + Hex(*stored) + ", computed " + Hex(computed) +
                               " over the bytes before it",
                           static_cast<int64_t>(in_.offset()) - 8);
      } else {
        report_.checksum = RdbChecksum::kVerified;
      }
    }
    report_.bytes = in_.offset();
    if (auto s = Duplicates(); !s) return s;
    if (!options_.allow_trailing_data) {
      auto end = in_.AtEnd();
      if (!end) return std::unexpected(end.error());
      if (!*end) return in_.Corrupt("unexpected bytes after the end of the RDB data");
    }
    return {};
  }

  Status Duplicates() {
    for (auto& [db, hashes] : key_hashes_) {
      if (hashes.HasDuplicate(options_.parallel))
        return MakeError(ErrorCode::kCorrupt,
                         "duplicate key in db " + std::to_string(db) +
                             " (two keys share a 64-bit hash); Redis stops loading at a duplicate key",
                         -1, options_.name);
    }
    return {};
  }

  // The current db's key hashes, looked up once per SELECTDB rather than once per key.
  HashBuckets& KeyHashes() {
    if (!current_hashes_) current_hashes_ = &key_hashes_[Db().index];
    return *current_hashes_;
  }

  void SelectDb(uint64_t index) {
    for (size_t i = 0; i < report_.dbs.size(); ++i)
      if (report_.dbs[i].index == index) { current_ = i; current_hashes_ = nullptr; return; }
    report_.dbs.push_back(RdbDbStats{index, 0, 0});
    current_ = report_.dbs.size() - 1;
    current_hashes_ = nullptr;
  }

  RdbDbStats& Db() {
    if (report_.dbs.empty()) SelectDb(0);
    return report_.dbs[current_];
  }

  void AddModule(const std::string& name) {
    if (std::find(report_.modules.begin(), report_.modules.end(), name) == report_.modules.end())
      report_.modules.push_back(name);
  }

  std::unexpected<Error> Expecting(Error e, const std::string& what) {
    if (e.code == ErrorCode::kTruncated) e.message = "file ends early: expected " + what;
    return std::unexpected(std::move(e));
  }

  static std::string Hex(uint64_t v) {
    static const char kHex[] = "0123456789abcdef";
    std::string s = "0x";
    for (int i = 60; i >= 0; i -= 4) s += kHex[(v >> i) & 15];
    return s;
  }

  RdbInput in_;
  const RdbVerifyOptions& options_;
  RdbReport& report_;
  ValueChecker values_;
  StringValue key_, aux_key_, aux_value_;
  bool has_expire_ = false;
  int64_t expire_ms_ = -1;
  // Copies of two options, read once per key: kept in the walker so that the per-key test is
  // one load from `this`, not two through the options reference.
  const bool visiting_ = options_.visitor != nullptr;
  const bool track_keys_ = options_.check_duplicate_keys;
  size_t current_ = 0;
  std::map<uint64_t, HashBuckets> key_hashes_;
  HashBuckets* current_hashes_ = nullptr;
  std::array<uint64_t, 256> keys_by_code_{};
  std::array<const char*, 256> encoding_by_code_{};
};

}  // namespace

RdbReport VerifyRdb(ByteSource& source, const RdbVerifyOptions& options) {
  RdbReport report;
  report.name = options.name;
  Walker walker(source, options, report);
  auto status = walker.Run();
  walker.FoldCounts();
  if (!status) {
    auto& s = status;
    report.error = s.error();
    if (report.error->where.empty()) report.error->where = options.name;
  }
  return report;
}

}  // namespace tidemark
