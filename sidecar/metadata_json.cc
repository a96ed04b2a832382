#include "sidecar/metadata_json.h"

#include <cpprest/json.h>

#include "core/backup/backup_name.h"
#include "core/backup/utc_time.h"
#include "core/format/sha256.h"

namespace tidemark::sidecar {

namespace json = web::json;
using backup::BackupMetadata;

std::string RenderBackupMetadata(const BackupMetadata& m) {
  json::value v = json::value::object(true);
  v["apiVersion"] = json::value::string(std::string(kBackupMetadataApiVersion));
  v["name"] = json::value::string(m.name);
  v["createdAt"] = json::value::string(backup::FormatIsoUtc(m.created_unix));
  // A member of its own, not a fraction in createdAt: readers that predate it parse createdAt
  // strictly and would otherwise drop the backup from their listings.
  if (m.created_unix_ms) v["createdAtMillis"] = json::value::number(*m.created_unix_ms);
  v["snapshotAt"] = m.snapshot_unix ? json::value::string(backup::FormatIsoUtc(*m.snapshot_unix))
                                    : json::value::null();
  v["sizeBytes"] = json::value::number(m.size_bytes);
  v["sha256"] = json::value::string(m.sha256);
  v["rdbVersion"] = json::value::number(m.rdb_version);
  v["redisVersion"] = json::value::string(m.redis_version);
  v["keys"] = json::value::number(m.total_keys());
  json::value dbs = json::value::array();
  for (size_t i = 0; i < m.dbs.size(); ++i) {
    json::value d = json::value::object(true);
    d["db"] = json::value::number(m.dbs[i].db);
    d["keys"] = json::value::number(m.dbs[i].keys);
    d["expires"] = json::value::number(m.dbs[i].expires);
    dbs[i] = d;
  }
  v["dbs"] = dbs;
  v["sourcePod"] = json::value::string(m.source_pod);
  v["policyGeneration"] =
      m.policy_generation ? json::value::number(*m.policy_generation) : json::value::null();
  if (m.repl_id && m.repl_offset) {
    json::value r = json::value::object(true);
    r["id"] = json::value::string(*m.repl_id);
    r["offset"] = json::value::number(*m.repl_offset);
    v["replication"] = r;
  } else {
    v["replication"] = json::value::null();
  }
  v["verified"] = json::value::boolean(m.verified);
  if (m.dataset_digest) {
    json::value d = json::value::object(true);
    d["value"] = json::value::string(*m.dataset_digest);
    d["for"] = json::value::string(m.dataset_digest_for);
    v["datasetDigest"] = d;
  } else {
    v["datasetDigest"] = json::value::null();
  }
  if (m.encryption_key_id) {
    json::value e = json::value::object();
    e["algorithm"] = json::value::string(std::string(kEncryptionAlgorithm));
    e["keyId"] = json::value::string(*m.encryption_key_id);
    v["encryption"] = e;
  } else {
    v["encryption"] = json::value::null();
  }
  if (!m.instance.empty()) {
    json::value l = json::value::object(true);
    l["instance"] = json::value::string(m.instance);
    l["uid"] = json::value::string(m.instance_uid);
    v["lineage"] = l;
  } else {
    v["lineage"] = json::value::null();
  }
  return v.serialize() + "\n";
}

namespace {

// Member access that reports the member's name instead of throwing.
class Reader {
 public:
  Reader(const json::value& v, const std::string& where) : v_(v), where_(where) {}

  std::unexpected<Error> Bad(const std::string& member, const std::string& what) const {
    return MakeError(ErrorCode::kCorrupt, "member '" + member + "': " + what, -1, where_);
  }
  const json::value* Get(const std::string& member) const {
    if (!v_.is_object() || !v_.has_field(member)) return nullptr;
    return &v_.at(member);
  }
  Result<std::string> Str(const std::string& member) const {
    auto* m = Get(member);
    if (!m || !m->is_string()) return Bad(member, "expected a string");
    return m->as_string();
  }
  Result<uint64_t> U64(const std::string& member) const {
    auto* m = Get(member);
    if (!m || !m->is_number() || !m->as_number().is_uint64())
      return Bad(member, "expected a non-negative integer");
    return m->as_number().to_uint64();
  }
  bool IsNull(const std::string& member) const {
    auto* m = Get(member);
    return !m || m->is_null();
  }

 private:
  const json::value& v_;
  const std::string& where_;
};

Result<BackupMetadata> Parse(const json::value& v, const std::string& where) {
  Reader r(v, where);
  if (!v.is_object()) return MakeError(ErrorCode::kCorrupt, "expected a JSON object", -1, where);
  auto api = r.Str("apiVersion");
  if (!api) return std::unexpected(api.error());
  if (*api != kBackupMetadataApiVersion)
    return r.Bad("apiVersion", "'" + *api + "' is not known (expected " +
                                   std::string(kBackupMetadataApiVersion) + ")");
  BackupMetadata m;
  auto name = r.Str("name");
  if (!name) return std::unexpected(name.error());
  if (auto parsed = backup::ParseBackupName(*name); !parsed)
    return r.Bad("name", parsed.error().message);
  m.name = *name;
  auto created = r.Str("createdAt");
  if (!created) return std::unexpected(created.error());
  auto created_t = backup::ParseIsoUtc(*created);
  if (!created_t) return r.Bad("createdAt", "expected YYYY-MM-DDTHH:MM:SSZ");
  m.created_unix = *created_t;
  if (r.Get("createdAtMillis") && !r.IsNull("createdAtMillis")) {  // absent in older metadata
    auto ms = r.U64("createdAtMillis");
    if (!ms) return std::unexpected(ms.error());
    if (static_cast<int64_t>(*ms / 1000) != m.created_unix)
      return r.Bad("createdAtMillis", "expected milliseconds within createdAt's second");
    m.created_unix_ms = static_cast<int64_t>(*ms);
  }
  if (!r.IsNull("snapshotAt")) {
    auto s = r.Str("snapshotAt");
    if (!s) return std::unexpected(s.error());
    auto t = backup::ParseIsoUtc(*s);
    if (!t) return r.Bad("snapshotAt", "expected YYYY-MM-DDTHH:MM:SSZ or null");
    m.snapshot_unix = *t;
  }
  auto size = r.U64("sizeBytes");
  if (!size) return std::unexpected(size.error());
  m.size_bytes = *size;
  auto sha = r.Str("sha256");
  if (!sha) return std::unexpected(sha.error());
  if (!IsSha256Hex(*sha)) return r.Bad("sha256", "expected 64 lowercase hex digits");
  m.sha256 = *sha;
  auto ver = r.U64("rdbVersion");
  if (!ver) return std::unexpected(ver.error());
  if (*ver == 0 || *ver > 0xffff) return r.Bad("rdbVersion", "expected an RDB version");
  m.rdb_version = static_cast<uint32_t>(*ver);
  auto redis_ver = r.Str("redisVersion");
  if (!redis_ver) return std::unexpected(redis_ver.error());
  m.redis_version = *redis_ver;
  auto* dbs = r.Get("dbs");
  if (!dbs || !dbs->is_array()) return r.Bad("dbs", "expected an array");
  for (const auto& d : dbs->as_array()) {
    Reader dr(d, where);
    auto db = dr.U64("db"), keys = dr.U64("keys"), expires = dr.U64("expires");
    if (!db || !keys || !expires) return r.Bad("dbs", "expected {db, keys, expires} integers");
    m.dbs.push_back({*db, *keys, *expires});
  }
  auto keys = r.U64("keys");
  if (!keys) return std::unexpected(keys.error());
  if (*keys != m.total_keys()) return r.Bad("keys", "does not equal the sum of dbs[].keys");
  auto pod = r.Str("sourcePod");
  if (!pod) return std::unexpected(pod.error());
  m.source_pod = *pod;
  if (!r.IsNull("policyGeneration")) {
    auto g = r.U64("policyGeneration");
    if (!g) return std::unexpected(g.error());
    m.policy_generation = static_cast<int64_t>(*g);
  }
  if (!r.IsNull("replication")) {
    Reader rr(*r.Get("replication"), where);
    auto id = rr.Str("id");
    auto off = rr.U64("offset");
    if (!id || !off) return r.Bad("replication", "expected {id, offset} or null");
    m.repl_id = *id;
    m.repl_offset = *off;
  }
  auto* verified = r.Get("verified");
  if (!verified || !verified->is_boolean()) return r.Bad("verified", "expected true or false");
  m.verified = verified->as_bool();
  if (r.Get("datasetDigest") && !r.IsNull("datasetDigest")) {  // absent in older metadata
    Reader dr(*r.Get("datasetDigest"), where);
    auto value = dr.Str("value");
    auto for_ = dr.Str("for");
    if (!value || !for_ || value->size() != 40 ||
        value->find_first_not_of("0123456789abcdef") != std::string::npos)
      return r.Bad("datasetDigest", "expected {value: 40 lowercase hex digits, for} or null");
    m.dataset_digest = *value;
    m.dataset_digest_for = *for_;
  }
  if (r.Get("encryption") && !r.IsNull("encryption")) {  // absent in older metadata
    Reader er(*r.Get("encryption"), where);
    auto algorithm = er.Str("algorithm");
    auto key_id = er.Str("keyId");
    if (!algorithm || !key_id || key_id->empty())
      return r.Bad("encryption", "expected {algorithm, keyId} or null");
    if (*algorithm != kEncryptionAlgorithm)
      return r.Bad("encryption", "algorithm '" + *algorithm + "' is not known (expected " +
                                     std::string(kEncryptionAlgorithm) + ")");
    m.encryption_key_id = *key_id;
  }
  if (r.Get("lineage") && !r.IsNull("lineage")) {  // absent in older metadata
    Reader lr(*r.Get("lineage"), where);
    auto instance = lr.Str("instance");
    auto uid = lr.Str("uid");
    if (!instance || !uid || instance->empty())
      return r.Bad("lineage", "expected {instance: \"namespace/name\", uid} or null");
    m.instance = *instance;
    m.instance_uid = *uid;
  }
  return m;
}

}  // namespace

Result<BackupMetadata> ParseBackupMetadata(std::string_view text, const std::string& where) {
  // cpprestsdk reports bad JSON by throwing: converted here, at the library's boundary.
  try {
    return Parse(json::value::parse(std::string(text)), where);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kCorrupt, std::string("not valid JSON: ") + e.what(), -1, where);
  }
}

}  // namespace tidemark::sidecar
