#include "cli/report_output.h"

#include <cstdio>

#include "cli/commands.h"

namespace tidemark::cli {

namespace {
const char* ChecksumName(RdbChecksum c) {
  switch (c) {
    case RdbChecksum::kVerified: return "verified";
    case RdbChecksum::kDisabled: return "disabled";
    case RdbChecksum::kAbsent: return "absent";
  }
  return "?";
}
}  // namespace

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kIo:
    case ErrorCode::kNotFound:
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    default:
      return kExitInvalid;
  }
}

web::json::value ErrorJson(const Error& error) {
  auto j = web::json::value::object();
  j["code"] = web::json::value::string(ErrorCodeName(error.code));
  j["file"] = web::json::value::string(error.where);
  if (error.offset >= 0) j["offset"] = web::json::value::number(static_cast<int64_t>(error.offset));
  j["message"] = web::json::value::string(error.message);
  return j;
}

web::json::value RdbReportJson(const RdbReport& r) {
  auto j = web::json::value::object();
  j["file"] = web::json::value::string(r.name);
  j["valid"] = web::json::value::boolean(r.valid());
  j["rdb_version"] = web::json::value::number(r.rdb_version);
  j["bytes"] = web::json::value::number(r.bytes);
  j["checksum"] = web::json::value::string(ChecksumName(r.checksum));
  auto aux = web::json::value::object();
  for (const auto& [k, v] : r.aux) aux[k] = web::json::value::string(v);
  j["aux"] = aux;
  auto dbs = web::json::value::array();
  size_t i = 0;
  for (const auto& db : r.dbs) {
    auto d = web::json::value::object();
    d["db"] = web::json::value::number(db.index);
    d["keys"] = web::json::value::number(db.keys);
    d["keys_with_expiry"] = web::json::value::number(db.keys_with_expiry);
    dbs[i++] = d;
  }
  j["dbs"] = dbs;
  j["keys"] = web::json::value::number(r.total_keys());
  auto types = web::json::value::object();
  for (const auto& [t, n] : r.keys_by_type) types[t] = web::json::value::number(n);
  j["keys_by_type"] = types;
  auto encs = web::json::value::object();
  for (const auto& [t, n] : r.keys_by_encoding) encs[t] = web::json::value::number(n);
  j["keys_by_encoding"] = encs;
  j["functions"] = web::json::value::number(r.functions);
  auto mods = web::json::value::array();
  for (size_t m = 0; m < r.modules.size(); ++m) mods[m] = web::json::value::string(r.modules[m]);
  j["modules"] = mods;
  j["error"] = r.error ? ErrorJson(*r.error) : web::json::value::null();
  return j;
}

std::string RdbReportText(const RdbReport& r) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line(r.name + ": " + (r.valid() ? "VALID" : "INVALID"));
  if (r.error) line("  error:     " + r.error->ToString());
  line("  version:   RDB " + std::to_string(r.rdb_version) +
       (r.Aux("redis-ver") ? " (written by Redis " + *r.Aux("redis-ver") + ")" : ""));
  if (r.valid()) {
    line("  size:      " + std::to_string(r.bytes) + " bytes");
    line(std::string("  checksum:  ") + ChecksumName(r.checksum) +
         (r.checksum == RdbChecksum::kDisabled ? " (written with rdbchecksum no: only the structure was checked)" : ""));
  }
  line("  keys:      " + std::to_string(r.total_keys()) + (r.valid() ? "" : " (before the error)"));
  for (const auto& db : r.dbs)
    line("    db " + std::to_string(db.index) + ": " + std::to_string(db.keys) + " keys, " +
         std::to_string(db.keys_with_expiry) + " with expiry");
  if (!r.keys_by_type.empty()) {
    std::string s = "  types:    ";
    for (const auto& [t, n] : r.keys_by_type) s += " " + t + "=" + std::to_string(n);
    line(s);
  }
  if (!r.keys_by_encoding.empty()) {
    std::string s = "  encodings:";
    for (const auto& [t, n] : r.keys_by_encoding) s += " " + t + "=" + std::to_string(n);
    line(s);
  }
  if (r.functions) line("  functions: " + std::to_string(r.functions) + " libraries");
  if (!r.modules.empty()) {
    std::string s = "  modules:   needs";
    for (const auto& m : r.modules) s += " " + m;
    line(s);
  }
  for (const auto& [k, v] : r.aux) line("  aux:       " + k + "=" + v);
  return out;
}

}  // namespace tidemark::cli
