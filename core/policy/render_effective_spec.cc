#include "core/policy/render_effective_spec.h"

#include <cstdlib>

#include "core/policy/json_writer.h"

namespace tidemark::policy {

namespace {

void Str(JsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key);
  w.String(value);
}
void Int(JsonWriter& w, std::string_view key, int64_t value) {
  w.Key(key);
  w.Int(value);
}
void Bool(JsonWriter& w, std::string_view key, bool value) {
  w.Key(key);
  w.Bool(value);
}

void WriteVolume(JsonWriter& w, std::string_view key, const Volume& v) {
  w.Key(key);
  w.BeginObject();
  Str(w, "size", v.size);
  if (v.storage_class_name) Str(w, "storageClassName", *v.storage_class_name);
  w.Key("accessModes");
  w.BeginArray();
  for (const auto& m : v.access_modes) w.String(m);
  w.EndArray();
  w.EndObject();
}

void WriteQuantities(JsonWriter& w, std::string_view key,
                     const std::map<std::string, std::string>& quantities) {
  if (quantities.empty()) return;
  w.Key(key);
  w.BeginObject();
  for (const auto& [name, q] : quantities) Str(w, name, q);
  w.EndObject();
}

void WriteWorkload(JsonWriter& w, const Workload& wl) {
  w.Key("workload");
  w.BeginObject();
  Str(w, "image", wl.image);
  Int(w, "replicas", wl.replicas);
  w.Key("resources");
  w.BeginObject();
  WriteQuantities(w, "requests", wl.resources.requests);
  WriteQuantities(w, "limits", wl.resources.limits);
  w.EndObject();
  if (wl.password_secret_ref) {
    w.Key("passwordSecretRef");
    w.BeginObject();
    Str(w, "name", wl.password_secret_ref->name);
    Str(w, "key", wl.password_secret_ref->key);
    w.EndObject();
  }
  if (wl.peer_tls_secret_name) {
    w.Key("peerTLS");
    w.BeginObject();
    Str(w, "secretName", *wl.peer_tls_secret_name);
    w.EndObject();
  }
  w.EndObject();
}

void WriteRdb(JsonWriter& w, const RdbSettings& r) {
  w.Key("rdb");
  w.BeginObject();
  w.Key("savePoints");
  w.BeginArray();
  for (const SavePoint& p : *r.save_points) {
    w.BeginObject();
    Int(w, "seconds", p.seconds);
    Int(w, "changes", p.changes);
    w.EndObject();
  }
  w.EndArray();
  Bool(w, "compression", r.compression);
  Bool(w, "checksum", r.checksum);
  Bool(w, "stopWritesOnBgsaveError", r.stop_writes_on_bgsave_error);
  Str(w, "fileName", r.file_name);
  w.EndObject();
}

void WriteAof(JsonWriter& w, const AofSettings& a) {
  w.Key("aof");
  w.BeginObject();
  Str(w, "fsync", FsyncName(a.fsync));
  Bool(w, "rdbPreamble", a.rdb_preamble);
  Bool(w, "timestamps", a.timestamps);
  w.Key("rewrite");
  w.BeginObject();
  Int(w, "growthPercent", a.rewrite.growth_percent);
  Str(w, "minSize", a.rewrite.min_size);
  if (a.rewrite.max_size) Str(w, "maxSize", *a.rewrite.max_size);
  if (a.rewrite.window) {
    w.Key("window");
    w.BeginObject();
    Str(w, "start", a.rewrite.window->start);
    Str(w, "end", a.rewrite.window->end);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

void WriteRetention(JsonWriter& w, const Retention& r) {
  w.Key("retention");
  w.BeginObject();
  Int(w, "keepLast", r.keep_last);
  Int(w, "keepDaily", r.keep_daily);
  Int(w, "keepWeekly", r.keep_weekly);
  w.EndObject();
}

void WriteKeyRef(JsonWriter& w, std::string_view key, const SecretKeyRef& ref) {
  w.Key(key);
  w.BeginObject();
  Str(w, "name", ref.name);
  Str(w, "key", ref.key);
  w.EndObject();
}

void WriteObjectStore(JsonWriter& w, const ObjectStore& o) {
  w.Key("objectStore");
  w.BeginObject();
  Str(w, "endpoint", o.endpoint);
  Str(w, "bucket", o.bucket);
  if (!o.prefix.empty()) Str(w, "prefix", o.prefix);
  Str(w, "region", o.region);
  Str(w, "addressing", AddressingName(o.addressing));
  w.Key("credentials");
  w.BeginObject();
  Str(w, "secretName", o.credentials.secret_name);
  Str(w, "accessKeyIdKey", o.credentials.access_key_id_key);
  Str(w, "secretAccessKeyKey", o.credentials.secret_access_key_key);
  if (o.credentials.session_token_key) Str(w, "sessionTokenKey", *o.credentials.session_token_key);
  w.EndObject();
  if (o.ca_bundle) {
    w.Key("caBundle");
    w.BeginObject();
    if (o.ca_bundle->secret_ref) WriteKeyRef(w, "secretRef", *o.ca_bundle->secret_ref);
    if (o.ca_bundle->config_map_ref) WriteKeyRef(w, "configMapRef", *o.ca_bundle->config_map_ref);
    w.EndObject();
  }
  if (o.encryption) {
    w.Key("encryption");
    w.BeginObject();
    WriteKeyRef(w, "keySecretRef", o.encryption->key_secret_ref);
    Str(w, "keyId", o.encryption->key_id);
    w.EndObject();
  }
  WriteRetention(w, o.retention);
  w.EndObject();
}

void WriteBackup(JsonWriter& w, const Backup& b) {
  w.Key("backup");
  w.BeginObject();
  Str(w, "schedule", b.schedule);
  WriteRetention(w, b.retention);
  Bool(w, "verifyAfterCopy", b.verify_after_copy);
  Bool(w, "allowEmpty", b.allow_empty);
  if (b.destinations) Str(w, "destinations", BackupDestinationsName(*b.destinations));
  if (b.object_store) WriteObjectStore(w, *b.object_store);
  if (b.drill) {
    w.Key("drill");
    w.BeginObject();
    Str(w, "schedule", b.drill->schedule);
    if (b.drill->memory_budget) Str(w, "memoryBudget", *b.drill->memory_budget);
    Str(w, "what", DrillWhatName(b.drill->what));
    w.EndObject();
  }
  w.EndObject();
}

void WriteRestore(JsonWriter& w, const Restore& r) {
  w.Key("restore");
  w.BeginObject();
  Str(w, "when", RestoreWhenName(r.when));
  w.Key("source");
  w.BeginObject();
  Str(w, "type", RestoreSourceTypeName(r.source.type));
  if (r.source.backup_name) Str(w, "backupName", *r.source.backup_name);
  if (r.source.point_in_time) Str(w, "pointInTime", *r.source.point_in_time);
  w.EndObject();
  Bool(w, "allowAofTailRepair", r.allow_aof_tail_repair);
  Str(w, "maxAofTailRepairBytes", r.max_aof_tail_repair_bytes);
  Bool(w, "forceEmptyStart", r.force_empty_start);
  if (r.from_instance) Str(w, "fromInstance", *r.from_instance);
  w.EndObject();
}

}  // namespace

std::string RenderEffectiveResource(const RedisPersistence& resource) {
  const RedisPersistenceSpec& spec = resource.spec;
  if (!spec.rdb.save_points) std::abort();
  JsonWriter w;
  w.BeginObject();
  Str(w, "apiVersion", resource.api_version);
  Str(w, "kind", resource.kind);
  w.Key("metadata");
  w.BeginObject();
  Str(w, "name", resource.name);
  if (!resource.namespace_.empty()) Str(w, "namespace", resource.namespace_);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  WriteWorkload(w, spec.workload);
  Str(w, "mode", ModeName(spec.mode));
  WriteRdb(w, spec.rdb);
  WriteAof(w, spec.aof);
  w.Key("storage");
  w.BeginObject();
  WriteVolume(w, "data", spec.storage.data);
  if (spec.storage.aof) WriteVolume(w, "aof", *spec.storage.aof);
  if (spec.storage.backup) WriteVolume(w, "backup", *spec.storage.backup);
  w.EndObject();
  if (spec.backup) WriteBackup(w, *spec.backup);
  WriteRestore(w, spec.restore);
  w.EndObject();
  w.EndObject();
  return w.str();
}

}  // namespace tidemark::policy
