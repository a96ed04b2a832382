#include "core/digest/dataset_digest.h"

#include <cstdio>
#include <cstring>

#include "core/rdb/rdb_format.h"

namespace tidemark {

namespace {

Sha1Digest Sha1Of(std::string_view s) {
  Sha1Digest d;
  Sha1One({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, d.data());
  return d;
}

std::array<uint8_t, 4> BigEndian(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v)};
}

// Redis's object type numbers (server.h), which the digest mixes in: not the RDB type codes.
uint32_t ObjectType(uint8_t rdb_type) {
  switch (rdb_type) {
    case rdb::kTypeString: return 0;
    case rdb::kTypeList: case rdb::kTypeListZiplist: case rdb::kTypeListQuicklist: case rdb::kTypeListQuicklist2:
      return 1;
    case rdb::kTypeSet: case rdb::kTypeSetIntset: case rdb::kTypeSetListpack: return 2;
    case rdb::kTypeZset: case rdb::kTypeZset2: case rdb::kTypeZsetZiplist: case rdb::kTypeZsetListpack: return 3;
    case rdb::kTypeStreamListpacks: case rdb::kTypeStreamListpacks2: case rdb::kTypeStreamListpacks3: return 6;
    case rdb::kTypeModule2: case rdb::kTypeModulePreGa: return 5;
    default: return 4;  // every hash encoding
  }
}

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

DatasetDigest::DatasetDigest(const DigestOptions& options)
    : at_ms_(options.at_ms),
      format_(options.score_format.value_or(ScoreFormat::kGrisu)),
      format_fixed_(options.score_format.has_value()),
      fail_on_module_(options.fail_on_module),
      batch_(options.sha1_level.value_or(BestSha1Level()), options.background),
      expire_hash_(Sha1Of("!!expire!!")),
      hexpire_hash_(Sha1Of("!!hexpire!!")) {
  for (uint32_t t = 0; t < type_hashes_.size(); ++t) Sha1One(BigEndian(t), type_hashes_[t].data());
}

void DatasetDigest::Aux(std::string_view key, std::string_view value) {
  if (format_fixed_ || key != "redis-ver") return;
  if (auto f = ScoreFormatForRedis(value)) format_ = *f;
}

bool DatasetDigest::BeginKey(const KeyStart& key) {
  if (key.expire_ms != -1 && key.expire_ms < at_ms_) {
    ++counts_[key.db].expired;
    return false;
  }
  uint32_t type = ObjectType(key.rdb_type);
  kind_ = type == 0 ? Kind::kString : type == 1 ? Kind::kList : type == 2 ? Kind::kSet
        : type == 3 ? Kind::kZset : type == 6 ? Kind::kStream : Kind::kHash;
  db_ = key.db;
  has_expire_ = key.expire_ms != -1;
  named_ = false;
  second_ = false;
  field_has_ttl_ = field_expired_ = false;
  fields_kept_ = 0;
  type_ = type;  // mixed in right after the name (the first Element)
  batch_.BeginKey(key.db);
  return true;
}

// An element's bytes, or its SHA-1 when it streamed past (the batch takes either).
template <class E>
void DatasetDigest::Consume(const E& b) {
  if (!named_) {
    batch_.MixKey(b);
    batch_.MixKey(type_hashes_[type_]);
    named_ = true;
    return;
  }
  switch (kind_) {
    case Kind::kString:
    case Kind::kList:
    case Kind::kStream:
      batch_.MixKey(b);
      break;
    case Kind::kSet:
      batch_.XorKey(b);
      break;
    case Kind::kZset:
      batch_.BeginField();
      batch_.MixField(b);
      break;
    case Kind::kHash:
      if (!second_) {
        second_ = true;
        if (field_expired_) return;
        batch_.BeginField();
        batch_.MixField(b);
        return;
      }
      second_ = false;
      if (field_expired_) {
        field_expired_ = field_has_ttl_ = false;
        return;
      }
      batch_.MixField(b);
      batch_.EndField(field_has_ttl_ ? &hexpire_hash_ : nullptr);
      field_has_ttl_ = false;
      ++fields_kept_;
      break;
  }
}

void DatasetDigest::Element(std::span<const uint8_t> bytes) { Consume(bytes); }

void DatasetDigest::BeginLongElement(uint64_t /*length*/) { long_.Reset(); }

void DatasetDigest::ElementPiece(std::span<const uint8_t> bytes) { long_.Update(bytes); }

void DatasetDigest::EndLongElement() { Consume(long_.Final()); }

void DatasetDigest::Score(double score) {
  char buf[32];
  size_t n = FormatScore(score, format_, buf);
  batch_.MixField(Bytes({buf, n}));
  batch_.EndField(nullptr);
}

void DatasetDigest::FieldExpire(uint64_t expire_ms) {
  field_has_ttl_ = true;
  field_expired_ = static_cast<int64_t>(expire_ms) < at_ms_;
}

void DatasetDigest::StreamEntry(uint64_t ms, uint64_t seq) {
  std::string id = std::to_string(ms) + "." + std::to_string(seq);
  batch_.MixKey(Bytes(id));
}

Status DatasetDigest::Module(const std::string& module_name) {
  std::string why = "a value of module type '" + module_name +
                    "': Redis digests module values with the module's own callback, which only the "
                    "module can run; no digest can be computed for this file";
  if (fail_on_module_) return MakeError(ErrorCode::kUnsupported, std::move(why));
  if (!unavailable_) unavailable_ = std::move(why);
  return {};
}

void DatasetDigest::EndKey() {
  if (kind_ == Kind::kHash && fields_kept_ == 0) {  // every field expired: Redis deletes the hash
    batch_.DropKey();
    ++counts_[db_].expired;
    return;
  }
  // Redis xors the SHA-1 of the key's digest into the dataset's, not the digest itself.
  batch_.EndKey(has_expire_ ? &expire_hash_ : nullptr);
  ++counts_[db_].keys;
}

std::string DatasetDigest::Hex() {
  Sha1Digest final{};
  for (const auto& [index, xored] : batch_.Finish()) {
    auto it = counts_.find(index);
    if (it == counts_.end() || it->second.keys == 0) continue;
    // mix(final, big-endian index)
    Sha1Digest h;
    Sha1One(BigEndian(static_cast<uint32_t>(index)), h.data());
    for (int i = 0; i < 20; ++i) final[i] ^= h[i];
    Sha1One(final, final.data());
    for (int i = 0; i < 20; ++i) final[i] ^= xored[i];
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : final) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

RdbDigestResult DigestRdb(ByteSource& source, const RdbVerifyOptions& verify, const DigestOptions& options) {
  DatasetDigest digest(options);
  RdbVerifyOptions with_visitor = verify;
  with_visitor.visitor = &digest;
  RdbDigestResult result;
  result.report = VerifyRdb(source, with_visitor);
  result.digest = digest.Hex();
  result.dbs = digest.dbs();
  result.score_format = digest.score_format();
  return result;
}

}  // namespace tidemark
