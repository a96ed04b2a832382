#include "core/policy/render_sidecar_policy.h"

#include <cstdlib>

#include "core/policy/json_writer.h"
#include "core/policy/quantity.h"
#include "core/policy/render_redis_conf.h"

namespace tidemark::policy {

namespace {

int64_t BytesOrDie(const std::string& quantity) {
  Result<int64_t> bytes = ParseByteQuantity(quantity);
  if (!bytes) std::abort();  // Validate refuses such a spec
  return *bytes;
}

void WriteAof(JsonWriter& w, const RedisPersistenceSpec& spec) {
  const AofRewrite& rw = spec.aof.rewrite;
  w.Key("aof");
  w.BeginObject();
  w.Key("enabled");
  w.Bool(spec.mode == Mode::kAof || spec.mode == Mode::kHybrid);
  w.Key("dirName");
  w.String(kAppendDirName);
  w.Key("rewrite");
  w.BeginObject();
  w.Key("managedBySidecar");
  w.Bool(rw.window.has_value());
  w.Key("growthPercent");
  w.Int(rw.growth_percent);
  w.Key("minSizeBytes");
  w.Int(BytesOrDie(rw.min_size));
  w.Key("maxSizeBytes");
  if (rw.max_size)
    w.Int(BytesOrDie(*rw.max_size));
  else
    w.Null();
  w.Key("window");
  if (rw.window) {
    w.BeginObject();
    w.Key("start");
    w.String(rw.window->start);
    w.Key("end");
    w.String(rw.window->end);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
  w.EndObject();
}

void WriteRetention(JsonWriter& w, const Retention& r) {
  w.Key("retention");
  w.BeginObject();
  w.Key("keepLast");
  w.Int(r.keep_last);
  w.Key("keepDaily");
  w.Int(r.keep_daily);
  w.Key("keepWeekly");
  w.Int(r.keep_weekly);
  w.EndObject();
}

void WriteFile(JsonWriter& w, std::string_view key, bool present, std::string_view file) {
  w.Key(key);
  if (present)
    w.String(std::string(kObjectStoreDir) + "/" + std::string(file));
  else
    w.Null();
}

void WriteObjectStore(JsonWriter& w, const std::optional<ObjectStore>& store) {
  w.Key("objectStore");
  if (!store) return w.Null();
  w.BeginObject();
  w.Key("endpoint");
  w.String(store->endpoint);
  w.Key("bucket");
  w.String(store->bucket);
  w.Key("prefix");
  w.String(store->prefix);
  w.Key("region");
  w.String(store->region);
  w.Key("addressing");
  w.String(AddressingName(store->addressing));
  WriteFile(w, "accessKeyIdFile", true, kAccessKeyIdFile);
  WriteFile(w, "secretAccessKeyFile", true, kSecretAccessKeyFile);
  WriteFile(w, "sessionTokenFile", store->credentials.session_token_key.has_value(),
            kSessionTokenFile);
  WriteFile(w, "caBundleFile", store->ca_bundle.has_value(), kCaBundleFile);
  w.Key("encryption");
  if (store->encryption) {
    w.BeginObject();
    w.Key("keyId");
    w.String(store->encryption->key_id);
    WriteFile(w, "keyFile", true, kEncryptionKeyFile);
    w.EndObject();
  } else {
    w.Null();
  }
  WriteRetention(w, store->retention);
  w.EndObject();
}

void WriteBackup(JsonWriter& w, const std::optional<Backup>& backup) {
  w.Key("backup");
  if (!backup) return w.Null();
  if (!backup->destinations) std::abort();  // ApplyDefaults sets it
  w.BeginObject();
  w.Key("schedule");
  w.String(backup->schedule);
  WriteRetention(w, backup->retention);
  w.Key("verifyAfterCopy");
  w.Bool(backup->verify_after_copy);
  w.Key("allowEmpty");
  w.Bool(backup->allow_empty);
  w.Key("destinations");
  w.String(BackupDestinationsName(*backup->destinations));
  WriteObjectStore(w, backup->object_store);
  w.Key("drill");
  if (!backup->drill) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("schedule");
    w.String(backup->drill->schedule);
    w.Key("memoryBudgetBytes");
    if (backup->drill->memory_budget)
      w.Int(BytesOrDie(*backup->drill->memory_budget));
    else
      w.Null();
    w.Key("what");
    w.String(DrillWhatName(backup->drill->what));
    w.EndObject();
  }
  w.EndObject();
}

void WriteRestore(JsonWriter& w, const Restore& restore) {
  w.Key("restore");
  w.BeginObject();
  w.Key("when");
  w.String(RestoreWhenName(restore.when));
  w.Key("source");
  w.BeginObject();
  w.Key("type");
  w.String(RestoreSourceTypeName(restore.source.type));
  w.Key("backupName");
  if (restore.source.backup_name)
    w.String(*restore.source.backup_name);
  else
    w.Null();
  w.Key("pointInTime");
  if (restore.source.point_in_time)
    w.String(*restore.source.point_in_time);
  else
    w.Null();
  w.EndObject();
  w.Key("allowAofTailRepair");
  w.Bool(restore.allow_aof_tail_repair);
  w.Key("maxAofTailRepairBytes");
  w.Int(BytesOrDie(restore.max_aof_tail_repair_bytes));
  w.Key("forceEmptyStart");
  w.Bool(restore.force_empty_start);
  w.Key("fromInstance");
  if (restore.from_instance)
    w.String(*restore.from_instance);
  else
    w.Null();
  w.EndObject();
}

}  // namespace

std::string RenderSidecarPolicy(const RedisPersistence& resource) {
  const RedisPersistenceSpec& spec = resource.spec;
  if (!spec.rdb.save_points) std::abort();
  JsonWriter w;
  w.BeginObject();
  w.Key("apiVersion");
  w.String(kSidecarPolicyApiVersion);
  w.Key("resource");
  w.BeginObject();
  w.Key("namespace");
  w.String(resource.namespace_);
  w.Key("name");
  w.String(resource.name);
  w.EndObject();
  w.Key("mode");
  w.String(ModeName(spec.mode));
  w.Key("rdb");
  w.BeginObject();
  w.Key("fileName");
  w.String(spec.rdb.file_name);
  w.Key("savePoints");
  w.BeginArray();
  for (const SavePoint& p : *spec.rdb.save_points) {
    w.BeginObject();
    w.Key("seconds");
    w.Int(p.seconds);
    w.Key("changes");
    w.Int(p.changes);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  WriteAof(w, spec);
  WriteBackup(w, spec.backup);
  WriteRestore(w, spec.restore);
  w.EndObject();
  return w.str();
}

}  // namespace tidemark::policy
