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

constexpr const char* kApiVersion = "tidemark.dev/restore-record/v1";

std::string Path(const std::string& data_dir) { return data_dir + "/" + kRestoreRecordName; }

json::value OrNull(const std::string& s) { return s.empty() ? json::value::null() : json::value::string(s); }

std::string StrOrEmpty(const json::value& obj, const char* key) {
  return obj.has_field(key) && obj.at(key).is_string() ? obj.at(key).as_string() : "";
}

}  // namespace

Status WriteRestoreRecord(const std::string& data_dir, const RestoreRecord& r) {
  json::value v = json::value::object(true);
  v["apiVersion"] = json::value::string(kApiVersion);
  v["installedAt"] = json::value::string(backup::FormatIsoUtc(r.installed_unix));
  v["backup"] = json::value::parse(RenderBackupMetadata(r.backup));
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
  return WriteFileDurably(Path(data_dir), v.serialize() + "\n", 0644);
}

Result<std::optional<RestoreRecord>> ReadRestoreRecord(const std::string& data_dir) {
  const std::string path = Path(data_dir);
  if (::access(path.c_str(), F_OK) != 0) {
    if (errno == ENOENT) return std::optional<RestoreRecord>();
    return OsError("cannot read", path, errno);
  }
  auto text = ReadSmallFile(path);
  if (!text) return std::unexpected(text.error());
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kCorrupt, what, -1, path);
  };
  try {
    json::value v = json::value::parse(*text);
    if (StrOrEmpty(v, "apiVersion") != kApiVersion) return bad("apiVersion: expected " + std::string(kApiVersion));
    RestoreRecord r;
    auto installed = backup::ParseIsoUtc(StrOrEmpty(v, "installedAt"));
    if (!installed) return bad("installedAt: expected an RFC 3339 UTC time");
    r.installed_unix = *installed;
    if (!v.has_field("backup")) return bad("backup: missing");
    auto m = ParseBackupMetadata(v.at("backup").serialize(), path);
    if (!m) return std::unexpected(m.error());
    r.backup = *m;
    if (v.has_field("check") && v.at("check").is_object()) {
      const json::value& c = v.at("check");
      RestoreCheck check;
      check.result = StrOrEmpty(c, "result");
      check.expected = StrOrEmpty(c, "expected");
      check.actual = StrOrEmpty(c, "actual");
      check.reason = StrOrEmpty(c, "reason");
      check.checked_unix = backup::ParseIsoUtc(StrOrEmpty(c, "checkedAt")).value_or(0);
      r.check = check;
    }
    return std::optional<RestoreRecord>(std::move(r));
  } catch (const std::exception& e) {
    return bad(std::string("not valid JSON: ") + e.what());
  }
}

Status RemoveRestoreRecord(const std::string& data_dir) {
  if (::unlink(Path(data_dir).c_str()) != 0) {
    if (errno == ENOENT) return {};
    return OsError("cannot remove", Path(data_dir), errno);
  }
  return SyncDirectory(data_dir);
}

}  // namespace tidemark::sidecar
