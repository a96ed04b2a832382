#include "core/policy/parse.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <functional>

#include "core/policy/text.h"

namespace tidemark::policy {

namespace {

// How Kubernetes (YAML 1.1 through sigs.k8s.io/yaml) reads a plain, unquoted scalar.
enum class PlainKind { kBool, kInt, kFloat, kString };

bool ParseBoolWord(std::string_view s, bool& out) {
  static constexpr std::array<std::string_view, 11> kTrue = {
      "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
  static constexpr std::array<std::string_view, 11> kFalse = {
      "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
  for (auto w : kTrue)
    if (s == w) return out = true, true;
  for (auto w : kFalse)
    if (s == w) return out = false, true;
  return false;
}

PlainKind Classify(const YAML::Node& node) {
  if (node.Tag() == "!") return PlainKind::kString;  // quoted (and every JSON string)
  const std::string& s = node.Scalar();
  bool ignored;
  if (ParseBoolWord(s, ignored)) return PlainKind::kBool;
  // [-+]?[0-9]+ is an integer; [-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)? a float.
  std::string_view rest = s;
  text::SkipSign(rest);
  std::string_view digits = rest;
  if (text::SkipDigits(digits) > 0 && digits.empty()) return PlainKind::kInt;
  if (!text::SkipDecimal(rest)) return PlainKind::kString;
  if (!rest.empty() && (rest[0] == 'e' || rest[0] == 'E')) {
    rest.remove_prefix(1);
    text::SkipSign(rest);
    if (text::SkipDigits(rest) == 0) return PlainKind::kString;
  }
  return rest.empty() ? PlainKind::kFloat : PlainKind::kString;
}

class Parser {
 public:
  Problems problems;

  void Fail(const std::string& path, std::string message) {
    problems.push_back(FieldError(path, std::move(message)));
  }

  // Absent and null values are "not set": the model keeps its default.
  static bool Present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

  // Walks a mapping; `field(key, value, path)` returns false for a key it does not know.
  bool Object(
      const YAML::Node& n, const std::string& path,
      const std::function<bool(const std::string&, const YAML::Node&, const std::string&)>& field) {
    if (!n.IsMap()) {
      Fail(path, "must be an object");
      return false;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string child = path.empty() ? key : path + "." + key;
      if (!Present(it->second)) continue;
      if (!field(key, it->second, child)) Fail(child, "unknown field");
    }
    return true;
  }

  bool String(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!n.IsScalar()) return Fail(path, "must be a string"), false;
    switch (Classify(n)) {
      case PlainKind::kString:
        out = n.Scalar();
        return true;
      case PlainKind::kBool:
        Fail(path, "must be a string; a bare " + n.Scalar() + " is a YAML boolean: write \"" +
                       n.Scalar() + "\"");
        return false;
      default:
        Fail(path, "must be a string");
        return false;
    }
  }

  bool Int(const YAML::Node& n, const std::string& path, int64_t& out) {
    if (n.IsScalar() && Classify(n) == PlainKind::kInt) {
      std::string_view s = n.Scalar();
      if (!s.empty() && s[0] == '+') s.remove_prefix(1);
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc() && ptr == s.data() + s.size()) return true;
    }
    Fail(path, "must be an integer");
    return false;
  }

  bool Bool(const YAML::Node& n, const std::string& path, bool& out) {
    if (n.IsScalar() && Classify(n) == PlainKind::kBool && ParseBoolWord(n.Scalar(), out))
      return true;
    Fail(path, "must be a boolean");
    return false;
  }

  // int-or-string, as Kubernetes quantities are.
  bool Quantity(const YAML::Node& n, const std::string& path, std::string& out) {
    if (n.IsScalar()) {
      PlainKind kind = Classify(n);
      if (kind == PlainKind::kString || kind == PlainKind::kInt) {
        out = n.Scalar();
        return true;
      }
    }
    Fail(path, "must be a quantity: an integer or a string such as 64Mi");
    return false;
  }

  // Byte sizes are strings in the CRD (pattern-checked), as "64Mi" or "1048576".
  bool Size(const YAML::Node& n, const std::string& path, std::string& out) {
    if (n.IsScalar() && Classify(n) == PlainKind::kString) {
      out = n.Scalar();
      return true;
    }
    Fail(path, "must be a string such as \"64Mi\" or \"1048576\"");
    return false;
  }

  template <class E, size_t N>
  bool Enum(const YAML::Node& n, const std::string& path, E& out,
            const std::array<std::pair<std::string_view, E>, N>& values) {
    std::string s;
    if (!String(n, path, s)) return false;
    for (const auto& [name, value] : values) {
      if (s == name) return out = value, true;
    }
    std::string names;
    for (const auto& [name, value] : values)
      names += (names.empty() ? "" : ", ") + std::string(name);
    Fail(path, "must be one of " + names);
    return false;
  }

  template <class F>
  void List(const YAML::Node& n, const std::string& path, F&& item) {
    if (!n.IsSequence()) return Fail(path, "must be a list");
    for (size_t i = 0; i < n.size(); ++i) item(n[i], path + "[" + std::to_string(i) + "]");
  }

  // --- sections ---

  void Quantities(const YAML::Node& n, const std::string& path,
                  std::map<std::string, std::string>& out) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      std::string q;
      if (Quantity(v, p, q)) out[key] = q;
      return true;
    });
  }

  void Workload(const YAML::Node& n, const std::string& path, policy::Workload& w) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "image") return String(v, p, w.image), true;
      if (key == "replicas") return Int(v, p, w.replicas), true;
      if (key == "resources") {
        Object(v, p, [&](const std::string& k, const YAML::Node& rv, const std::string& rp) {
          if (k == "requests") return Quantities(rv, rp, w.resources.requests), true;
          if (k == "limits") return Quantities(rv, rp, w.resources.limits), true;
          return false;
        });
        return true;
      }
      if (key == "passwordSecretRef") {
        return KeyRef(v, p, w.password_secret_ref.emplace()), true;
      }
      if (key == "peerTLS") {
        Object(v, p, [&](const std::string& k, const YAML::Node& tv, const std::string& tp) {
          if (k == "secretName") return String(tv, tp, w.peer_tls_secret_name.emplace()), true;
          return false;
        });
        if (!w.peer_tls_secret_name) w.peer_tls_secret_name.emplace();  // required: validate.cc
        return true;
      }
      return false;
    });
  }

  void Rdb(const YAML::Node& n, const std::string& path, RdbSettings& r) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "savePoints") {
        auto& points = r.save_points.emplace();
        List(v, p, [&](const YAML::Node& item, const std::string& ip) {
          SavePoint& sp = points.emplace_back();
          Object(item, ip, [&](const std::string& k, const YAML::Node& sv, const std::string& s) {
            if (k == "seconds") return Int(sv, s, sp.seconds), true;
            if (k == "changes") return Int(sv, s, sp.changes), true;
            return false;
          });
        });
        return true;
      }
      if (key == "compression") return Bool(v, p, r.compression), true;
      if (key == "checksum") return Bool(v, p, r.checksum), true;
      if (key == "stopWritesOnBgsaveError") return Bool(v, p, r.stop_writes_on_bgsave_error), true;
      if (key == "fileName") return String(v, p, r.file_name), true;
      return false;
    });
  }

  void Window(const YAML::Node& n, const std::string& path, TimeWindow& w) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "start") return String(v, p, w.start), true;
      if (key == "end") return String(v, p, w.end), true;
      return false;
    });
  }

  void Aof(const YAML::Node& n, const std::string& path, AofSettings& a) {
    static constexpr std::array<std::pair<std::string_view, Fsync>, 3> kFsync = {
        {{"always", Fsync::kAlways}, {"everysec", Fsync::kEverysec}, {"no", Fsync::kNo}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "fsync") return Enum(v, p, a.fsync, kFsync), true;
      if (key == "rdbPreamble") return Bool(v, p, a.rdb_preamble), true;
      if (key == "timestamps") return Bool(v, p, a.timestamps), true;
      if (key == "rewrite") {
        AofRewrite& rw = a.rewrite;
        Object(v, p, [&](const std::string& k, const YAML::Node& rv, const std::string& rp) {
          if (k == "growthPercent") return Int(rv, rp, rw.growth_percent), true;
          if (k == "minSize") return Size(rv, rp, rw.min_size), true;
          if (k == "maxSize") return Size(rv, rp, rw.max_size.emplace()), true;
          if (k == "window") return Window(rv, rp, rw.window.emplace()), true;
          return false;
        });
        return true;
      }
      return false;
    });
  }

  void VolumeSpec(const YAML::Node& n, const std::string& path, Volume& vol) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "size") return Size(v, p, vol.size), true;
      if (key == "storageClassName") return String(v, p, vol.storage_class_name.emplace()), true;
      if (key == "accessModes") {
        vol.access_modes.clear();
        List(v, p, [&](const YAML::Node& item, const std::string& ip) {
          std::string mode;
          if (String(item, ip, mode)) vol.access_modes.push_back(mode);
        });
        return true;
      }
      return false;
    });
  }

  void StorageSpec(const YAML::Node& n, const std::string& path, Storage& s) {
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "data") return VolumeSpec(v, p, s.data), true;
      if (key == "aof") return VolumeSpec(v, p, s.aof.emplace()), true;
      if (key == "backup") return VolumeSpec(v, p, s.backup.emplace()), true;
      return false;
    });
  }

  void RetentionSpec(const YAML::Node& n, const std::string& path, Retention& r) {
    Object(n, path, [&](const std::string& k, const YAML::Node& v, const std::string& p) {
      if (k == "keepLast") return Int(v, p, r.keep_last), true;
      if (k == "keepDaily") return Int(v, p, r.keep_daily), true;
      if (k == "keepWeekly") return Int(v, p, r.keep_weekly), true;
      return false;
    });
  }

  // A {name, key} reference to a Secret or ConfigMap key.
  void KeyRef(const YAML::Node& n, const std::string& path, SecretKeyRef& ref) {
    Object(n, path, [&](const std::string& k, const YAML::Node& v, const std::string& p) {
      if (k == "name") return String(v, p, ref.name), true;
      if (k == "key") return String(v, p, ref.key), true;
      return false;
    });
  }

  void ObjectStoreSpec(const YAML::Node& n, const std::string& path, ObjectStore& o) {
    static constexpr std::array<std::pair<std::string_view, Addressing>, 2> kAddressing = {
        {{"path", Addressing::kPath}, {"virtual", Addressing::kVirtual}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "endpoint") return String(v, p, o.endpoint), true;
      if (key == "bucket") return String(v, p, o.bucket), true;
      if (key == "prefix") return String(v, p, o.prefix), true;
      if (key == "region") return String(v, p, o.region), true;
      if (key == "addressing") return Enum(v, p, o.addressing, kAddressing), true;
      if (key == "retention") return RetentionSpec(v, p, o.retention), true;
      if (key == "credentials") {
        ObjectStoreCredentials& c = o.credentials;
        Object(v, p, [&](const std::string& k, const YAML::Node& cv, const std::string& cp) {
          if (k == "secretName") return String(cv, cp, c.secret_name), true;
          if (k == "accessKeyIdKey") return String(cv, cp, c.access_key_id_key), true;
          if (k == "secretAccessKeyKey") return String(cv, cp, c.secret_access_key_key), true;
          if (k == "sessionTokenKey") return String(cv, cp, c.session_token_key.emplace()), true;
          return false;
        });
        return true;
      }
      if (key == "caBundle") {
        CaBundle& ca = o.ca_bundle.emplace();
        Object(v, p, [&](const std::string& k, const YAML::Node& cv, const std::string& cp) {
          if (k == "secretRef") return KeyRef(cv, cp, ca.secret_ref.emplace(SecretKeyRef{"", "ca.crt"})), true;
          if (k == "configMapRef")
            return KeyRef(cv, cp, ca.config_map_ref.emplace(SecretKeyRef{"", "ca.crt"})), true;
          return false;
        });
        return true;
      }
      if (key == "encryption") {
        Encryption& e = o.encryption.emplace();
        Object(v, p, [&](const std::string& k, const YAML::Node& ev, const std::string& ep) {
          if (k == "keySecretRef") return KeyRef(ev, ep, e.key_secret_ref), true;
          if (k == "keyId") return String(ev, ep, e.key_id), true;
          return false;
        });
        return true;
      }
      return false;
    });
  }

  void DrillSpec(const YAML::Node& n, const std::string& path, Drill& d) {
    static constexpr std::array<std::pair<std::string_view, DrillWhat>, 2> kWhat = {
        {{"newest", DrillWhat::kNewest}, {"everyNew", DrillWhat::kEveryNew}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "schedule") return String(v, p, d.schedule), true;
      if (key == "memoryBudget") return Size(v, p, d.memory_budget.emplace()), true;
      if (key == "what") return Enum(v, p, d.what, kWhat), true;
      return false;
    });
  }

  void BackupSpec(const YAML::Node& n, const std::string& path, Backup& b) {
    static constexpr std::array<std::pair<std::string_view, BackupDestinations>, 3> kDestinations =
        {{{"local", BackupDestinations::kLocal},
          {"objectStore", BackupDestinations::kObjectStore},
          {"both", BackupDestinations::kBoth}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "schedule") return String(v, p, b.schedule), true;
      if (key == "verifyAfterCopy") return Bool(v, p, b.verify_after_copy), true;
      if (key == "allowEmpty") return Bool(v, p, b.allow_empty), true;
      if (key == "retention") return RetentionSpec(v, p, b.retention), true;
      if (key == "destinations") return Enum(v, p, b.destinations.emplace(), kDestinations), true;
      if (key == "objectStore") return ObjectStoreSpec(v, p, b.object_store.emplace()), true;
      if (key == "drill") return DrillSpec(v, p, b.drill.emplace()), true;
      return false;
    });
  }

  void RestoreSpec(const YAML::Node& n, const std::string& path, Restore& r) {
    static constexpr std::array<std::pair<std::string_view, RestoreWhen>, 2> kWhen = {
        {{"auto", RestoreWhen::kAuto}, {"never", RestoreWhen::kNever}}};
    static constexpr std::array<std::pair<std::string_view, RestoreSourceType>, 3> kType = {
        {{"latest", RestoreSourceType::kLatest},
         {"backup", RestoreSourceType::kBackup},
         {"pointInTime", RestoreSourceType::kPointInTime}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "when") return Enum(v, p, r.when, kWhen), true;
      if (key == "allowAofTailRepair") return Bool(v, p, r.allow_aof_tail_repair), true;
      if (key == "maxAofTailRepairBytes")
        return Quantity(v, p, r.max_aof_tail_repair_bytes), true;
      if (key == "forceEmptyStart") return Bool(v, p, r.force_empty_start), true;
      if (key == "fromInstance") return String(v, p, r.from_instance.emplace()), true;
      if (key == "source") {
        Object(v, p, [&](const std::string& k, const YAML::Node& sv, const std::string& sp) {
          if (k == "type") return Enum(sv, sp, r.source.type, kType), true;
          if (k == "backupName") return String(sv, sp, r.source.backup_name.emplace()), true;
          if (k == "pointInTime") return String(sv, sp, r.source.point_in_time.emplace()), true;
          return false;
        });
        return true;
      }
      return false;
    });
  }

  void Spec(const YAML::Node& n, const std::string& path, RedisPersistenceSpec& s) {
    static constexpr std::array<std::pair<std::string_view, Mode>, 4> kModes = {
        {{"rdb", Mode::kRdb},
         {"aof", Mode::kAof},
         {"hybrid", Mode::kHybrid},
         {"none", Mode::kNone}}};
    Object(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "workload") return Workload(v, p, s.workload), true;
      if (key == "mode") return Enum(v, p, s.mode, kModes), true;
      if (key == "rdb") return Rdb(v, p, s.rdb), true;
      if (key == "aof") return Aof(v, p, s.aof), true;
      if (key == "storage") return StorageSpec(v, p, s.storage), true;
      if (key == "backup") return BackupSpec(v, p, s.backup.emplace()), true;
      if (key == "restore") return RestoreSpec(v, p, s.restore), true;
      return false;
    });
  }

  void Resource(const YAML::Node& n, RedisPersistence& r) {
    bool has_spec = false;
    Object(n, "", [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "apiVersion") return String(v, p, r.api_version), true;
      if (key == "kind") return String(v, p, r.kind), true;
      if (key == "metadata") {
        Object(v, p, [&](const std::string& k, const YAML::Node& mv, const std::string& mp) {
          if (k == "name") String(mv, mp, r.name);
          if (k == "namespace") String(mv, mp, r.namespace_);
          return true;  // labels, annotations, ...: the API server's business
        });
        return true;
      }
      if (key == "spec") return has_spec = true, Spec(v, p, r.spec), true;
      if (key == "status") return true;  // written by the operator; not input
      return false;
    });
    if (!has_spec && n.IsMap()) Fail("spec", "is required");
  }
};

}  // namespace

// Counts YAML documents by their markers: a line starting with "---" (then a blank or the end
// of the line) or "..." at column 0 ends the document before it, if that held anything besides
// comments and directives. Column-0 markers cannot occur inside block scalars, which are indented.
static size_t CountDocuments(std::string_view text) {
  size_t count = 0;
  bool content = false;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    auto is_marker = [&](std::string_view m) {
      return line.starts_with(m) && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    };
    if (is_marker("---") || is_marker("...")) {
      if (content) ++count;
      content = false;
      std::string_view rest = line.substr(3);
      size_t first = rest.find_first_not_of(" \t\r");
      if (is_marker("---") && first != std::string_view::npos && rest[first] != '#') content = true;
      continue;
    }
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && !(first == 0 && line[0] == '%')) content = true;
  }
  return count + (content ? 1 : 0);
}

Checked<RedisPersistence> ParseRedisPersistence(std::string_view text) {
  // yaml-cpp 0.7's LoadAll never returns on some malformed input (fuzz/policy_fuzz found
  // ",t#x: y"); Load does, so documents are counted by their markers and one is loaded.
  size_t documents = CountDocuments(text);
  if (documents != 1)
    return std::unexpected(Problems{
        FieldError("", "must hold exactly one document, found " + std::to_string(documents))});
  std::vector<YAML::Node> docs;
  try {
    docs.push_back(YAML::Load(std::string(text)));
  } catch (const YAML::ParserException& e) {
    return std::unexpected(Problems{
        FieldError("", "not valid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ": " + e.msg)});
  } catch (const YAML::Exception& e) {
    return std::unexpected(Problems{FieldError("", std::string("not valid YAML: ") + e.what())});
  }
  if (docs[0].IsNull())
    return std::unexpected(Problems{FieldError("", "not valid YAML: expected a RedisPersistence mapping")});
  Parser parser;
  RedisPersistence resource;
  try {
    parser.Resource(docs[0], resource);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on conversions it cannot make (e.g. a non-scalar key); report, not crash.
    parser.Fail("", std::string("cannot read the document: ") + e.what());
  }
  if (!parser.problems.empty()) return std::unexpected(std::move(parser.problems));
  return resource;
}

}  // namespace tidemark::policy
