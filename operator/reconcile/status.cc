#include "operator/reconcile/status.h"

namespace tidemark::reconcile {

namespace {

void PutString(Json& o, const char* key, const std::optional<std::string>& v) {
  if (v) o[key] = Str(*v);
}
void PutInt(Json& o, const char* key, const std::optional<int64_t>& v) {
  if (v) o[key] = Json::number(*v);
}
void PutBool(Json& o, const char* key, const std::optional<bool>& v) {
  if (v) o[key] = Json::boolean(*v);
}
std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

std::optional<RestoreProof> RestoreProofFromJson(const Json& c, std::string_view expected_key,
                                                 std::string_view actual_key) {
  auto result = GetString(c, "result");
  if (!result) return std::nullopt;
  return RestoreProof{*result, GetString(c, expected_key), GetString(c, actual_key),
                      GetString(c, "reason")};
}

LastDrill LastDrillFromJson(const Json& d, const std::string& pod) {
  LastDrill out{GetString(d, "time").value_or(""), pod, GetString(d, "backup").value_or(""),
                GetString(d, "result").value_or(""), GetString(d, "reason"), GetInt(d, "keys"),
                std::nullopt, GetInt(d, "peakMemoryBytes")};
  if (const Json* s = reconcile::Find(d, "loadSeconds"); s && s->is_number())
    out.load_seconds = s->as_double();
  return out;
}

const Condition* RedisPersistenceStatus::Find(std::string_view type) const {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

Json StatusToJson(const RedisPersistenceStatus& s) {
  Json out = Json::object();
  PutInt(out, "observedGeneration", s.observed_generation);
  PutString(out, "phase", NonEmpty(s.phase));
  if (!s.conditions.empty()) {
    std::vector<Json> items;
    for (const auto& c : s.conditions)
      items.push_back(Obj({{"type", Str(c.type)},
                           {"status", Str(c.status)},
                           {"reason", Str(c.reason)},
                           {"message", Str(c.message)},
                           {"observedGeneration", Json::number(c.observed_generation)},
                           {"lastTransitionTime", Str(c.last_transition_time)}}));
    out["conditions"] = Arr(std::move(items));
  }
  if (s.last_backup) {
    Json b = Obj({{"name", Str(s.last_backup->name)}, {"time", Str(s.last_backup->time)}});
    PutInt(b, "sizeBytes", s.last_backup->size_bytes);
    PutString(b, "sha256", s.last_backup->sha256);
    PutInt(b, "keys", s.last_backup->keys);
    if (!s.last_backup->destinations.empty()) {
      std::vector<Json> items;
      for (const auto& d : s.last_backup->destinations) {
        Json o = Obj({{"destination", Str(d.destination)}, {"result", Str(d.result)}});
        PutString(o, "message", d.message);
        items.push_back(std::move(o));
      }
      b["destinations"] = Arr(std::move(items));
    }
    out["lastBackup"] = b;
  }
  if (s.last_restore) {
    Json r = Json::object();
    PutString(r, "time", NonEmpty(s.last_restore->time));
    PutString(r, "pod", NonEmpty(s.last_restore->pod));
    PutString(r, "source", NonEmpty(s.last_restore->source));
    PutString(r, "reason", NonEmpty(s.last_restore->reason));
    PutInt(r, "keys", s.last_restore->keys);
    if (const auto& c = s.last_restore->check) {
      Json o = Obj({{"result", Str(c->result)}});
      PutString(o, "expectedDigest", c->expected_digest);
      PutString(o, "actualDigest", c->actual_digest);
      PutString(o, "reason", c->reason);
      r["check"] = o;
    }
    out["lastRestore"] = r;
  }
  if (const auto& d = s.last_drill) {
    Json o = Obj({{"time", Str(d->time)}, {"pod", Str(d->pod)}, {"backup", Str(d->backup)},
                  {"result", Str(d->result)}});
    PutString(o, "reason", d->reason);
    PutInt(o, "keys", d->keys);
    if (d->load_seconds) o["loadSeconds"] = Json::number(*d->load_seconds);
    PutInt(o, "peakMemoryBytes", d->peak_memory_bytes);
    out["lastDrill"] = o;
  }
  if (!s.pods.empty()) {
    std::vector<Json> items;
    for (const auto& p : s.pods) {
      Json o = Obj({{"name", Str(p.name)}});
      PutString(o, "role", p.role);
      PutString(o, "lastSaveTime", p.last_save_time);
      PutBool(o, "lastSaveOk", p.last_save_ok);
      PutInt(o, "aofSizeBytes", p.aof_size_bytes);
      PutInt(o, "aofBaseSizeBytes", p.aof_base_size_bytes);
      PutBool(o, "aofRewriteInProgress", p.aof_rewrite_in_progress);
      PutString(o, "verification", p.verification);
      PutString(o, "verificationMessage", p.verification_message);
      PutBool(o, "reachable", p.reachable);
      PutBool(o, "redisUp", p.redis_up);
      PutString(o, "message", p.message);
      items.push_back(o);
    }
    out["pods"] = Arr(std::move(items));
  }
  if (const auto& b = s.backup_request) {
    Json o = Obj({{"value", Str(b->value)}, {"phase", Str(b->phase)}});
    PutString(o, "time", NonEmpty(b->time));
    PutString(o, "pod", NonEmpty(b->pod));
    PutString(o, "message", NonEmpty(b->message));
    out["backupRequest"] = o;
  }
  return out;
}

RedisPersistenceStatus StatusFromJson(const Json& j) {
  RedisPersistenceStatus s;
  if (!j.is_object()) return s;
  s.observed_generation = GetInt(j, "observedGeneration");
  s.phase = GetString(j, "phase").value_or("");
  if (const Json* list = reconcile::Find(j, "conditions"); list && list->is_array()) {
    for (const auto& c : list->as_array()) {
      auto type = GetString(c, "type");
      if (!type) continue;
      s.conditions.push_back(Condition{*type, GetString(c, "status").value_or("Unknown"),
                                       GetString(c, "reason").value_or(""),
                                       GetString(c, "message").value_or(""),
                                       GetInt(c, "observedGeneration").value_or(0),
                                       GetString(c, "lastTransitionTime").value_or("")});
    }
  }
  if (const Json* b = reconcile::Find(j, "lastBackup"); b && b->is_object()) {
    s.last_backup = LastBackup{GetString(*b, "name").value_or(""),
                               GetString(*b, "time").value_or(""), GetInt(*b, "sizeBytes"),
                               GetString(*b, "sha256"), GetInt(*b, "keys")};
    if (const Json* list = reconcile::Find(*b, "destinations"); list && list->is_array())
      for (const auto& d : list->as_array())
        if (auto name = GetString(d, "destination"))
          s.last_backup->destinations.push_back(
              {*name, GetString(d, "result").value_or(""), GetString(d, "message")});
  }
  if (const Json* r = reconcile::Find(j, "lastRestore"); r && r->is_object()) {
    s.last_restore = LastRestore{GetString(*r, "time").value_or(""),
                                 GetString(*r, "pod").value_or(""),
                                 GetString(*r, "source").value_or(""),
                                 GetString(*r, "reason").value_or(""), GetInt(*r, "keys")};
    if (const Json* c = reconcile::Find(*r, "check"); c && c->is_object())
      s.last_restore->check = RestoreProofFromJson(*c, "expectedDigest", "actualDigest");
  }
  if (const Json* d = reconcile::Find(j, "lastDrill"); d && d->is_object())
    s.last_drill = LastDrillFromJson(*d, GetString(*d, "pod").value_or(""));
  if (const Json* list = reconcile::Find(j, "pods"); list && list->is_array()) {
    for (const auto& p : list->as_array()) {
      auto name = GetString(p, "name");
      if (!name) continue;
      s.pods.push_back(PodHealth{*name, GetString(p, "role"), GetString(p, "lastSaveTime"),
                                 GetBool(p, "lastSaveOk"), GetInt(p, "aofSizeBytes"),
                                 GetInt(p, "aofBaseSizeBytes"), GetBool(p, "aofRewriteInProgress"),
                                 GetString(p, "verification"),
                                 GetString(p, "verificationMessage"), GetBool(p, "reachable"),
                                 GetBool(p, "redisUp"), GetString(p, "message")});
    }
  }
  if (const Json* b = reconcile::Find(j, "backupRequest"); b && b->is_object()) {
    if (auto value = GetString(*b, "value"))
      s.backup_request = BackupRequest{*value, GetString(*b, "phase").value_or(""),
                                       GetString(*b, "time").value_or(""),
                                       GetString(*b, "pod").value_or(""),
                                       GetString(*b, "message").value_or("")};
  }
  return s;
}

}  // namespace tidemark::reconcile
