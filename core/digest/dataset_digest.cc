#include "core/digest/dataset_digest.h"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose per-call setup
// costs more than hashing the short strings a digest is made of (two SHA-1s per element).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdio>
#include <cstring>

#include "core/rdb/rdb_format.h"

namespace tidemark {

namespace {

using Sha1 = DatasetDigest::Sha1;

// SHA-1 with the padding done here: whole blocks go straight to the block function and the
// state is read off, skipping SHA1_Final's bookkeeping and cleansing, which cost more than the
// hashing itself for the short strings a digest is made of (a key, a 20-byte digest).
void Sha1Of(const void* p, size_t n, uint8_t* out) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  const size_t whole = n & ~size_t{63};
  if (whole) SHA1_Update(&ctx, p, whole);
  uint8_t tail[128];
  const size_t rest = n - whole;
  const size_t blocks = rest < 56 ? 1 : 2;
  std::memcpy(tail, static_cast<const uint8_t*>(p) + whole, rest);
  tail[rest] = 0x80;
  std::memset(tail + rest + 1, 0, blocks * 64 - rest - 1);
  const uint64_t bits = uint64_t{n} * 8;
  for (int i = 0; i < 8; ++i) tail[blocks * 64 - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  SHA1_Update(&ctx, tail, blocks * 64);  // block-aligned: processed at once, nothing buffered
  const SHA_LONG h[5] = {ctx.h0, ctx.h1, ctx.h2, ctx.h3, ctx.h4};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
}

void XorDigest(Sha1& d, const void* p, size_t n) {
  uint8_t h[20];
  Sha1Of(p, n, h);
  for (int i = 0; i < 20; ++i) d[i] ^= h[i];
}

void MixDigest(Sha1& d, const void* p, size_t n) {
  XorDigest(d, p, n);
  Sha1Of(d.data(), d.size(), d.data());
}

void MixU32(Sha1& d, uint32_t v) {
  uint8_t be[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                   static_cast<uint8_t>(v)};
  MixDigest(d, be, 4);
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

}  // namespace

DatasetDigest::DatasetDigest(const DigestOptions& options)
    : at_ms_(options.at_ms),
      format_(options.score_format.value_or(ScoreFormat::kGrisu)),
      format_fixed_(options.score_format.has_value()),
      fail_on_module_(options.fail_on_module) {}

void DatasetDigest::Aux(std::string_view key, std::string_view value) {
  if (format_fixed_ || key != "redis-ver") return;
  unsigned major = 0, minor = 0;
  std::string text(value);
  if (std::sscanf(text.c_str(), "%u.%u", &major, &minor) == 2)
    format_ = (major < 7 || (major == 7 && minor < 2)) ? ScoreFormat::kPrintf17g : ScoreFormat::kGrisu;
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
  key_.fill(0);
  type_ = type;  // mixed in right after the name (the first Element)
  return true;
}

void DatasetDigest::Element(std::span<const uint8_t> b) {
  if (!named_) {
    MixDigest(key_, b.data(), b.size());
    MixU32(key_, type_);
    named_ = true;
    return;
  }
  switch (kind_) {
    case Kind::kString:
    case Kind::kList:
    case Kind::kStream:
      MixDigest(key_, b.data(), b.size());
      break;
    case Kind::kSet:
      XorDigest(key_, b.data(), b.size());
      break;
    case Kind::kZset:
      element_.fill(0);
      MixDigest(element_, b.data(), b.size());
      break;
    case Kind::kHash:
      if (!second_) {
        second_ = true;
        if (field_expired_) return;
        element_.fill(0);
        MixDigest(element_, b.data(), b.size());
        return;
      }
      second_ = false;
      if (field_expired_) {
        field_expired_ = field_has_ttl_ = false;
        return;
      }
      MixDigest(element_, b.data(), b.size());
      if (field_has_ttl_) XorDigest(element_, "!!hexpire!!", 11);
      XorDigest(key_, element_.data(), element_.size());
      field_has_ttl_ = false;
      ++fields_kept_;
      break;
  }
}

void DatasetDigest::Score(double score) {
  char buf[32];
  size_t n = FormatScore(score, format_, buf);
  MixDigest(element_, buf, n);
  XorDigest(key_, element_.data(), element_.size());
}

void DatasetDigest::FieldExpire(uint64_t expire_ms) {
  field_has_ttl_ = true;
  field_expired_ = static_cast<int64_t>(expire_ms) < at_ms_;
}

void DatasetDigest::StreamEntry(uint64_t ms, uint64_t seq) {
  std::string id = std::to_string(ms) + "." + std::to_string(seq);
  MixDigest(key_, id.data(), id.size());
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
    ++counts_[db_].expired;
    return;
  }
  if (has_expire_) XorDigest(key_, "!!expire!!", 10);
  // Redis xors the SHA-1 of the key's digest into the dataset's, not the digest itself.
  XorDigest(dbs_[db_], key_.data(), key_.size());
  ++counts_[db_].keys;
}

std::string DatasetDigest::Hex() const {
  Sha1 final{};
  for (const auto& [index, xored] : dbs_) {
    auto it = counts_.find(index);
    if (it == counts_.end() || it->second.keys == 0) continue;
    MixU32(final, static_cast<uint32_t>(index));
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
