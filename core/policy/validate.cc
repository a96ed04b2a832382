#include "core/policy/validate.h"

#include "core/policy/cron.h"
#include "core/policy/quantity.h"
#include "core/policy/text.h"

namespace tidemark::policy {

namespace {

using text::IsAlnum;
using text::IsDigit;
using text::TwoDigits;

bool IsNameChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; }

// [A-Za-z0-9_-][A-Za-z0-9._-]*, at most 255: a file name that is not hidden and not a path.
bool IsPlainFileName(std::string_view s) {
  return !s.empty() && s.size() <= 255 && s[0] != '.' && text::All(s, IsNameChar);
}

// [A-Za-z0-9][A-Za-z0-9._-]*, at most 253.
bool IsBackupName(std::string_view s) {
  return !s.empty() && s.size() <= 253 && IsAlnum(s[0]) && text::All(s, IsNameChar);
}

// HH:MM, 00:00 to 23:59.
bool IsTimeOfDay(std::string_view s) {
  return s.size() == 5 && TwoDigits(s, 0, 23) && s[2] == ':' && TwoDigits(s, 3, 59);
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
bool IsRfc3339(std::string_view s) {
  if (s.size() < 20 || !text::All(s.substr(0, 4), IsDigit) || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return false;
  if (!TwoDigits(s, 5, 12) || s.substr(5, 2) == "00" || !TwoDigits(s, 8, 31) ||
      s.substr(8, 2) == "00" || !TwoDigits(s, 11, 23) || !TwoDigits(s, 14, 59) ||
      !TwoDigits(s, 17, 60))
    return false;
  std::string_view zone = s.substr(19);
  if (!zone.empty() && zone[0] == '.') {
    zone.remove_prefix(1);
    if (text::SkipDigits(zone) == 0) return false;
  }
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && TwoDigits(zone, 1, 23) &&
         zone[3] == ':' && TwoDigits(zone, 4, 59);
}

// A DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool IsDnsLabel(std::string_view s) {
  return !s.empty() && text::IsLowerAlnum(s.front()) && text::IsLowerAlnum(s.back()) &&
         text::All(s, [](char c) { return text::IsLowerAlnum(c) || c == '-'; });
}

// "namespace/name" of a RedisPersistence.
bool IsInstanceName(std::string_view s) {
  const size_t slash = s.find('/');
  return slash != std::string_view::npos && s.size() <= 127 && IsDnsLabel(s.substr(0, slash)) &&
         IsDnsLabel(s.substr(slash + 1));
}

// http(s)://host[:port][/]: the object store's endpoint; the bucket and keys come after it.
bool IsEndpointUrl(std::string_view s) {
  std::string_view rest = s;
  if (rest.starts_with("https://")) rest.remove_prefix(8);
  else if (rest.starts_with("http://")) rest.remove_prefix(7);
  else return false;
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host = rest.substr(0, rest.find(':'));
  if (host.empty() || !text::All(host, [](char c) { return IsAlnum(c) || c == '.' || c == '-'; }))
    return false;
  if (host.size() == rest.size()) return true;
  std::string_view port = rest.substr(host.size() + 1);
  return !port.empty() && port.size() <= 5 && text::All(port, IsDigit);
}

// S3's bucket rules: 3-63 of [a-z0-9.-], starting and ending with a letter or digit.
bool IsBucketName(std::string_view s) {
  return s.size() >= 3 && s.size() <= 63 && text::IsLowerAlnum(s.front()) &&
         text::IsLowerAlnum(s.back()) &&
         text::All(s, [](char c) { return text::IsLowerAlnum(c) || c == '.' || c == '-'; });
}

// Segments of [A-Za-z0-9._-] not starting with '.', joined by '/': no "..", no empty segment,
// so a prefix can never climb out of where it points.
bool IsKeyPrefix(std::string_view s) {
  if (s.size() > 256) return false;
  while (true) {
    size_t slash = s.find('/');
    if (!IsPlainFileName(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

bool IsRegion(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         text::All(s, [](char c) { return text::IsLowerAlnum(c) || c == '-'; });
}

bool IsKeyId(std::string_view s) { return !s.empty() && s.size() <= 64 && text::All(s, IsNameChar); }

class Checker {
 public:
  Problems problems;

  void Fail(std::string path, std::string message) {
    problems.push_back(FieldError(std::move(path), std::move(message)));
  }
  void Required(const std::string& path, const std::string& value) {
    if (value.empty()) Fail(path, "is required");
  }
  void AtLeast(const std::string& path, int64_t value, int64_t min) {
    if (value < min) Fail(path, "must be at least " + std::to_string(min));
  }
  void Matches(const std::string& path, const std::string& value, bool (*matches)(std::string_view),
               const std::string& message) {
    if (!matches(value)) Fail(path, message);
  }
  // Byte count of a quantity field, or -1 after reporting why it is not one.
  int64_t Bytes(const std::string& path, const std::string& quantity) {
    Result<int64_t> bytes = ParseByteQuantity(quantity);
    if (!bytes) {
      Fail(path, bytes.error().message);
      return -1;
    }
    return *bytes;
  }

  void CheckVolume(const std::string& path, const Volume& volume) {
    int64_t bytes = Bytes(path + ".size", volume.size);
    if (bytes == 0) Fail(path + ".size", "must be greater than 0");
    if (volume.access_modes.empty()) Fail(path + ".accessModes", "must not be empty");
    for (size_t i = 0; i < volume.access_modes.size(); ++i) {
      const std::string& m = volume.access_modes[i];
      if (m != "ReadWriteOnce" && m != "ReadWriteOncePod" && m != "ReadWriteMany")
        Fail(path + ".accessModes[" + std::to_string(i) + "]",
             "must be one of ReadWriteOnce, ReadWriteOncePod, ReadWriteMany");
    }
  }

  void CheckWorkload(const Workload& w) {
    Required("spec.workload.image", w.image);
    AtLeast("spec.workload.replicas", w.replicas, 1);
    for (const auto& [kind, map] :
         {std::pair{"requests", &w.resources.requests}, std::pair{"limits", &w.resources.limits}}) {
      for (const auto& [name, quantity] : *map) {
        if (!IsQuantity(quantity))
          Fail("spec.workload.resources." + std::string(kind) + "." + name,
               "must be a Kubernetes quantity such as 500m, 2 or 1Gi");
      }
    }
    if (w.password_secret_ref) {
      Required("spec.workload.passwordSecretRef.name", w.password_secret_ref->name);
      Required("spec.workload.passwordSecretRef.key", w.password_secret_ref->key);
    }
    if (w.peer_tls_secret_name)
      Required("spec.workload.peerTLS.secretName", *w.peer_tls_secret_name);
  }

  void CheckRdb(const RedisPersistenceSpec& spec) {
    const std::vector<SavePoint> none;
    const std::vector<SavePoint>& points = spec.rdb.save_points ? *spec.rdb.save_points : none;
    if (points.size() > kMaxSavePoints)
      Fail("spec.rdb.savePoints",
           "must have at most " + std::to_string(kMaxSavePoints) + " entries");
    for (size_t i = 0; i < points.size(); ++i) {
      const std::string p = "spec.rdb.savePoints[" + std::to_string(i) + "]";
      AtLeast(p + ".seconds", points[i].seconds, 1);
      AtLeast(p + ".changes", points[i].changes, 1);
    }
    if (!points.empty() && (spec.mode == Mode::kAof || spec.mode == Mode::kNone))
      Fail("spec.rdb.savePoints",
           "must be empty when mode is aof or none (mode hybrid is AOF plus save points)");
    Matches("spec.rdb.fileName", spec.rdb.file_name, IsPlainFileName,
            "must be a plain file name: letters, digits, '.', '_' or '-', not starting with '.'");
  }

  void CheckAof(const RedisPersistenceSpec& spec) {
    const AofRewrite& rw = spec.aof.rewrite;
    if (spec.mode == Mode::kHybrid && !spec.aof.rdb_preamble)
      Fail("spec.aof.rdbPreamble", "must be true when mode is hybrid");
    AtLeast("spec.aof.rewrite.growthPercent", rw.growth_percent, 0);
    int64_t min_bytes = Bytes("spec.aof.rewrite.minSize", rw.min_size);
    if (rw.max_size) {
      int64_t max_bytes = Bytes("spec.aof.rewrite.maxSize", *rw.max_size);
      if (min_bytes >= 0 && max_bytes >= 0 && max_bytes <= min_bytes)
        Fail("spec.aof.rewrite.maxSize", "must be greater than spec.aof.rewrite.minSize");
    }
    if (rw.window) {
      const std::string time = "must be a UTC time of day HH:MM, 00:00 to 23:59";
      for (const auto& [name, value] :
           {std::pair{"start", &rw.window->start}, std::pair{"end", &rw.window->end}}) {
        const std::string p = std::string("spec.aof.rewrite.window.") + name;
        if (value->empty())
          Fail(p, "is required");
        else
          Matches(p, *value, IsTimeOfDay, time);
      }
      if (!rw.window->start.empty() && rw.window->start == rw.window->end)
        Fail("spec.aof.rewrite.window", "start and end must differ");
    }
  }

  void CheckStorage(const RedisPersistenceSpec& spec) {
    CheckVolume("spec.storage.data", spec.storage.data);
    // Accepted by the parser so the answer is this message rather than "unknown field". Redis
    // 7 refuses a path as appenddirname (only a name inside `dir`), writes each rewritten base
    // file as a temp file in `dir` and rename(2)s it into that directory: on another volume
    // the rename fails with EXDEV and every rewrite after it too (found by tests/e2e).
    if (spec.storage.aof)
      Fail("spec.storage.aof",
           "is not supported: Redis 7 writes a rewritten AOF in dir and renames it into appendonlydir, which fails across volumes (EXDEV), so the AOF must stay on the data volume; size spec.storage.data for the snapshot and the AOF together");
    if (spec.storage.backup) CheckVolume("spec.storage.backup", *spec.storage.backup);
    const bool keeps_local =
        spec.backup && spec.backup->destinations != BackupDestinations::kObjectStore;
    const bool needs_store = keeps_local || spec.restore.source.type != RestoreSourceType::kLatest;
    if (needs_store && !spec.storage.backup)
      Fail("spec.storage.backup",
           "is required when spec.backup keeps backups locally (destinations local or both) or "
           "spec.restore.source.type is backup or pointInTime");
  }

  void CheckRetention(const std::string& path, const Retention& r) {
    AtLeast(path + ".keepLast", r.keep_last, 1);
    AtLeast(path + ".keepDaily", r.keep_daily, 0);
    AtLeast(path + ".keepWeekly", r.keep_weekly, 0);
  }

  void CheckKeyRef(const std::string& path, const SecretKeyRef& ref) {
    Required(path + ".name", ref.name);
    Required(path + ".key", ref.key);
  }

  void CheckObjectStore(const std::string& path, const ObjectStore& o) {
    if (o.endpoint.empty()) Fail(path + ".endpoint", "is required");
    else
      Matches(path + ".endpoint", o.endpoint, IsEndpointUrl,
              "must be an http:// or https:// URL of a host and optional port, such as "
              "https://s3.eu-west-1.amazonaws.com");
    if (o.bucket.empty()) Fail(path + ".bucket", "is required");
    else
      Matches(path + ".bucket", o.bucket, IsBucketName,
              "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-', "
              "starting and ending with a letter or digit");
    if (!o.prefix.empty())
      Matches(path + ".prefix", o.prefix, IsKeyPrefix,
              "must be key segments separated by '/' (letters, digits, '.', '_' or '-', none "
              "starting with '.'), without a leading or trailing '/'");
    Matches(path + ".region", o.region, IsRegion,
            "must be 1 to 64 lowercase letters, digits or '-', such as eu-west-1");
    const ObjectStoreCredentials& c = o.credentials;
    Required(path + ".credentials.secretName", c.secret_name);
    Required(path + ".credentials.accessKeyIdKey", c.access_key_id_key);
    Required(path + ".credentials.secretAccessKeyKey", c.secret_access_key_key);
    if (c.session_token_key) Required(path + ".credentials.sessionTokenKey", *c.session_token_key);
    if (o.ca_bundle) {
      if (o.ca_bundle->secret_ref.has_value() == o.ca_bundle->config_map_ref.has_value())
        Fail(path + ".caBundle", "must name exactly one of secretRef and configMapRef");
      if (o.ca_bundle->secret_ref) CheckKeyRef(path + ".caBundle.secretRef", *o.ca_bundle->secret_ref);
      if (o.ca_bundle->config_map_ref)
        CheckKeyRef(path + ".caBundle.configMapRef", *o.ca_bundle->config_map_ref);
    }
    if (o.encryption) {
      CheckKeyRef(path + ".encryption.keySecretRef", o.encryption->key_secret_ref);
      if (o.encryption->key_id.empty()) Fail(path + ".encryption.keyId", "is required");
      else
        Matches(path + ".encryption.keyId", o.encryption->key_id, IsKeyId,
                "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    CheckRetention(path + ".retention", o.retention);
  }

  void CheckSchedule(const std::string& path, const std::string& schedule) {
    if (schedule.empty()) {
      Fail(path, "is required");
    } else if (Status s = ValidateCron(schedule); !s) {
      Fail(path, s.error().message);
    }
  }

  void CheckDrill(const Drill& d) {
    CheckSchedule("spec.backup.drill.schedule", d.schedule);
    if (d.memory_budget && Bytes("spec.backup.drill.memoryBudget", *d.memory_budget) == 0)
      Fail("spec.backup.drill.memoryBudget", "must be greater than 0");
  }

  void CheckBackup(const Backup& b) {
    CheckSchedule("spec.backup.schedule", b.schedule);
    if (b.drill) CheckDrill(*b.drill);
    CheckRetention("spec.backup.retention", b.retention);
    if (b.destinations && *b.destinations != BackupDestinations::kLocal && !b.object_store)
      Fail("spec.backup.destinations", "must be local when spec.backup.objectStore is not set");
    if (b.object_store) CheckObjectStore("spec.backup.objectStore", *b.object_store);
  }

  void CheckRestore(const Restore& r) {
    const RestoreSource& s = r.source;
    const std::string p = "spec.restore.source";
    if (s.type == RestoreSourceType::kBackup && !s.backup_name)
      Fail(p + ".backupName", "is required when type is backup");
    if (s.type != RestoreSourceType::kBackup && s.backup_name)
      Fail(p + ".backupName", "is only allowed when type is backup");
    if (s.type == RestoreSourceType::kPointInTime && !s.point_in_time)
      Fail(p + ".pointInTime", "is required when type is pointInTime");
    if (s.type != RestoreSourceType::kPointInTime && s.point_in_time)
      Fail(p + ".pointInTime", "is only allowed when type is pointInTime");
    if (s.backup_name)
      Matches(p + ".backupName", *s.backup_name, IsBackupName,
              "must be a backup name: letters, digits, '.', '_' or '-'");
    if (s.point_in_time)
      Matches(p + ".pointInTime", *s.point_in_time, IsRfc3339,
              "must be an RFC 3339 time such as 2024-05-01T12:00:00Z");
    Bytes("spec.restore.maxAofTailRepairBytes", r.max_aof_tail_repair_bytes);
    if (r.from_instance)
      Matches("spec.restore.fromInstance", *r.from_instance, IsInstanceName,
              "must be NAMESPACE/NAME, two DNS labels");
  }
};

}  // namespace

Problems ValidateSpec(const RedisPersistenceSpec& spec) {
  Checker c;
  c.CheckWorkload(spec.workload);
  c.CheckRdb(spec);
  c.CheckAof(spec);
  c.CheckStorage(spec);
  if (spec.backup) c.CheckBackup(*spec.backup);
  c.CheckRestore(spec.restore);
  return std::move(c.problems);
}

Problems Validate(const RedisPersistence& resource) {
  Checker c;
  if (resource.api_version != kApiVersion)
    c.Fail("apiVersion", "must be " + std::string(kApiVersion));
  if (resource.kind != kKind) c.Fail("kind", "must be " + std::string(kKind));
  if (resource.name.empty()) {
    c.Fail("metadata.name", "is required");
  } else if (resource.name.size() > kMaxNameLength || !IsDnsLabel(resource.name)) {
    c.Fail("metadata.name", "must be at most " + std::to_string(kMaxNameLength) +
                                " lowercase letters, digits or '-', starting and ending with a "
                                "letter or digit");
  }
  Problems spec = ValidateSpec(resource.spec);
  c.problems.insert(c.problems.end(), spec.begin(), spec.end());
  return std::move(c.problems);
}

}  // namespace tidemark::policy
