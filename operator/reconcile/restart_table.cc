#include "operator/reconcile/restart_table.h"

#include <algorithm>

#include "core/policy/render_redis_conf.h"
#include "operator/reconcile/json.h"

namespace tidemark::reconcile {

namespace {

using policy::RedisPersistence;

std::string B(bool b) { return b ? "true" : "false"; }
std::string Opt(const std::optional<std::string>& s) { return s ? *s : "<unset>"; }

std::string VolumeText(const std::optional<policy::Volume>& v) { return v ? "set" : "<unset>"; }

std::string ClassAndModes(const std::optional<policy::Volume>& v) {
  if (!v) return "<unset>";
  std::string out = Opt(v->storage_class_name);
  for (const auto& m : v->access_modes) out += " " + m;
  return out;
}

std::string Map(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += k + "=" + v + ",";
  return out;
}

// Redis's own settings the sidecar applies with CONFIG SET are named after their directive.
constexpr SettingRule kRules[] = {
    // Restart-worthy: Redis or the pod reads these only when it starts.
    {"spec.workload.image", ChangeEffect::kRestart,
     "the Redis container's image (and the RDB version the restore step may install)",
     [](const RedisPersistence& r, const RenderOptions&) { return r.spec.workload.image; }},
    {"spec.workload.resources", ChangeEffect::kRestart,
     "the Redis container's requests and limits (no in-place resize on Kubernetes 1.26)",
     [](const RedisPersistence& r, const RenderOptions&) {
       return Map(r.spec.workload.resources.requests) + ";" + Map(r.spec.workload.resources.limits);
     }},
    {"spec.workload.passwordSecretRef", ChangeEffect::kRestart,
     "requirepass/masterauth come from the Secret through the environment, read at start",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& p = r.spec.workload.password_secret_ref;
       return p ? p->name + "/" + p->key : std::string("<unset>");
     }},
    {"spec.workload.peerTLS", ChangeEffect::kRestart,
     "the sidecars' peer TLS: a volume, flags and the peers' URLs, read when the containers start",
     [](const RedisPersistence& r, const RenderOptions&) {
       return r.spec.workload.peer_tls_secret_name.value_or("<unset>");
     }},
    {"spec.rdb.fileName", ChangeEffect::kRestart,
     "dbfilename is a protected config: CONFIG SET refuses it unless enable-protected-configs",
     [](const RedisPersistence& r, const RenderOptions&) { return r.spec.rdb.file_name; }},
    {"spec.rdb.checksum", ChangeEffect::kRestart,
     "rdbchecksum is an immutable config in Redis 7: CONFIG SET refuses it",
     [](const RedisPersistence& r, const RenderOptions&) { return B(r.spec.rdb.checksum); }},
    {"appenddirname, appendfilename (fixed)", ChangeEffect::kRestart,
     "immutable in Redis 7; fixed by Tidemark (appendonlydir, appendonly.aof)",
     [](const RedisPersistence&, const RenderOptions&) {
       return std::string(policy::kAppendDirName) + "/" + std::string(policy::kAppendFileName);
     }},
    {"enable-debug-command (fixed)", ChangeEffect::kRestart,
     "a protected startup-only config: CONFIG SET refuses it; fixed by Tidemark (local) so the "
     "sidecar can compare DEBUG DIGEST after a restore",
     [](const RedisPersistence&, const RenderOptions&) { return std::string("local"); }},
    {"spec.storage.aof (set or not)", ChangeEffect::kRestart,
     "refused by validation (the AOF cannot have a volume of its own with Redis 7: docs/policy.md)",
     [](const RedisPersistence& r, const RenderOptions&) { return VolumeText(r.spec.storage.aof); }},
    {"spec.storage.backup (set or not)", ChangeEffect::kRestart,
     "the backup volume is mounted at /backup and given to the restore step: volumes change",
     [](const RedisPersistence& r, const RenderOptions&) {
       return VolumeText(r.spec.storage.backup);
     }},
    {"spec.backup.objectStore (set or not), its Secret and ConfigMap references", ChangeEffect::kRestart,
     "the credentials, CA bundle and encryption key are a projected volume of the pod: volumes change",
     [](const RedisPersistence& r, const RenderOptions&) {
       if (!r.spec.backup || !r.spec.backup->object_store) return std::string("<unset>");
       const policy::ObjectStore& o = *r.spec.backup->object_store;
       std::string out = o.credentials.secret_name + "/" + o.credentials.access_key_id_key + "/" +
                         o.credentials.secret_access_key_key + "/" +
                         Opt(o.credentials.session_token_key);
       if (o.ca_bundle) {
         const auto& ref = o.ca_bundle->secret_ref ? *o.ca_bundle->secret_ref : *o.ca_bundle->config_map_ref;
         out += std::string(";ca:") + (o.ca_bundle->secret_ref ? "secret/" : "configMap/") +
                ref.name + "/" + ref.key;
       }
       if (o.encryption)
         out += ";key:" + o.encryption->key_secret_ref.name + "/" + o.encryption->key_secret_ref.key;
       return out;
     }},
    {"spec.backup.drill (set or not), memoryBudget", ChangeEffect::kRestart,
     "drills add the copy-redis-server init container, its volumes and the sidecar's flags; the "
     "budget is part of the sidecar's memory limit",
     [](const RedisPersistence& r, const RenderOptions&) {
       if (!r.spec.backup || !r.spec.backup->drill) return std::string("<unset>");
       return "set;" + Opt(r.spec.backup->drill->memory_budget);
     }},
    {"spec.restore.when", ChangeEffect::kRestart,
     "decides the restore init container's --allow-empty flag (auto: a new instance may start "
     "empty)",
     [](const RedisPersistence& r, const RenderOptions&) {
       return std::string(policy::RestoreWhenName(r.spec.restore.when));
     }},
    {"operator.sidecarImage", ChangeEffect::kRestart,
     "the operator's --sidecar-image: the sidecar and restore containers' image",
     [](const RedisPersistence&, const RenderOptions& o) { return o.sidecar_image; }},

    // Live: applied by the sidecar to the running Redis, or read from the policy file.
    {"spec.mode", ChangeEffect::kLive,
     "appendonly by CONFIG SET (Redis 7 writes a fresh AOF from memory when it is turned on)",
     [](const RedisPersistence& r, const RenderOptions&) {
       return std::string(policy::ModeName(r.spec.mode));
     }},
    {"spec.rdb.savePoints", ChangeEffect::kLive, "save, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) {
       std::string out;
       for (const auto& p : r.spec.rdb.save_points.value_or(std::vector<policy::SavePoint>{}))
         out += std::to_string(p.seconds) + " " + std::to_string(p.changes) + " ";
       return out;
     }},
    {"spec.rdb.compression", ChangeEffect::kLive, "rdbcompression, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) { return B(r.spec.rdb.compression); }},
    {"spec.rdb.stopWritesOnBgsaveError", ChangeEffect::kLive,
     "stop-writes-on-bgsave-error, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) {
       return B(r.spec.rdb.stop_writes_on_bgsave_error);
     }},
    {"spec.aof.fsync", ChangeEffect::kLive, "appendfsync, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) {
       return std::string(policy::FsyncName(r.spec.aof.fsync));
     }},
    {"spec.aof.rdbPreamble", ChangeEffect::kLive, "aof-use-rdb-preamble, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) { return B(r.spec.aof.rdb_preamble); }},
    {"spec.aof.timestamps", ChangeEffect::kLive, "aof-timestamp-enabled, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) { return B(r.spec.aof.timestamps); }},
    {"spec.aof.rewrite.growthPercent", ChangeEffect::kLive,
     "auto-aof-rewrite-percentage by CONFIG SET, or the sidecar's rewrite rule inside a window",
     [](const RedisPersistence& r, const RenderOptions&) {
       return std::to_string(r.spec.aof.rewrite.growth_percent);
     }},
    {"spec.aof.rewrite.minSize", ChangeEffect::kLive, "auto-aof-rewrite-min-size, by CONFIG SET",
     [](const RedisPersistence& r, const RenderOptions&) { return r.spec.aof.rewrite.min_size; }},
    {"spec.aof.rewrite.maxSize", ChangeEffect::kLive, "sidecar policy (policy.json)",
     [](const RedisPersistence& r, const RenderOptions&) { return Opt(r.spec.aof.rewrite.max_size); }},
    {"spec.aof.rewrite.window", ChangeEffect::kLive,
     "sidecar policy; auto-aof-rewrite-percentage 0 by CONFIG SET while a window is set",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& w = r.spec.aof.rewrite.window;
       return w ? w->start + "-" + w->end : std::string("<unset>");
     }},
    {"spec.backup", ChangeEffect::kLive,
     "sidecar policy: schedule, retention, verifyAfterCopy, allowEmpty, destinations, the object "
     "store's endpoint, bucket, prefix, region, addressing, key id and retention (read at each "
     "backup), the drill's schedule and what",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& b = r.spec.backup;
       if (!b) return std::string("<unset>");
       return b->schedule + ";" + std::to_string(b->retention.keep_last) + "," +
              std::to_string(b->retention.keep_daily) + "," +
              std::to_string(b->retention.keep_weekly) + ";" + B(b->verify_after_copy) + ";" +
              B(b->allow_empty);
     }},
    {"spec.restore.source", ChangeEffect::kLive,
     "policy.json, read by the restore step when a pod next starts",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& s = r.spec.restore.source;
       return std::string(policy::RestoreSourceTypeName(s.type)) + ";" + Opt(s.backup_name) + ";" +
              Opt(s.point_in_time);
     }},
    {"spec.restore.forceEmptyStart, fromInstance", ChangeEffect::kLive,
     "policy.json, read by the restore step when a pod next starts (also at an init retry)",
     [](const RedisPersistence& r, const RenderOptions&) {
       return B(r.spec.restore.force_empty_start) + ";" + Opt(r.spec.restore.from_instance);
     }},
    {"spec.restore.allowAofTailRepair, maxAofTailRepairBytes", ChangeEffect::kLive,
     "aof-load-truncated by CONFIG SET; policy.json for the restore step",
     [](const RedisPersistence& r, const RenderOptions&) {
       return B(r.spec.restore.allow_aof_tail_repair) + ";" +
              r.spec.restore.max_aof_tail_repair_bytes;
     }},

    // Neither: the StatefulSet's size and the claims.
    {"spec.workload.replicas", ChangeEffect::kScale,
     "StatefulSet replicas; new pods start at the hold-back's placeholder and their sidecar points "
     "them at pod 0, existing pods keep running",
     [](const RedisPersistence& r, const RenderOptions&) {
       return std::to_string(r.spec.workload.replicas);
     }},
    {"spec.storage.*.size", ChangeEffect::kVolume,
     "growth: each claim is expanded (its StorageClass must allow it); shrinking is refused",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& s = r.spec.storage;
       return s.data.size + ";" + (s.aof ? s.aof->size : "") + ";" + (s.backup ? s.backup->size : "");
     }},
    {"spec.storage.*.storageClassName, accessModes", ChangeEffect::kVolume,
     "new claim templates: the StatefulSet is re-created with its pods orphaned (they keep "
     "running); existing claims keep their class and modes",
     [](const RedisPersistence& r, const RenderOptions&) {
       const auto& s = r.spec.storage;
       return ClassAndModes(s.data) + ";" + ClassAndModes(s.aof) + ";" + ClassAndModes(s.backup);
     }},
};

}  // namespace

std::string_view ChangeEffectName(ChangeEffect effect) {
  switch (effect) {
    case ChangeEffect::kLive: return "live";
    case ChangeEffect::kRestart: return "restart";
    case ChangeEffect::kScale: return "scale";
    case ChangeEffect::kVolume: return "volume";
  }
  return "?";
}

std::span<const SettingRule> SettingRules() { return kRules; }

const SettingRule* FindSettingRule(std::string_view field) {
  auto it = std::find_if(std::begin(kRules), std::end(kRules),
                         [&](const SettingRule& r) { return r.field == field; });
  return it == std::end(kRules) ? nullptr : &*it;
}

std::string ConfigHash(const policy::RedisPersistence& resource, const RenderOptions& options) {
  std::string text;
  for (const SettingRule& rule : kRules) {
    if (rule.effect != ChangeEffect::kRestart) continue;
    text += rule.field;
    text += "=";
    text += rule.value(resource, options);
    text += "\n";
  }
  return HashHex(text);
}

std::string SettingRulesMarkdown() {
  std::string out = "| setting | on change | how it reaches the pods |\n|---|---|---|\n";
  for (const SettingRule& rule : kRules) {
    out += "| `";
    out += rule.field;
    out += "` | ";
    out += ChangeEffectName(rule.effect);
    out += " | ";
    out += rule.how;
    out += " |\n";
  }
  return out;
}

}  // namespace tidemark::reconcile
