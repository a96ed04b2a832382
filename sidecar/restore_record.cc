#include "sidecar/restore_record.h"

#include <unistd.h>

#include <cerrno>
#include <cpprest/json.h>

#include "core/backup/utc_time.h"
#include "io/durable_file.h"
#include "io/file_source.h"
#include "io/os_error.h"
#include "sidecar/metadata_json.h"

namespace tidemark::sidecar {

namespace json = web::json;

namespace {

constexpr const char* kApiVersion = "tidemark.dev/restore-record/v2";

std::string Path(const std::string& data_dir) { return data_dir + "/" + kRestoreRecordName; }

json::value OrNull(const std::string& s) { return s.empty() ? json::value::null() : json::value::string(s); }

std::string StrOrEmpty(const json::value& obj, const char* key) {
  return obj.has_field(key) && obj.at(key).is_string() ? obj.at(key).as_string() : "";
}

bool IsObject(const json::value& obj, const char* key) {
  return obj.has_field(key) && obj.at(key).is_object();
}

}  // namespace

std::string RenderRestoreRecord(const RestoreRecord& r) {
  json::value v = json::value::object(true);
  v["apiVersion"] = json::value::string(kApiVersion);
  v["at"] = json::value::string(backup::FormatIsoUtc(r.at_unix));
  v["decision"] = json::value::string(r.decision);
  v["sourceKind"] = json::value::string(r.source_kind);
  v["source"] = OrNull(r.source);
  v["backup"] = r.backup ? json::value::parse(RenderBackupMetadata(*r.backup)) : json::value::null();
  v["peer"] = OrNull(r.peer);
  v["installed"] = OrNull(r.installed);
  v["keys"] = r.keys ? json::value::number(*r.keys) : json::value::null();
  if (r.repl_offset) {
    json::value p = json::value::object(true);
    p["replid"] = json::value::string(r.repl_id);
    p["offset"] = json::value::number(*r.repl_offset);
    v["replication"] = p;
  } else {
    v["replication"] = json::value::null();
  }
  v["reason"] = OrNull(r.reason);
  json::value compared = json::value::array(r.compared.size());
  for (size_t i = 0; i < r.compared.size(); ++i) compared[i] = json::value::string(r.compared[i]);
  v["compared"] = compared;
  if (r.check) {
    json::value c = json::value::object(true);
    c["result"] = json::value::string(r.check->result);
    c["expected"] = OrNull(r.check->expected);
    c["actual"] = OrNull(r.check->actual);
    c["reason"] = OrNull(r.check->reason);
    c["checkedAt"] = json::value::string(backup::FormatIsoUtc(r.check->checked_unix));
    v["check"] = c;
  } else {
    v["check"] = json::value::null();
  }
  return v.serialize();
}

Result<RestoreRecord> ParseRestoreRecord(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& what) { return MakeError(ErrorCode::kCorrupt, what, -1, where); };
  try {
    json::value v = json::value::parse(text);
    if (!v.is_object()) return bad("expected a JSON object");
    if (StrOrEmpty(v, "apiVersion") != kApiVersion) return bad("apiVersion: expected " + std::string(kApiVersion));
    RestoreRecord r;
    auto at = backup::ParseIsoUtc(StrOrEmpty(v, "at"));
    if (!at) return bad("at: expected an RFC 3339 UTC time");
    r.at_unix = *at;
    r.decision = StrOrEmpty(v, "decision");
    if (r.decision.empty()) return bad("decision: expected a string");
    r.source_kind = StrOrEmpty(v, "sourceKind");
    if (r.source_kind != "local" && r.source_kind != "backup" && r.source_kind != "replica" &&
        r.source_kind != "empty")
      return bad("sourceKind: expected local, backup, replica or empty");
    r.source = StrOrEmpty(v, "source");
    if (IsObject(v, "backup")) {
      auto m = ParseBackupMetadata(v.at("backup").serialize(), where);
      if (!m) return std::unexpected(m.error());
      r.backup = *m;
    }
    r.peer = StrOrEmpty(v, "peer");
    r.installed = StrOrEmpty(v, "installed");
    if (v.has_field("keys") && v.at("keys").is_integer()) r.keys = v.at("keys").as_number().to_uint64();
    if (IsObject(v, "replication")) {
      const json::value& p = v.at("replication");
      r.repl_id = StrOrEmpty(p, "replid");
      if (p.has_field("offset") && p.at("offset").is_integer())
        r.repl_offset = p.at("offset").as_number().to_uint64();
    }
    r.reason = StrOrEmpty(v, "reason");
    if (v.has_field("compared") && v.at("compared").is_array())
      for (const auto& c : v.at("compared").as_array())
        if (c.is_string()) r.compared.push_back(c.as_string());
    if (IsObject(v, "check")) {
      const json::value& c = v.at("check");
      RestoreCheck check;
      check.result = StrOrEmpty(c, "result");
      check.expected = StrOrEmpty(c, "expected");
      check.actual = StrOrEmpty(c, "actual");
      check.reason = StrOrEmpty(c, "reason");
      check.checked_unix = backup::ParseIsoUtc(StrOrEmpty(c, "checkedAt")).value_or(0);
      r.check = check;
    }
    return r;
  } catch (const std::exception& e) {
    return bad(std::string("not valid JSON: ") + e.what());
  }
}

Status WriteRestoreRecord(const std::string& data_dir, const RestoreRecord& r, FileSystem& fs) {
  return WriteFileDurably(Path(data_dir), RenderRestoreRecord(r) + "\n", 0644, fs);
}

Result<std::optional<RestoreRecord>> ReadRestoreRecord(const std::string& data_dir) {
  const std::string path = Path(data_dir);
  if (::access(path.c_str(), F_OK) != 0) {
    if (errno == ENOENT) return std::optional<RestoreRecord>();
    return OsError("cannot read", path, errno);
  }
  auto text = ReadSmallFile(path);
  if (!text) return std::unexpected(text.error());
  auto r = ParseRestoreRecord(*text, path);
  if (!r) return std::unexpected(r.error());
  return std::optional<RestoreRecord>(std::move(*r));
}

}  // namespace tidemark::sidecar
