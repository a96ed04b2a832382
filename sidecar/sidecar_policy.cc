#include "sidecar/sidecar_policy.h"

#include <cpprest/json.h>

#include "io/file_source.h"

namespace tidemark::sidecar {

namespace json = web::json;

namespace {

constexpr std::string_view kApiVersion = "tidemark.dev/sidecar-policy/v1";

struct Walk {
  const std::string& where;

  std::unexpected<Error> Bad(const std::string& path, const std::string& what) const {
    return MakeError(ErrorCode::kInvalidArgument, path + ": " + what, -1, where);
  }
  Result<const json::value*> Member(const json::value& obj, const std::string& path,
                                    const std::string& key) const {
    if (!obj.is_object() || !obj.has_field(key)) return Bad(path + "." + key, "missing");
    return &obj.at(key);
  }
  template <class Check, class Get>
  auto Typed(const json::value& obj, const std::string& path, const std::string& key, Check check,
             Get get, const char* what) const -> Result<decltype(get(obj))> {
    auto m = Member(obj, path, key);
    if (!m) return std::unexpected(m.error());
    if (!check(**m)) return Bad(path + "." + key, std::string("expected ") + what);
    return get(**m);
  }
  Result<std::string> Str(const json::value& o, const std::string& p, const std::string& k) const {
    return Typed(o, p, k, [](const json::value& v) { return v.is_string(); },
                 [](const json::value& v) { return v.as_string(); }, "a string");
  }
  Result<bool> Bool(const json::value& o, const std::string& p, const std::string& k) const {
    return Typed(o, p, k, [](const json::value& v) { return v.is_boolean(); },
                 [](const json::value& v) { return v.as_bool(); }, "true or false");
  }
  Result<uint64_t> Size(const json::value& o, const std::string& p, const std::string& k) const {
    return Typed(o, p, k, [](const json::value& v) { return v.is_number() && v.as_number().is_uint64(); },
                 [](const json::value& v) { return v.as_number().to_uint64(); },
                 "a non-negative integer");
  }
  Result<uint32_t> Count(const json::value& o, const std::string& p, const std::string& k) const {
    return Typed(
        o, p, k,
        [](const json::value& v) {
          return v.is_number() && v.as_number().is_uint64() && v.as_number().to_uint64() < 1u << 20;
        },
        [](const json::value& v) { return static_cast<uint32_t>(v.as_number().to_uint64()); },
        "a non-negative integer");
  }
};

#define TRY_ASSIGN(lhs, expr)                             \
  do {                                                    \
    auto tmp_ = (expr);                                   \
    if (!tmp_) return std::unexpected(tmp_.error());      \
    lhs = *tmp_;                                          \
  } while (0)

Result<backup::RetentionRules> ParseRetention(const Walk& w, const json::value& parent,
                                              const std::string& path) {
  const json::value* ret;
  TRY_ASSIGN(ret, w.Member(parent, path, "retention"));
  const std::string at = path + ".retention";
  backup::RetentionRules rules;
  TRY_ASSIGN(rules.keep_last, w.Count(*ret, at, "keepLast"));
  TRY_ASSIGN(rules.keep_daily, w.Count(*ret, at, "keepDaily"));
  TRY_ASSIGN(rules.keep_weekly, w.Count(*ret, at, "keepWeekly"));
  return rules;
}

// A member that is a string or null.
Result<std::optional<std::string>> OptStr(const Walk& w, const json::value& o,
                                          const std::string& path, const std::string& key) {
  const json::value* v;
  TRY_ASSIGN(v, w.Member(o, path, key));
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return w.Bad(path + "." + key, "expected a string or null");
  return std::optional<std::string>(v->as_string());
}

Result<ObjectStorePolicy> ParseObjectStore(const Walk& w, const json::value& o, bool allow_empty) {
  const std::string at = "backup.objectStore";
  ObjectStorePolicy s;
  TRY_ASSIGN(s.endpoint, w.Str(o, at, "endpoint"));
  TRY_ASSIGN(s.bucket, w.Str(o, at, "bucket"));
  TRY_ASSIGN(s.prefix, w.Str(o, at, "prefix"));
  TRY_ASSIGN(s.region, w.Str(o, at, "region"));
  std::string addressing;
  TRY_ASSIGN(addressing, w.Str(o, at, "addressing"));
  if (addressing != "path" && addressing != "virtual")
    return w.Bad(at + ".addressing", "expected path or virtual");
  s.virtual_hosted = addressing == "virtual";
  TRY_ASSIGN(s.access_key_id_file, w.Str(o, at, "accessKeyIdFile"));
  TRY_ASSIGN(s.secret_access_key_file, w.Str(o, at, "secretAccessKeyFile"));
  TRY_ASSIGN(s.session_token_file, OptStr(w, o, at, "sessionTokenFile"));
  TRY_ASSIGN(s.ca_bundle_file, OptStr(w, o, at, "caBundleFile"));
  const json::value* enc;
  TRY_ASSIGN(enc, w.Member(o, at, "encryption"));
  if (!enc->is_null()) {
    TRY_ASSIGN(s.encryption_key_id, w.Str(*enc, at + ".encryption", "keyId"));
    TRY_ASSIGN(s.encryption_key_file, w.Str(*enc, at + ".encryption", "keyFile"));
  }
  TRY_ASSIGN(s.retention, ParseRetention(w, o, at));
  s.retention.allow_empty = allow_empty;
  return s;
}

Result<SidecarPolicy> Parse(const json::value& doc, const std::string& where) {
  Walk w{where};
  SidecarPolicy p;
  std::string api;
  TRY_ASSIGN(api, w.Str(doc, "", "apiVersion"));
  if (api != kApiVersion)
    return w.Bad("apiVersion", "'" + api + "' is not known to this sidecar (expected " +
                                   std::string(kApiVersion) + "); upgrade the sidecar");
  const json::value* resource;
  TRY_ASSIGN(resource, w.Member(doc, "", "resource"));
  TRY_ASSIGN(p.resource_namespace, w.Str(*resource, "resource", "namespace"));
  TRY_ASSIGN(p.resource_name, w.Str(*resource, "resource", "name"));
  TRY_ASSIGN(p.mode, w.Str(doc, "", "mode"));
  const json::value* rdb;
  TRY_ASSIGN(rdb, w.Member(doc, "", "rdb"));
  TRY_ASSIGN(p.rdb_file_name, w.Str(*rdb, "rdb", "fileName"));
  const json::value* aof;
  TRY_ASSIGN(aof, w.Member(doc, "", "aof"));
  TRY_ASSIGN(p.aof_enabled, w.Bool(*aof, "aof", "enabled"));
  TRY_ASSIGN(p.aof_dir_name, w.Str(*aof, "aof", "dirName"));
  const json::value* rewrite;
  TRY_ASSIGN(rewrite, w.Member(*aof, "aof", "rewrite"));
  if (!rewrite->is_null()) {
    const std::string at = "aof.rewrite";
    AofRewritePolicy& r = p.aof_rewrite;
    TRY_ASSIGN(r.managed, w.Bool(*rewrite, at, "managedBySidecar"));
    TRY_ASSIGN(r.growth_percent, w.Size(*rewrite, at, "growthPercent"));
    TRY_ASSIGN(r.min_size, w.Size(*rewrite, at, "minSizeBytes"));
    const json::value* max;
    TRY_ASSIGN(max, w.Member(*rewrite, at, "maxSizeBytes"));
    if (!max->is_null()) TRY_ASSIGN(r.max_size, w.Size(*rewrite, at, "maxSizeBytes"));
    const json::value* window;
    TRY_ASSIGN(window, w.Member(*rewrite, at, "window"));
    if (!window->is_null()) {
      std::string start, end;
      TRY_ASSIGN(start, w.Str(*window, at + ".window", "start"));
      TRY_ASSIGN(end, w.Str(*window, at + ".window", "end"));
      r.window_start = ParseTimeOfDay(start);
      r.window_end = ParseTimeOfDay(end);
      if (!r.window_start || !r.window_end)
        return w.Bad(at + ".window", "expected \"HH:MM\" times (UTC)");
    }
  }
  const json::value* backup;
  TRY_ASSIGN(backup, w.Member(doc, "", "backup"));
  if (!backup->is_null()) {
    const json::value* schedule;
    TRY_ASSIGN(schedule, w.Member(*backup, "backup", "schedule"));
    if (schedule->is_string()) p.backup_schedule = schedule->as_string();
    else if (!schedule->is_null()) return w.Bad("backup.schedule", "expected a string or null");
    backup::RetentionRules rules;
    TRY_ASSIGN(rules, ParseRetention(w, *backup, "backup"));
    TRY_ASSIGN(p.verify_after_copy, w.Bool(*backup, "backup", "verifyAfterCopy"));
    TRY_ASSIGN(p.allow_empty, w.Bool(*backup, "backup", "allowEmpty"));
    rules.allow_empty = p.allow_empty;
    p.retention = rules;
    if (backup->has_field("destinations")) {
      std::string d;
      TRY_ASSIGN(d, w.Str(*backup, "backup", "destinations"));
      if (d != "local" && d != "objectStore" && d != "both")
        return w.Bad("backup.destinations", "expected local, objectStore or both");
      p.backup_local = d != "objectStore";
      p.backup_object_store = d != "local";
    }
    if (backup->has_field("objectStore") && !backup->at("objectStore").is_null()) {
      auto store = ParseObjectStore(w, backup->at("objectStore"), p.allow_empty);
      if (!store) return std::unexpected(store.error());
      p.object_store = *store;
    }
    if (p.backup_object_store && !p.object_store)
      return w.Bad("backup.objectStore", "missing, but backup.destinations names it");
    // Absent in policies rendered before drills existed: the same as null.
    if (backup->has_field("drill") && !backup->at("drill").is_null()) {
      const json::value& d = backup->at("drill");
      const std::string at = "backup.drill";
      SidecarPolicy::Drill drill;
      TRY_ASSIGN(drill.schedule, w.Str(d, at, "schedule"));
      const json::value* budget;
      TRY_ASSIGN(budget, w.Member(d, at, "memoryBudgetBytes"));
      if (!budget->is_null()) TRY_ASSIGN(drill.memory_budget_bytes, w.Size(d, at, "memoryBudgetBytes"));
      std::string what;
      TRY_ASSIGN(what, w.Str(d, at, "what"));
      if (what != "newest" && what != "everyNew") return w.Bad(at + ".what", "expected newest or everyNew");
      drill.every_new = what == "everyNew";
      p.drill = drill;
    }
  }
  const json::value* restore;
  TRY_ASSIGN(restore, w.Member(doc, "", "restore"));
  std::string when;
  TRY_ASSIGN(when, w.Str(*restore, "restore", "when"));
  if (when != "auto" && when != "never") return w.Bad("restore.when", "expected auto or never");
  p.restore_enabled = when == "auto";
  const json::value* source;
  TRY_ASSIGN(source, w.Member(*restore, "restore", "source"));
  const json::value* name;
  TRY_ASSIGN(name, w.Member(*source, "restore.source", "backupName"));
  if (name->is_string()) p.restore_backup_name = name->as_string();
  else if (!name->is_null()) return w.Bad("restore.source.backupName", "expected a string or null");
  const json::value* pit;
  TRY_ASSIGN(pit, w.Member(*source, "restore.source", "pointInTime"));
  if (pit->is_string()) p.restore_point_in_time = pit->as_string();
  else if (!pit->is_null()) return w.Bad("restore.source.pointInTime", "expected a string or null");
  TRY_ASSIGN(p.allow_aof_tail_repair, w.Bool(*restore, "restore", "allowAofTailRepair"));
  if (restore->has_field("maxAofTailRepairBytes"))
    TRY_ASSIGN(p.max_aof_tail_repair_bytes, w.Size(*restore, "restore", "maxAofTailRepairBytes"));
  // Both absent in policies rendered before they existed.
  if (restore->has_field("forceEmptyStart"))
    TRY_ASSIGN(p.force_empty_start, w.Bool(*restore, "restore", "forceEmptyStart"));
  if (restore->has_field("fromInstance")) {
    const json::value& from = restore->at("fromInstance");
    if (from.is_string()) p.from_instance = from.as_string();
    else if (!from.is_null()) return w.Bad("restore.fromInstance", "expected a string or null");
  }
  return p;
}

}  // namespace

Result<SidecarPolicy> ParseSidecarPolicy(std::string_view text, const std::string& where) {
  try {
    return Parse(json::value::parse(std::string(text)), where);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not valid JSON: ") + e.what(), -1,
                     where);
  }
}

Result<SidecarPolicy> LoadSidecarPolicy(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text) return std::unexpected(text.error());
  return ParseSidecarPolicy(*text, path);
}

}  // namespace tidemark::sidecar
