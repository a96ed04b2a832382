#include "tests/operator/fake_apiserver/fake_apiserver.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "tests/operator/fake_apiserver/json_ops.h"
#include "tests/operator/fake_apiserver/pod_proxy.h"

namespace tidemark::fake {
namespace {

using Clock = std::chrono::steady_clock;

const char kDnsMessage[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsSubdomain(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string part =
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || !IsLowerAlnum(part.front()) || !IsLowerAlnum(part.back())) return false;
    for (char c : part) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Str(const Json& v, const std::string& key) {
  return v.is_object() && v.has_field(key) && v.at(key).is_string() ? v.at(key).as_string() : "";
}

Json Meta(const Json& obj) {
  return obj.is_object() && obj.has_field("metadata") && obj.at("metadata").is_object()
             ? obj.at("metadata")
             : Json::object();
}

std::map<std::string, std::string> Labels(const Json& obj) {
  std::map<std::string, std::string> out;
  Json meta = Meta(obj);
  if (meta.has_field("labels") && meta.at("labels").is_object()) {
    for (const auto& [k, v] : meta.at("labels").as_object()) {
      if (v.is_string()) out[k] = v.as_string();
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    out[PercentDecode(part.substr(0, eq))] =
        eq == std::string::npos ? "" : PercentDecode(part.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      size_t i = 0;
      for (const auto& item : node) out[i++] = YamlToJson(item);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return Json::string(s);  // quoted
      if (s == "true") return Json::boolean(true);
      if (s == "false") return Json::boolean(false);
      if (s == "null" || s == "~") return Json::null();
      if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos &&
          s.find('-', 1) == std::string::npos && s != "-") {
        try {
          return Json::number(static_cast<int64_t>(std::stoll(s)));
        } catch (...) {
        }
      }
      return Json::string(s);
    }
    default:
      return Json::null();
  }
}

struct PathInfo {
  bool ok = false;
  bool version = false;
  std::string group, api_version, ns, resource, name, subresource;
};

PathInfo ParsePath(const std::string& path) {
  PathInfo r;
  if (path == "/version") {
    r.ok = r.version = true;
    return r;
  }
  std::vector<std::string> seg;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    seg.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    r.api_version = seg[1];
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    r.group = seg[1];
    r.api_version = seg[2];
    i = 3;
  } else {
    return r;
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  for (const auto& s : rest) {
    if (s.empty()) return r;
  }
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    r.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return r;
  r.resource = rest[0];
  if (rest.size() >= 2) r.name = rest[1];
  if (rest.size() == 3) r.subresource = rest[2];
  r.ok = true;
  return r;
}

struct ManagedEntry {
  std::string manager, operation, subresource, api_version;
  FieldSet fields;
};

std::vector<ManagedEntry> ReadManaged(const Json& obj) {
  std::vector<ManagedEntry> out;
  Json meta = Meta(obj);
  if (!meta.has_field("managedFields") || !meta.at("managedFields").is_array()) return out;
  for (const Json& e : meta.at("managedFields").as_array()) {
    ManagedEntry m{Str(e, "manager"), Str(e, "operation"), Str(e, "subresource"),
                   Str(e, "apiVersion"),
                   e.has_field("fieldsV1") ? DecodeFieldsV1(e.at("fieldsV1")) : FieldSet{}};
    out.push_back(m);
  }
  return out;
}

void WriteManaged(Json& obj, const std::vector<ManagedEntry>& entries, const std::string& time) {
  Json arr = Json::array();
  size_t i = 0;
  for (const ManagedEntry& e : entries) {
    if (e.fields.empty()) continue;
    Json j = Json::object();
    j["apiVersion"] = Json::string(e.api_version);
    j["fieldsType"] = Json::string("FieldsV1");
    j["fieldsV1"] = EncodeFieldsV1(e.fields);
    j["manager"] = Json::string(e.manager);
    j["operation"] = Json::string(e.operation);
    if (!e.subresource.empty()) j["subresource"] = Json::string(e.subresource);
    j["time"] = Json::string(time);
    arr[i++] = j;
  }
  if (i == 0) {
    if (obj["metadata"].has_field("managedFields")) obj["metadata"].erase("managedFields");
  } else {
    obj["metadata"]["managedFields"] = arr;
  }
}

// Leaves a manager can own: everything but identity and bookkeeping; status only through the
// status subresource when the kind has one.
FieldSet OwnableLeaves(const Json& obj, bool status_only, bool exclude_status) {
  FieldSet all;
  CollectLeaves(obj, {}, all);
  FieldSet out;
  for (const FieldPath& p : all) {
    const std::string& top = p[0];
    if (top == "apiVersion" || top == "kind") continue;
    if (top == "metadata") {
      if (p.size() < 2) continue;
      const std::string& m = p[1];
      if (m != "labels" && m != "annotations" && m != "ownerReferences" && m != "finalizers") {
        continue;
      }
    }
    if (status_only && top != "status") continue;
    if (exclude_status && top == "status") continue;
    out.insert(p);
  }
  return out;
}

// The object without metadata and status: what a spec change means for generation.
Json SpecPart(const Json& obj) {
  Json out = obj;
  if (out.is_object()) {
    for (const char* k : {"metadata", "status", "apiVersion", "kind"}) {
      if (out.has_field(k)) out.erase(k);
    }
  }
  return out;
}

Json WithoutVolatile(const Json& obj) {
  Json out = obj;
  if (out.is_object() && out.has_field("metadata")) {
    for (const char* k : {"resourceVersion", "managedFields"}) {
      if (out["metadata"].has_field(k)) out["metadata"].erase(k);
    }
  }
  return out;
}

std::string GoMap(const std::map<std::string, std::string>& m) {
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    first = false;
    out += "\"" + k + "\":\"" + v + "\"";
  }
  return out + "}";
}

// The defaults kube-apiserver fills into the StatefulSet and PVC fields that are compared for
// immutability (applied to created and updated objects alike, as the real server does before
// validating). The pod template is not defaulted.
void DefaultBuiltIn(const std::string& group, const std::string& resource, Json& obj) {
  if (!obj.is_object() || !obj.has_field("spec") || !obj.at("spec").is_object()) return;
  auto set_default = [](Json& parent, const std::string& key, const Json& value) {
    if (!parent.has_field(key)) parent[key] = value;
  };
  if (group == "apps" && resource == "statefulsets") {
    Json spec = obj.at("spec");
    set_default(spec, "podManagementPolicy", Json::string("OrderedReady"));
    set_default(spec, "revisionHistoryLimit", Json::number(10));
    set_default(spec, "replicas", Json::number(1));
    if (!spec.has_field("updateStrategy")) {
      spec["updateStrategy"] =
          Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"partition":0}})");
    }
    if (spec.has_field("volumeClaimTemplates") && spec.at("volumeClaimTemplates").is_array()) {
      Json templates = spec.at("volumeClaimTemplates");
      for (size_t i = 0; i < templates.size(); ++i) {
        Json t = templates.at(i);
        set_default(t, "kind", Json::string("PersistentVolumeClaim"));
        set_default(t, "apiVersion", Json::string("v1"));
        if (t.has_field("metadata")) set_default(t["metadata"], "creationTimestamp", Json::null());
        if (t.has_field("spec")) set_default(t["spec"], "volumeMode", Json::string("Filesystem"));
        set_default(t, "status", Json::parse(R"({"phase":"Pending"})"));
        templates[i] = t;
      }
      spec["volumeClaimTemplates"] = templates;
    }
    obj["spec"] = spec;
  }
  if (group.empty() && resource == "persistentvolumeclaims") {
    set_default(obj["spec"], "volumeMode", Json::string("Filesystem"));
  }
}

struct Reply {
  int status = 200;
  Json body;
  std::map<std::string, std::string> headers;
  std::optional<std::string> raw_body;  // a pod's answer relayed by the proxy, sent as it is
};

struct LoggedEvent {
  int64_t rv;
  std::string type_key;
  std::string ns;
  std::string type;  // ADDED / MODIFIED / DELETED
  Json object;
};

class BufferExchange : public Exchange {
 public:
  void Respond(int status, const std::map<std::string, std::string>& headers,
               const std::string& body) override {
    out.status = status;
    out.headers = headers;
    out.body = body;
  }
  bool StartStream(int status, const std::map<std::string, std::string>& headers) override {
    out.status = status;
    out.headers = headers;
    return true;
  }
  bool SendChunk(const std::string& data) override {
    pending_ += data;
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      out.events.push_back(pending_.substr(0, nl));
      pending_.erase(0, nl + 1);
    }
    return !out.dropped;
  }
  void EndStream() override {}
  void Drop() override { out.dropped = true; }
  FakeResponse out;

 private:
  std::string pending_;
};

class Server : public FakeApiServer {
 public:
  explicit Server(const FakeApiServerOptions& options) : options_(options) {
    auto add = [this](std::string g, std::string v, std::string r, std::string k, bool ns,
                      bool status, bool gen, bool custom) {
      AddResource(FakeResource{g, v, r, k, ns, status, gen, custom, ""});
    };
    add("", "v1", "namespaces", "Namespace", false, true, false, false);
    add("", "v1", "configmaps", "ConfigMap", true, false, false, false);
    add("", "v1", "secrets", "Secret", true, false, false, false);
    add("", "v1", "services", "Service", true, true, false, false);
    add("", "v1", "serviceaccounts", "ServiceAccount", true, false, false, false);
    add("", "v1", "events", "Event", true, false, false, false);
    add("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, false, false);
    add("", "v1", "pods", "Pod", true, true, false, false);
    add("apps", "v1", "statefulsets", "StatefulSet", true, true, true, false);
    add("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false, true, false);
    add("coordination.k8s.io", "v1", "leases", "Lease", true, false, false, false);
    add("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, false, false, false);
    add("events.k8s.io", "v1", "events", "Event", true, false, false, false);
    add("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false, false, false);
    add("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false, false,
        false);
    add("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
        false, true, true, false);
    add("tidemark.dev", "v1alpha1", "redispersistences", "RedisPersistence", true, true, true,
        true);
  }

  ~Server() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    wire_.reset();
  }

  bool Listen(std::string* error) {
    wire_ = HttpWireServer::Start(
        [this](const HttpRequest& req, Exchange& ex) {
          if (Down()) {
            refused_.fetch_add(1);
            ex.Drop();
            return;
          }
          Serve(req, ex);
        },
                                  options_.tls ? &options_.tls_files : nullptr, error);
    return wire_ != nullptr;
  }

  int port() const override { return wire_ ? wire_->port() : 0; }
  std::string url() const override {
    return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
  }

  void AddResource(const FakeResource& r) override {
    std::lock_guard lock(mu_);
    types_[r.group + "/" + r.resource] = r;
  }
  void AddAdminToken(const std::string& token) override {
    std::lock_guard lock(mu_);
    tokens_[token] = "admin";
    admins_.insert("admin");
  }
  void AddToken(const std::string& token, const std::string& user,
                const std::vector<Permission>& allow) override {
    std::lock_guard lock(mu_);
    tokens_[token] = user;
    perms_[user] = allow;
  }
  void RemoveToken(const std::string& token) override {
    std::lock_guard lock(mu_);
    tokens_.erase(token);
  }
  void AllowUser(const std::string& user, const std::vector<Permission>& allow) override {
    std::lock_guard lock(mu_);
    perms_[user] = allow;
  }
  void FailNext(int n, int status) override {
    std::lock_guard lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
  }
  void DelayNext(int n, int delay_ms) override {
    std::lock_guard lock(mu_);
    delay_left_ = n;
    delay_ms_ = delay_ms;
  }
  void DropWatches() override {
    {
      std::lock_guard lock(mu_);
      ++drop_epoch_;
    }
    cv_.notify_all();
  }
  void RefuseWatches(bool refuse) override {
    std::lock_guard lock(mu_);
    refuse_watches_ = refuse;
  }
  void Compact() override {
    std::lock_guard lock(mu_);
    compacted_ = rv_;
    log_.clear();
  }
  void ExpireWatches() override {
    {
      std::lock_guard lock(mu_);
      compacted_ = rv_;
      log_.clear();
      ++expire_epoch_;
    }
    cv_.notify_all();
  }
  void SetDown(bool down) override {
    {
      std::lock_guard lock(mu_);
      down_ = down;
    }
    cv_.notify_all();
    if (down && wire_) wire_->DropConnections();
  }
  int refused_count() const override { return refused_.load(); }
  void FailNextMatching(const std::string& verb, const std::string& resource, int n,
                        int status) override {
    std::lock_guard lock(mu_);
    matching_faults_.push_back(MatchingFault{verb, resource, n, status});
  }
  int64_t resource_version() const override {
    std::lock_guard lock(mu_);
    return rv_;
  }
  int request_count() const override { return requests_.load(); }
  int write_count() const override { return writes_.load(); }
  int active_watches() const override { return watches_.load(); }

  FakeResponse Handle(const std::string& method, const std::string& target,
                      const std::map<std::string, std::string>& headers,
                      const std::string& body) override {
    HttpRequest req;
    req.method = method;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    for (const auto& [k, v] : headers) {
      std::string lk = k;
      for (char& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[lk] = v;
    }
    req.body = body;
    BufferExchange ex;
    Serve(req, ex);
    return ex.out;
  }

 private:
  // ---- plumbing -------------------------------------------------------------------------------
  bool Down() const {
    std::lock_guard lock(mu_);
    return down_;
  }

  // The injected failure for this authorised request, if one of FailNextMatching's is due.
  std::optional<Reply> InjectedFault(const std::string& verb, const FakeResource& t,
                                     const PathInfo& p) {
    const std::string resource = t.resource + (p.subresource.empty() ? "" : "/" + p.subresource);
    std::lock_guard lock(mu_);
    for (auto& f : matching_faults_) {
      if (f.left <= 0 || f.verb != verb || f.resource != resource) continue;
      --f.left;
      if (f.status == 409) return ConflictStale(t, p.name);
      if (f.status == 503) {
        return Fail(503, "ServiceUnavailable", "the server is currently unable to handle the request");
      }
      return Fail(f.status, "InternalError", "Internal error occurred: injected");
    }
    return std::nullopt;
  }

  static Json StatusBody(int code, const std::string& reason, const std::string& message,
                         const Json& details) {
    Json s = Json::object();
    s["kind"] = Json::string("Status");
    s["apiVersion"] = Json::string("v1");
    s["metadata"] = Json::object();
    s["status"] = Json::string("Failure");
    s["message"] = Json::string(message);
    s["reason"] = Json::string(reason);
    if (!details.is_null()) s["details"] = details;
    s["code"] = Json::number(code);
    return s;
  }

  static Json Details(const FakeResource& t, const std::string& name, bool use_kind) {
    Json d = Json::object();
    if (!name.empty()) d["name"] = Json::string(name);
    if (!t.group.empty()) d["group"] = Json::string(t.group);
    d["kind"] = Json::string(use_kind ? t.kind : t.resource);
    return d;
  }

  static std::string Qualified(const FakeResource& t) {
    return t.group.empty() ? t.resource : t.resource + "." + t.group;
  }
  static std::string QualifiedKind(const FakeResource& t) {
    return t.group.empty() ? t.kind : t.kind + "." + t.group;
  }

  static Reply Fail(int code, const std::string& reason, const std::string& message,
                    const Json& details = Json::null()) {
    return Reply{code, StatusBody(code, reason, message, details), {}, std::nullopt};
  }
  static Reply NotFound(const FakeResource& t, const std::string& name) {
    return Fail(404, "NotFound", Qualified(t) + " \"" + name + "\" not found",
                Details(t, name, false));
  }
  static Reply ConflictStale(const FakeResource& t, const std::string& name) {
    return Fail(409, "Conflict",
                "Operation cannot be fulfilled on " + Qualified(t) + " \"" + name +
                    "\": the object has been modified; please apply your changes to the latest "
                    "version and try again",
                Details(t, name, false));
  }
  struct Invalid {
    std::string reason, message, field;
  };
  static Reply Unprocessable(const FakeResource& t, const std::string& name,
                             const std::vector<Invalid>& causes) {
    Json d = Details(t, name, true);
    Json arr = Json::array();
    std::string joined;
    for (size_t i = 0; i < causes.size(); ++i) {
      Json c = Json::object();
      c["reason"] = Json::string(causes[i].reason);
      c["message"] = Json::string(causes[i].message);
      c["field"] = Json::string(causes[i].field);
      arr[i] = c;
      joined += (i ? ", " : "") + causes[i].field + ": " + causes[i].message;
    }
    d["causes"] = arr;
    if (causes.size() > 1) joined = "[" + joined + "]";
    return Fail(422, "Invalid", QualifiedKind(t) + " \"" + name + "\" is invalid: " + joined, d);
  }

  std::string NewUid() {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
      out += kHex[rng_() % 16];
    }
    return out;
  }

  std::string TypeKey(const FakeResource& t) const { return t.group + "/" + t.resource; }
  static std::string ObjKey(const std::string& ns, const std::string& name) {
    return ns + "/" + name;
  }

  void Log(const FakeResource& t, const std::string& ns, const std::string& type, const Json& obj) {
    log_.push_back(LoggedEvent{rv_, TypeKey(t), ns, type, obj});
    cv_.notify_all();
  }

  // ---- entry ----------------------------------------------------------------------------------
  void Serve(const HttpRequest& req, Exchange& ex) {
    requests_.fetch_add(1);
    int delay = 0;
    {
      std::lock_guard lock(mu_);
      if (delay_left_ > 0) {
        --delay_left_;
        delay = delay_ms_;
      }
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    Reply reply = Dispatch(req, ex);
    if (reply.status == 0) return;  // streamed
    std::map<std::string, std::string> headers = reply.headers;
    if (reply.raw_body) {
      ex.Respond(reply.status, headers, *reply.raw_body);
      return;
    }
    headers["Content-Type"] = "application/json";
    headers["Cache-Control"] = "no-cache, private";
    ex.Respond(reply.status, headers, reply.body.serialize());
  }

  Reply Dispatch(const HttpRequest& req, Exchange& ex) {
    std::string user;
    {
      std::lock_guard lock(mu_);
      if (fail_left_ > 0) {
        --fail_left_;
        int code = fail_status_;
        Reply r = code == 429   ? Fail(429, "TooManyRequests",
                                       "the server has received too many "
                                         "requests and has asked us to try again later",
                                       Json::object())
                  : code == 503 ? Fail(503, "ServiceUnavailable",
                                       "the server is currently unable "
                                       "to handle the request")
                                : Fail(code, "InternalError", "Internal error occurred: injected");
        if (code == 429) r.headers["Retry-After"] = "1";
        return r;
      }
      auto auth = req.headers.find("authorization");
      if (auth != req.headers.end() && auth->second.rfind("Bearer ", 0) == 0) {
        auto it = tokens_.find(auth->second.substr(7));
        if (it == tokens_.end()) return Fail(401, "Unauthorized", "Unauthorized");
        user = it->second;
      } else if (!req.client_cert_cn.empty()) {
        user = req.client_cert_cn;
      } else if (options_.require_auth) {
        return Fail(401, "Unauthorized", "Unauthorized");
      } else {
        user = "admin";
        admins_.insert("admin");
      }
    }
    if (auto proxy = ParsePodProxyPath(req.path)) return ServePodProxy(user, req, *proxy);
    Resolved r = Resolve(req);
    if (!r.ok)
      return Fail(404, "NotFound", "the server could not find the requested resource",
                  Json::object());
    if (r.route.version) {
      Json v = Json::object();
      v["major"] = Json::string("1");
      v["minor"] = Json::string("26");
      v["gitVersion"] = Json::string("v1.26.5-tidemark-fake");
      v["platform"] = Json::string("linux/amd64");
      return Reply{200, v, {}, std::nullopt};
    }
    auto query = ParseQuery(req.query);
    const FakeResource& t = r.type;
    const PathInfo& p = r.route;
    std::string verb;
    bool watch = query.count("watch") && (query["watch"] == "1" || query["watch"] == "true");
    if (req.method == "GET")
      verb = p.name.empty() ? (watch ? "watch" : "list") : "get";
    else if (req.method == "POST" && p.name.empty())
      verb = "create";
    else if (req.method == "PUT" && !p.name.empty())
      verb = "update";
    else if (req.method == "PATCH" && !p.name.empty())
      verb = "patch";
    else if (req.method == "DELETE" && !p.name.empty())
      verb = "delete";
    else
      return Fail(405, "MethodNotAllowed",
                  "the server does not allow this method on the "
                  "requested resource",
                  Json::object());
    if (!Authorized(user, verb, t, p)) return Forbidden(user, verb, t, p);
    Record(user, verb, t, p);
    if (verb == "patch" && p.subresource.empty() && IsApply(req) && !Exists(t, p)) {
      if (!Authorized(user, "create", t, p)) {
        return Fail(403, "Forbidden",
                    Qualified(t) + " \"" + p.name + "\" is forbidden: User \"" + user +
                        "\" cannot create resource \"" + t.resource + "\" in API group \"" +
                        t.group + "\" in the namespace \"" + p.ns + "\"",
                    Json::object());
      }
      Record(user, "create", t, p);
    }
    if (auto fault = InjectedFault(verb, t, p)) return *fault;
    bool dry_run = query.count("dryRun") && query["dryRun"] == "All";
    if (verb == "create" || verb == "update" || verb == "patch" || verb == "delete")
      writes_.fetch_add(1);
    if (!p.subresource.empty() && (p.subresource != "status" || !t.status_subresource)) {
      return Fail(404, "NotFound", "the server could not find the requested resource",
                  Json::object());
    }
    if (verb == "get") return Get(t, p);
    if (verb == "list") return List(t, p, query);
    if (verb == "watch") {
      {
        std::lock_guard lock(mu_);
        if (refuse_watches_) {
          return Fail(503, "ServiceUnavailable", "watch refused (fault injection)", Json::object());
        }
      }
      Watch(t, p, query, ex);
      return Reply{0, Json::null(), {}, std::nullopt};
    }
    if (verb == "delete") {
      return Delete(t, p, req.body,
                    query.count("propagationPolicy") ? query["propagationPolicy"] : "");
    }
    std::string manager = query.count("fieldManager") ? query["fieldManager"] : "";
    if (manager.empty()) {
      auto ua = req.headers.find("user-agent");
      manager = ua == req.headers.end() ? "unknown" : ua->second.substr(0, ua->second.find('/'));
    }
    if (req.method == "PATCH" || req.method == "PUT" || req.method == "POST") {
      std::string ct;
      if (auto it = req.headers.find("content-type"); it != req.headers.end()) ct = it->second;
      ct = ct.substr(0, ct.find(';'));
      if (req.method == "PATCH" && ct == "application/apply-patch+yaml") {
        if (!query.count("fieldManager")) {
          return Fail(400, "BadRequest",
                      "PATCH, application/apply-patch+yaml requires a "
                      "fieldManager",
                      Json::object());
        }
        bool force = query.count("force") && query["force"] == "true";
        return Apply(t, p, req.body, manager, force, dry_run);
      }
      Json body;
      try {
        body = Json::parse(req.body);
      } catch (const std::exception& e) {
        return Fail(400, "BadRequest",
                    std::string("the body of the request is not JSON: ") + e.what(),
                    Json::object());
      }
      if (verb == "create") return Create(t, p, body, manager, dry_run);
      if (verb == "update") return Update(t, p, body, manager, dry_run, true);
      if (ct == "application/merge-patch+json" || ct == "application/json-patch+json") {
        return PatchObject(t, p, body, ct == "application/json-patch+json", manager, dry_run);
      }
      return Fail(415, "UnsupportedMediaType",
                  "the body of the request was in an unknown format - accepted media types "
                  "include: application/json-patch+json, application/merge-patch+json, "
                  "application/apply-patch+yaml",
                  Json::object());
    }
    return Fail(405, "MethodNotAllowed", "not allowed", Json::object());
  }

  static Reply Forbidden(const std::string& user, const std::string& verb, const FakeResource& t,
                         const PathInfo& p) {
    std::string res = t.resource + (p.subresource.empty() ? "" : "/" + p.subresource);
    std::string scope =
        p.ns.empty() ? " at the cluster scope" : " in the namespace \"" + p.ns + "\"";
    Json d = Json::object();
    if (!p.name.empty()) d["name"] = Json::string(p.name);
    if (!t.group.empty()) d["group"] = Json::string(t.group);
    d["kind"] = Json::string(t.resource);
    return Fail(403, "Forbidden",
                Qualified(t) + (p.name.empty() ? "" : " \"" + p.name + "\"") +
                    " is forbidden: User \"" + user + "\" cannot " + verb + " resource \"" + res +
                    "\" in API group \"" + t.group + "\"" + scope,
                d);
  }

  // pods/{target}/proxy/{path}: see pod_proxy.h for what the real server does.
  Reply ServePodProxy(const std::string& user, const HttpRequest& req, const PodProxyRoute& route) {
    static const std::map<std::string, std::string> kVerbs = {
        {"GET", "get"}, {"HEAD", "get"}, {"POST", "create"}, {"PUT", "update"},
        {"PATCH", "patch"}, {"DELETE", "delete"}, {"OPTIONS", "get"}};
    auto verb = kVerbs.find(req.method);
    if (verb == kVerbs.end())
      return Fail(405, "MethodNotAllowed", "the server does not allow this method on the "
                                           "requested resource", Json::object());
    FakeResource pods;
    {
      std::lock_guard lock(mu_);
      pods = types_.at("/pods");
    }
    auto target = SplitSchemeNamePort(route.target);
    PathInfo p;
    p.ok = true;
    p.api_version = "v1";
    p.ns = route.ns;
    p.resource = "pods";
    p.name = target ? target->name : route.target;
    p.subresource = "proxy";
    if (!Authorized(user, verb->second, pods, p)) return Forbidden(user, verb->second, pods, p);
    Record(user, verb->second, pods, p);
    if (!target)
      return Fail(400, "BadRequest", "invalid pod request \"" + route.target + "\"",
                  Json::object());
    Reply pod = Get(pods, p);
    if (pod.status != 200) return pod;
    const Json* status = JsonFind(pod.body, "status");
    const std::string ip = status ? Str(*status, "podIP") : "";
    if (ip.empty()) return Fail(400, "BadRequest", "address not allowed", Json::object());
    std::string port = target->port;
    if (port.empty()) port = FirstContainerPort(pod.body);
    const std::string host_port = port.empty() ? ip : ip + ":" + port;
    std::string content_type;
    if (auto it = req.headers.find("content-type"); it != req.headers.end())
      content_type = it->second;
    PodAnswer answer =
        ForwardToPod(req.method, host_port, route.path + (req.query.empty() ? "" : "?" + req.query),
                     req.body, content_type, 10000);
    if (!answer.reached) {
      return Fail(503, "ServiceUnavailable",
                  "error trying to reach service: dial tcp " + host_port + ": " +
                      answer.dial_error,
                  Json::object());
    }
    Reply r;
    r.status = answer.status;
    if (!answer.content_type.empty()) r.headers["Content-Type"] = answer.content_type;
    r.raw_body = answer.body;
    return r;
  }

  static const Json* JsonFind(const Json& v, const std::string& key) {
    return v.is_object() && v.has_field(key) ? &v.at(key) : nullptr;
  }

  static std::string FirstContainerPort(const Json& pod) {
    const Json* spec = JsonFind(pod, "spec");
    const Json* containers = spec ? JsonFind(*spec, "containers") : nullptr;
    if (!containers || !containers->is_array()) return "";
    for (const Json& c : containers->as_array()) {
      const Json* ports = JsonFind(c, "ports");
      if (ports && ports->is_array() && ports->size() > 0 && ports->at(0).has_field("containerPort"))
        return std::to_string(ports->at(0).at("containerPort").as_integer());
    }
    return "";
  }

  struct Resolved {
    bool ok = false;
    PathInfo route;
    FakeResource type;
  };

  Resolved Resolve(const HttpRequest& req) {
    Resolved out;
    out.route = ParsePath(req.path);
    if (!out.route.ok) return out;
    if (out.route.version) {
      out.ok = true;
      return out;
    }
    std::lock_guard lock(mu_);
    auto it = types_.find(out.route.group + "/" + out.route.resource);
    if (it == types_.end() || it->second.version != out.route.api_version) return out;
    out.type = it->second;
    if (out.type.namespaced == out.route.ns.empty() && !out.route.name.empty()) return out;
    if (!out.type.namespaced && !out.route.ns.empty()) return out;
    out.ok = true;
    return out;
  }

  static bool IsApply(const HttpRequest& req) {
    auto it = req.headers.find("content-type");
    return it != req.headers.end() &&
           it->second.substr(0, it->second.find(';')) == "application/apply-patch+yaml";
  }
  bool Exists(const FakeResource& t, const PathInfo& p) {
    std::lock_guard lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    return objs.find(ObjKey(p.ns, p.name)) != objs.end();
  }
  void Record(const std::string& user, const std::string& verb, const FakeResource& t,
              const PathInfo& p) {
    std::lock_guard lock(mu_);
    recorded_.push_back(RecordedRequest{
        user, verb, t.group, t.resource + (p.subresource.empty() ? "" : "/" + p.subresource), p.ns,
        p.name});
  }
  std::vector<RecordedRequest> Requests() const override {
    std::lock_guard lock(mu_);
    return recorded_;
  }

  bool Authorized(const std::string& user, const std::string& verb, const FakeResource& t,
                  const PathInfo& p) {
    std::lock_guard lock(mu_);
    if (admins_.count(user)) return true;
    auto it = perms_.find(user);
    if (it == perms_.end()) return false;
    std::string res = t.resource + (p.subresource.empty() ? "" : "/" + p.subresource);
    for (const Permission& perm : it->second) {
      if ((perm.verb == "*" || perm.verb == verb) && perm.group == t.group &&
          (perm.resource == "*" || perm.resource == res) &&
          (perm.namespace_.empty() || perm.namespace_ == p.ns)) {
        return true;
      }
    }
    return false;
  }

  // ---- reads ----------------------------------------------------------------------------------
  Reply Get(const FakeResource& t, const PathInfo& p) {
    std::lock_guard lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    auto it = objs.find(ObjKey(p.ns, p.name));
    if (it == objs.end()) return NotFound(t, p.name);
    return Reply{200, it->second, {}, std::nullopt};
  }

  Reply List(const FakeResource& t, const PathInfo& p, std::map<std::string, std::string>& q) {
    std::vector<LabelRequirement> selector;
    std::string error;
    if (!ParseLabelSelector(q["labelSelector"], &selector, &error)) {
      return Fail(400, "BadRequest", "unable to parse requirement: " + error, Json::object());
    }
    int64_t limit = q.count("limit") ? std::stoll(q["limit"]) : 0;
    std::lock_guard lock(mu_);
    int64_t list_rv = rv_;
    std::string start;
    if (q.count("continue") && !q["continue"].empty()) {
      Json token;
      try {
        token = Json::parse(Base64UrlDecode(q["continue"]));
        list_rv = token.at("rv").as_number().to_int64();
        start = token.at("start").as_string();
      } catch (const std::exception&) {
        return Fail(400, "BadRequest", "continue key is not valid", Json::object());
      }
      if (list_rv < compacted_) {
        return Fail(410, "Expired",
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter.",
                    Json::object());
      }
    }
    Json items = Json::array();
    size_t n = 0;
    int64_t remaining = 0;
    std::string next;
    for (const auto& [key, obj] : objects_[TypeKey(t)]) {
      std::string ns = key.substr(0, key.find('/'));
      if (!p.ns.empty() && ns != p.ns) continue;
      std::string rel = p.ns.empty() && t.namespaced ? key : key.substr(key.find('/') + 1);
      if (!start.empty() && rel < start) continue;
      if (!MatchesLabels(selector, Labels(obj))) continue;
      if (limit > 0 && static_cast<int64_t>(n) >= limit) {
        ++remaining;
        continue;
      }
      Json item = obj;
      if (!t.custom) {
        item.erase("kind");
        item.erase("apiVersion");
      }
      items[n++] = item;
      if (limit > 0 && static_cast<int64_t>(n) == limit) next = rel + std::string(1, '\0');
    }
    Json out = Json::object();
    out["apiVersion"] = Json::string(t.group.empty() ? t.version : t.group + "/" + t.version);
    out["items"] = items;
    out["kind"] = Json::string(t.kind + "List");
    Json meta = Json::object();
    if (remaining > 0) {
      Json token = Json::object();
      token["v"] = Json::string("meta.k8s.io/v1");
      token["rv"] = Json::number(list_rv);
      token["start"] = Json::string(next);
      meta["continue"] = Json::string(Base64UrlEncode(token.serialize()));
      meta["remainingItemCount"] = Json::number(remaining);
    } else {
      meta["continue"] = Json::string("");
    }
    meta["resourceVersion"] = Json::string(std::to_string(list_rv));
    out["metadata"] = meta;
    return Reply{200, out, {}, std::nullopt};
  }

  void Watch(const FakeResource& t, const PathInfo& p, std::map<std::string, std::string>& q,
             Exchange& ex) {
    std::vector<LabelRequirement> selector;
    std::string error;
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                               {"Cache-Control", "no-cache, private"}};
    if (!ParseLabelSelector(q["labelSelector"], &selector, &error)) {
      ex.Respond(
          400, headers,
          StatusBody(400, "BadRequest", "unable to parse requirement: " + error, Json::object())
              .serialize());
      return;
    }
    bool bookmarks = q["allowWatchBookmarks"] == "true" || q["allowWatchBookmarks"] == "1";
    int timeout = q.count("timeoutSeconds") ? std::stoi(q["timeoutSeconds"]) : 1800;
    std::string rv_text = q["resourceVersion"];
    auto deadline = Clock::now() + std::chrono::seconds(timeout);
    auto line = [](const std::string& type, const Json& obj) {
      Json e = Json::object();
      e["type"] = Json::string(type);
      e["object"] = obj;
      return e.serialize() + "\n";
    };
    auto matches = [&](const std::string& ns, const Json& obj) {
      return (p.ns.empty() || ns == p.ns) && MatchesLabels(selector, Labels(obj));
    };
    if (!ex.StartStream(200, headers)) return;
    watches_.fetch_add(1);
    std::unique_lock lock(mu_);
    uint64_t epoch = drop_epoch_;
    const uint64_t expire_epoch = expire_epoch_;
    int64_t from = 0;
    std::vector<std::string> initial;
    if (rv_text.empty() || rv_text == "0") {
      for (const auto& [key, obj] : objects_[TypeKey(t)]) {
        if (matches(key.substr(0, key.find('/')), obj)) initial.push_back(line("ADDED", obj));
      }
      from = rv_;
    } else {
      from = std::stoll(rv_text);
      if (from < compacted_) {
        std::string msg =
            "too old resource version: " + rv_text + " (" + std::to_string(compacted_) + ")";
        lock.unlock();
        ex.SendChunk(line("ERROR", StatusBody(410, "Expired", msg, Json::null())));
        ex.EndStream();
        watches_.fetch_sub(1);
        return;
      }
    }
    auto next_bookmark = Clock::now() + std::chrono::milliseconds(options_.bookmark_interval_ms);
    bool alive = true;
    lock.unlock();
    for (const std::string& l : initial) alive = alive && ex.SendChunk(l);
    lock.lock();
    int64_t sent = from;
    while (alive) {
      std::vector<std::string> out;
      for (const LoggedEvent& e : log_) {
        if (e.rv <= sent || e.type_key != TypeKey(t)) continue;
        if (matches(e.ns, e.object)) out.push_back(line(e.type, e.object));
      }
      if (!log_.empty()) sent = std::max(sent, log_.back().rv);
      sent = std::max(sent, rv_);
      bool dropped = drop_epoch_ != epoch || stopping_ || down_;
      std::string expired_line;
      if (expire_epoch_ != expire_epoch) {
        // The events not yet sent are lost with the history, as on the real server.
        expired_line = line("ERROR", StatusBody(410, "Expired",
                                                "too old resource version: " +
                                                    std::to_string(from) + " (" +
                                                    std::to_string(compacted_) + ")",
                                                Json::null()));
      }
      bool timed_out = Clock::now() >= deadline;
      bool bookmark = bookmarks && (timed_out || Clock::now() >= next_bookmark);
      std::string bookmark_line;
      if (bookmark) {
        Json obj = Json::object();
        obj["apiVersion"] = Json::string(t.group.empty() ? t.version : t.group + "/" + t.version);
        obj["kind"] = Json::string(t.kind);
        obj["metadata"] = Json::object();
        obj["metadata"]["resourceVersion"] = Json::string(std::to_string(sent));
        bookmark_line = line("BOOKMARK", obj);
        next_bookmark = Clock::now() + std::chrono::milliseconds(options_.bookmark_interval_ms);
      }
      lock.unlock();
      if (dropped) {
        ex.Drop();
        break;
      }
      if (!expired_line.empty()) {
        if (ex.SendChunk(expired_line)) ex.EndStream();
        break;
      }
      for (const std::string& l : out) alive = alive && ex.SendChunk(l);
      if (alive && !bookmark_line.empty()) alive = ex.SendChunk(bookmark_line);
      if (timed_out) {
        if (alive) ex.EndStream();
        lock.lock();
        break;
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
        return stopping_ || drop_epoch_ != epoch || down_ || expire_epoch_ != expire_epoch ||
               (!log_.empty() && log_.back().rv > sent);
      });
    }
    if (lock.owns_lock()) lock.unlock();
    watches_.fetch_sub(1);
  }

  // ---- writes ---------------------------------------------------------------------------------
  std::vector<Invalid> Validate(const FakeResource& t, const Json& obj, const Json* old) {
    std::vector<Invalid> out;
    Json meta = Meta(obj);
    if (meta.has_field("ownerReferences") && meta.at("ownerReferences").is_array()) {
      std::vector<std::string> controllers;
      for (const Json& ref : meta.at("ownerReferences").as_array()) {
        if (ref.has_field("controller") && ref.at("controller").is_boolean() &&
            ref.at("controller").as_bool()) {
          controllers.push_back(Str(ref, "kind") + "/" + Str(ref, "name"));
        }
      }
      if (controllers.size() > 1) {
        out.push_back({"FieldValueInvalid",
                       "Invalid value: []v1.OwnerReference{...}: Only one reference can have "
                       "Controller set to true. Found \"true\" in references for " +
                           controllers[0] + " and " + controllers[1],
                       "metadata.ownerReferences"});
      }
    }
    if (t.group == "apps" && t.resource == "statefulsets" && obj.has_field("spec")) {
      const Json& spec = obj.at("spec");
      std::map<std::string, std::string> want, have;
      if (const Json* ml = At(spec, {"selector", "matchLabels"}); ml && ml->is_object()) {
        for (const auto& [k, v] : ml->as_object()) want[k] = v.is_string() ? v.as_string() : "";
      }
      if (const Json* tl = At(spec, {"template", "metadata", "labels"}); tl && tl->is_object()) {
        for (const auto& [k, v] : tl->as_object()) have[k] = v.is_string() ? v.as_string() : "";
      }
      bool ok = !want.empty();
      for (const auto& [k, v] : want) ok = ok && have.count(k) && have[k] == v;
      if (!ok) {
        out.push_back({"FieldValueInvalid",
                       "Invalid value: " + GoMap(have) +
                           ": `selector` does not match template "
                           "`labels`",
                       "spec.template.metadata.labels"});
      }
      if (old != nullptr && old->has_field("spec")) {
        Json a = spec, b = old->at("spec");
        for (const char* k : {"replicas", "ordinals", "template", "updateStrategy",
                              "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
          if (a.has_field(k)) a.erase(k);
          if (b.has_field(k)) b.erase(k);
        }
        if (!JsonEqual(a, b)) {
          out.push_back({"FieldValueForbidden",
                         "Forbidden: updates to statefulset spec for fields other than "
                         "'replicas', 'ordinals', 'template', 'updateStrategy', "
                         "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                         "forbidden",
                         "spec"});
        }
      }
    }
    if (t.group.empty() && t.resource == "persistentvolumeclaims" && old != nullptr &&
        obj.has_field("spec") && old->has_field("spec")) {
      bool bound = At(*old, {"status", "phase"}) && Str(old->at("status"), "phase") == "Bound";
      Json a = obj.at("spec"), b = old->at("spec");
      if (bound) {
        RemoveAt(a, {"resources", "requests"});
        RemoveAt(b, {"resources", "requests"});
      }
      if (!JsonEqual(a, b)) {
        out.push_back({"FieldValueForbidden",
                       "Forbidden: spec is immutable after creation except resources.requests "
                       "for bound claims",
                       "spec"});
      }
    }
    return out;
  }

  // Fields changed between old and new become `manager`'s (operation Update).
  static void TrackUpdate(const Json& old, Json& obj, const std::string& manager,
                          const std::string& sub, const std::string& api_version,
                          const std::string& time, bool status_subresource) {
    std::vector<ManagedEntry> entries = ReadManaged(old);
    bool status_only = sub == "status";
    FieldSet before = OwnableLeaves(old, status_only, !status_only && status_subresource);
    FieldSet after = OwnableLeaves(obj, status_only, !status_only && status_subresource);
    FieldSet changed;
    for (const FieldPath& f : after) {
      const Json* a = At(old, f);
      if (a == nullptr || !JsonEqual(*a, *At(obj, f))) changed.insert(f);
    }
    for (ManagedEntry& e : entries) {
      for (const FieldPath& f : changed) e.fields.erase(f);
      for (const FieldPath& f : before) {
        if (!after.count(f)) e.fields.erase(f);
      }
    }
    if (!changed.empty()) {
      auto it = std::find_if(entries.begin(), entries.end(), [&](const ManagedEntry& e) {
        return e.manager == manager && e.operation == "Update" && e.subresource == sub;
      });
      if (it == entries.end()) {
        entries.push_back({manager, "Update", sub, api_version, {}});
        it = entries.end() - 1;
      }
      it->fields.insert(changed.begin(), changed.end());
    }
    WriteManaged(obj, entries, time);
  }

  // `applied`: creation by server-side apply, whose manager owns these fields (operation Apply)
  // instead of every field it sent (Update). Written here, under the same lock as the object and
  // its watch event: a write that slipped in between would otherwise be overwritten.
  Reply Create(const FakeResource& t, const PathInfo& p, Json body, const std::string& manager,
               bool dry_run, const FieldSet* applied = nullptr) {
    if (!body.is_object()) return Fail(400, "BadRequest", "not an object", Json::object());
    if (!body["metadata"].is_object()) body["metadata"] = Json::object();
    // Re-looked-up after every insertion into `body`: web::json keeps members in a vector.
    auto meta_of = [&body]() -> Json& { return body["metadata"]; };
    Json meta = meta_of();
    std::lock_guard lock(mu_);
    std::string name = Str(meta, "name");
    if (name.empty() && !Str(meta, "generateName").empty()) {
      static const char kChars[] = "bcdfghjklmnpqrstvwxz2456789";
      name = Str(meta, "generateName");
      for (int i = 0; i < 5; ++i) name += kChars[rng_() % 27];
    }
    if (name.empty()) {
      return Unprocessable(t, "",
                           {{"FieldValueRequired",
                             "Required value: name or generateName "
                             "is required",
                             "metadata.name"}});
    }
    if (!IsSubdomain(name)) {
      return Unprocessable(t, name,
                           {{"FieldValueInvalid", "Invalid value: \"" + name + "\": " + kDnsMessage,
                             "metadata.name"}});
    }
    if (!Str(meta, "namespace").empty() && Str(meta, "namespace") != p.ns) {
      return Fail(400, "BadRequest",
                  "the namespace of the provided object does not match the "
                  "namespace sent on the request",
                  Json::object());
    }
    auto invalid = Validate(t, body, nullptr);
    if (!invalid.empty()) return Unprocessable(t, name, invalid);
    auto& objs = objects_[TypeKey(t)];
    if (objs.count(ObjKey(p.ns, name))) {
      return Fail(409, "AlreadyExists", Qualified(t) + " \"" + name + "\" already exists",
                  Details(t, name, false));
    }
    std::string api_version = t.group.empty() ? t.version : t.group + "/" + t.version;
    body["apiVersion"] = Json::string(api_version);
    body["kind"] = Json::string(t.kind);
    DefaultBuiltIn(t.group, t.resource, body);
    if (t.group.empty() && t.resource == "persistentvolumeclaims") {
      body["status"] = Json::parse(R"({"phase":"Pending"})");
    }
    if (t.status_subresource && t.custom && body.has_field("status")) body.erase("status");
    if (!t.defaults_json.empty() && body.has_field("spec")) {
      Json defaults = Json::parse(t.defaults_json);
      for (const auto& [k, v] : defaults.as_object()) {
        if (!body["spec"].has_field(k)) body["spec"][k] = v;
      }
    }
    if (t.resource == "namespaces" && t.group.empty()) {
      meta_of()["labels"]["kubernetes.io/metadata.name"] = Json::string(name);
      body["spec"]["finalizers"][0] = Json::string("kubernetes");
      body["status"]["phase"] = Json::string("Active");
    }
    std::string now = Now();
    meta = meta_of();
    meta["name"] = Json::string(name);
    if (t.namespaced) meta["namespace"] = Json::string(p.ns);
    for (const char* k : {"deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"}) {
      if (meta.has_field(k)) meta.erase(k);
    }
    meta["uid"] = Json::string(NewUid());
    meta["creationTimestamp"] = Json::string(now);
    if (t.has_generation)
      meta["generation"] = Json::number(1);
    else if (meta.has_field("generation"))
      meta.erase("generation");
    meta_of() = meta;
    if (applied != nullptr) {
      WriteManaged(body, {{manager, "Apply", "", api_version, *applied}}, now);
    } else {
      TrackUpdate(Json::object(), body, manager, "", api_version, now, t.status_subresource);
    }
    if (dry_run) {
      body["metadata"]["resourceVersion"] = Json::string("");
      return Reply{201, body, {}, std::nullopt};
    }
    ++rv_;
    body["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
    objs[ObjKey(p.ns, name)] = body;
    Log(t, p.ns, "ADDED", body);
    return Reply{201, body, {}, std::nullopt};
  }

  // Shared by PUT, merge patch and JSON patch: `candidate` is the whole wanted object.
  Reply Commit(const FakeResource& t, const PathInfo& p, const Json& old, Json candidate,
               const std::string& manager, const std::string& operation_time, bool dry_run,
               bool check_rv) {
    // caller holds mu_
    if (!candidate.is_object()) return Fail(400, "BadRequest", "not an object", Json::object());
    Json cmeta = Meta(candidate);
    Json ometa = Meta(old);
    std::string want_rv = Str(cmeta, "resourceVersion");
    if (check_rv && !want_rv.empty() && want_rv != Str(ometa, "resourceVersion")) {
      return ConflictStale(t, p.name);
    }
    if (!Str(cmeta, "name").empty() && Str(cmeta, "name") != p.name) {
      return Fail(400, "BadRequest",
                  "the name of the object (" + Str(cmeta, "name") +
                      ") does not match the name on the URL (" + p.name + ")",
                  Json::object());
    }
    Json next;
    if (p.subresource == "status") {
      next = old;
      if (candidate.has_field("status"))
        next["status"] = candidate.at("status");
      else if (next.has_field("status"))
        next.erase("status");
    } else {
      next = candidate;
      if (t.status_subresource) {
        if (old.has_field("status"))
          next["status"] = old.at("status");
        else if (next.has_field("status"))
          next.erase("status");
      }
      Json& meta = next["metadata"];
      if (!meta.is_object()) meta = Json::object();
      for (const char* k : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
        if (ometa.has_field(k))
          meta[k] = ometa.at(k);
        else if (meta.has_field(k))
          meta.erase(k);
      }
      next["apiVersion"] = old.at("apiVersion");
      next["kind"] = old.at("kind");
    }
    next["metadata"]["resourceVersion"] = ometa.at("resourceVersion");
    DefaultBuiltIn(t.group, t.resource, next);
    if (ometa.has_field("managedFields")) {
      next["metadata"]["managedFields"] = ometa.at("managedFields");
    } else if (next["metadata"].has_field("managedFields")) {
      next["metadata"].erase("managedFields");
    }
    auto invalid = Validate(t, next, &old);
    if (!invalid.empty()) return Unprocessable(t, p.name, invalid);
    if (t.has_generation && !JsonEqual(SpecPart(next), SpecPart(old))) {
      next["metadata"]["generation"] =
          Json::number(ometa.at("generation").as_number().to_int64() + 1);
    }
    std::string api_version = Str(old, "apiVersion");
    TrackUpdate(old, next, manager, p.subresource, api_version, operation_time,
                t.status_subresource);
    if (JsonEqual(WithoutVolatile(next), WithoutVolatile(old)))
      return Reply{200, old, {}, std::nullopt};  // no-op
    if (dry_run) return Reply{200, next, {}, std::nullopt};
    auto& objs = objects_[TypeKey(t)];
    std::string key = ObjKey(p.ns, p.name);
    bool finalizers_left =
        next["metadata"].has_field("finalizers") && next["metadata"]["finalizers"].size() > 0;
    if (ometa.has_field("deletionTimestamp") && !finalizers_left) {
      // The last finalizer went: the object goes. The DELETED event carries the stored state.
      ++rv_;
      Json gone = old;
      gone["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
      objs.erase(key);
      Log(t, p.ns, "DELETED", gone);
      if (next["metadata"].has_field("finalizers")) next["metadata"].erase("finalizers");
      return Reply{200, next, {}, std::nullopt};
    }
    ++rv_;
    next["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
    objs[key] = next;
    Log(t, p.ns, "MODIFIED", next);
    return Reply{200, next, {}, std::nullopt};
  }

  Reply Update(const FakeResource& t, const PathInfo& p, const Json& body,
               const std::string& manager, bool dry_run, bool check_rv) {
    std::lock_guard lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    auto it = objs.find(ObjKey(p.ns, p.name));
    if (it == objs.end()) return NotFound(t, p.name);
    Json old = it->second;
    return Commit(t, p, old, body, manager, Now(), dry_run, check_rv);
  }

  Reply PatchObject(const FakeResource& t, const PathInfo& p, const Json& patch, bool json_patch,
                    const std::string& manager, bool dry_run) {
    std::lock_guard lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    auto it = objs.find(ObjKey(p.ns, p.name));
    if (it == objs.end()) return NotFound(t, p.name);
    Json old = it->second;
    Json candidate;
    if (json_patch) {
      candidate = old;
      std::string error;
      if (!ApplyJsonPatch(candidate, patch, &error)) {
        return Fail(422, "Invalid",
                    "the server rejected our request due to an error in our "
                    "request",
                    Json::object());
      }
    } else {
      if (!patch.is_object())
        return Fail(400, "BadRequest", "merge patch must be an object", Json::object());
      candidate = MergePatch(old, patch);
    }
    // A resourceVersion in the patch is a precondition; the unchanged one is not.
    bool check = Str(Meta(candidate), "resourceVersion") != Str(Meta(old), "resourceVersion");
    return Commit(t, p, old, candidate, manager, Now(), dry_run, check);
  }

  Reply Apply(const FakeResource& t, const PathInfo& p, const std::string& text,
              const std::string& manager, bool force, bool dry_run) {
    Json applied;
    try {
      applied = YamlToJson(YAML::Load(text));
    } catch (const std::exception& e) {
      return Fail(400, "BadRequest", std::string("error decoding YAML: ") + e.what(),
                  Json::object());
    }
    if (!applied.is_object()) return Fail(400, "BadRequest", "not an object", Json::object());
    std::string body_name = Str(Meta(applied), "name");
    if (!body_name.empty() && body_name != p.name) {
      return Fail(400, "BadRequest",
                  "the name of the object (" + body_name +
                      ") does not match the name on the URL (" + p.name + ")",
                  Json::object());
    }
    bool status_only = p.subresource == "status";
    FieldSet mine = OwnableLeaves(applied, status_only, !status_only && t.status_subresource);
    std::unique_lock lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    auto it = objs.find(ObjKey(p.ns, p.name));
    std::string api_version = t.group.empty() ? t.version : t.group + "/" + t.version;
    std::string now = Now();
    if (it == objs.end()) {
      if (status_only) return NotFound(t, p.name);
      lock.unlock();
      Json body = applied;
      body["metadata"]["name"] = Json::string(p.name);
      PathInfo create = p;
      create.name.clear();
      // Creation by apply: the applier owns what it sent (operation Apply).
      return Create(t, create, body, manager, dry_run, &mine);
    }
    Json old = it->second;
    std::vector<ManagedEntry> entries = ReadManaged(old);
    std::map<std::string, std::vector<std::string>> conflicts;  // manager -> fields
    int conflict_count = 0;
    for (const FieldPath& f : mine) {
      const Json* live = At(old, f);
      if (live != nullptr && JsonEqual(*live, *At(applied, f))) continue;
      for (const ManagedEntry& e : entries) {
        if (e.manager == manager || e.subresource != p.subresource) continue;
        if (e.fields.count(f)) {
          conflicts[e.manager].push_back(PathString(f));
          ++conflict_count;
        }
      }
    }
    if (conflict_count > 0 && !force) {
      std::string message;
      Json causes = Json::array();
      size_t i = 0;
      for (const auto& [who, fields] : conflicts) {
        if (fields.size() == 1) {
          message += (message.empty() ? "" : "\n") + std::string("conflict with \"") + who +
                     "\": " + fields[0];
        } else {
          message += (message.empty() ? "" : "\n") + std::string("conflicts with \"") + who + "\":";
          for (const auto& f : fields) message += "\n- " + f;
        }
        for (const auto& f : fields) {
          Json c = Json::object();
          c["reason"] = Json::string("FieldManagerConflict");
          c["message"] = Json::string("conflict with \"" + who + "\"");
          c["field"] = Json::string(f);
          causes[i++] = c;
        }
      }
      Json d = Json::object();
      d["causes"] = causes;
      return Fail(409, "Conflict",
                  "Apply failed with " + std::to_string(conflict_count) +
                      (conflict_count == 1 ? " conflict: " : " conflicts: ") + message,
                  d);
    }
    Json next = old;
    FieldSet previous;
    for (ManagedEntry& e : entries) {
      if (e.manager == manager && e.operation == "Apply" && e.subresource == p.subresource) {
        previous = e.fields;
      } else if (force) {
        for (const FieldPath& f : mine) {
          const Json* live = At(old, f);
          if (!(live != nullptr && JsonEqual(*live, *At(applied, f)))) e.fields.erase(f);
        }
      }
    }
    for (const FieldPath& f : previous) {
      if (mine.count(f)) continue;
      bool others = false;
      for (const ManagedEntry& e : entries) {
        if (!(e.manager == manager && e.operation == "Apply")) others = others || e.fields.count(f);
      }
      if (!others) RemoveAt(next, f);
    }
    for (const FieldPath& f : mine) SetAt(next, f, *At(applied, f));
    auto self = std::find_if(entries.begin(), entries.end(), [&](const ManagedEntry& e) {
      return e.manager == manager && e.operation == "Apply" && e.subresource == p.subresource;
    });
    if (self == entries.end()) {
      entries.push_back({manager, "Apply", p.subresource, api_version, mine});
    } else {
      self->fields = mine;
    }
    WriteManaged(next, entries, now);
    Json ometa = Meta(old);
    // The real server defaults the merged object before it validates (an applied list replaces
    // the live one, which held the defaults): an unchanged re-apply is not an immutability error.
    DefaultBuiltIn(t.group, t.resource, next);
    auto invalid = Validate(t, next, &old);
    if (!invalid.empty()) return Unprocessable(t, p.name, invalid);
    if (t.has_generation && !JsonEqual(SpecPart(next), SpecPart(old))) {
      next["metadata"]["generation"] =
          Json::number(ometa.at("generation").as_number().to_int64() + 1);
    }
    bool same_owners = true;
    {
      auto a = ReadManaged(next), b = ReadManaged(old);
      same_owners = a.size() == b.size();
      for (size_t i = 0; same_owners && i < a.size(); ++i) {
        same_owners = a[i].manager == b[i].manager && a[i].fields == b[i].fields;
      }
    }
    if (same_owners && JsonEqual(WithoutVolatile(next), WithoutVolatile(old)))
      return Reply{200, old, {}, std::nullopt};
    if (dry_run) return Reply{200, next, {}, std::nullopt};
    ++rv_;
    next["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
    objs[ObjKey(p.ns, p.name)] = next;
    Log(t, p.ns, "MODIFIED", next);
    return Reply{200, next, {}, std::nullopt};
  }

  Reply Delete(const FakeResource& t, const PathInfo& p, const std::string& body_text,
               std::string propagation) {
    std::lock_guard lock(mu_);
    auto& objs = objects_[TypeKey(t)];
    std::string key = ObjKey(p.ns, p.name);
    auto it = objs.find(key);
    if (it == objs.end()) return NotFound(t, p.name);
    Json& obj = it->second;
    std::string uid = Str(Meta(obj), "uid");
    if (!body_text.empty()) {
      try {
        Json opts = Json::parse(body_text);
        if (const Json* policy = At(opts, {"propagationPolicy"}); policy && policy->is_string())
          propagation = policy->as_string();
        if (const Json* want = At(opts, {"preconditions", "uid"});
            want && want->is_string() && want->as_string() != uid) {
          return Fail(409, "Conflict",
                      "Operation cannot be fulfilled on " + Qualified(t) + " \"" + p.name +
                          "\": Precondition failed: UID in precondition: " + want->as_string() +
                          ", UID in object meta: " + uid,
                      Details(t, p.name, false));
        }
      } catch (const std::exception&) {
        return Fail(400, "BadRequest", "DeleteOptions is not JSON", Json::object());
      }
    }
    if (!propagation.empty() && propagation != "Orphan" && propagation != "Background" &&
        propagation != "Foreground") {
      return Fail(400, "BadRequest",
                  "propagationPolicy: Unsupported value: \"" + propagation +
                      "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                  Json::object());
    }
    // Orphan: the registry adds the "orphan" finalizer; the garbage collector (not modelled:
    // a test plays it) takes the ownerReferences off the dependents and then the finalizer.
    if (propagation == "Orphan" && !Meta(obj).has_field("deletionTimestamp")) {
      Json& finalizers = obj["metadata"]["finalizers"];
      if (!finalizers.is_array()) finalizers = Json::array();
      bool has = false;
      for (const Json& f : finalizers.as_array())
        has = has || (f.is_string() && f.as_string() == "orphan");
      if (!has) finalizers[finalizers.size()] = Json::string("orphan");
    }
    Json meta = Meta(obj);
    if (meta.has_field("finalizers") && meta.at("finalizers").size() > 0) {
      if (!meta.has_field("deletionTimestamp")) {
        obj["metadata"]["deletionTimestamp"] = Json::string(Now());
        obj["metadata"]["deletionGracePeriodSeconds"] = Json::number(0);
        if (t.has_generation) {
          obj["metadata"]["generation"] =
              Json::number(meta.at("generation").as_number().to_int64() + 1);
        }
        ++rv_;
        obj["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
        Log(t, p.ns, "MODIFIED", obj);
      }
      return Reply{200, obj, {}, std::nullopt};
    }
    ++rv_;
    Json gone = obj;
    gone["metadata"]["resourceVersion"] = Json::string(std::to_string(rv_));
    objs.erase(it);
    Log(t, p.ns, "DELETED", gone);
    Json s = Json::object();
    s["kind"] = Json::string("Status");
    s["apiVersion"] = Json::string("v1");
    s["metadata"] = Json::object();
    s["status"] = Json::string("Success");
    Json d = Details(t, p.name, false);
    d["uid"] = Json::string(uid);
    s["details"] = d;
    return Reply{200, s, {}, std::nullopt};
  }

  FakeApiServerOptions options_;
  std::unique_ptr<HttpWireServer> wire_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int64_t rv_ = 100;
  int64_t compacted_ = 0;
  uint64_t drop_epoch_ = 0;
  uint64_t expire_epoch_ = 0;
  bool down_ = false;
  std::atomic<int> refused_{0};
  struct MatchingFault {
    std::string verb, resource;
    int left;
    int status;
  };
  std::vector<MatchingFault> matching_faults_;
  std::map<std::string, FakeResource> types_;
  std::map<std::string, std::map<std::string, Json>> objects_;
  std::vector<LoggedEvent> log_;
  std::map<std::string, std::string> tokens_;
  std::set<std::string> admins_;
  std::map<std::string, std::vector<Permission>> perms_;
  std::vector<RecordedRequest> recorded_;
  bool refuse_watches_ = false;
  int delay_left_ = 0;
  int delay_ms_ = 0;
  int fail_left_ = 0;
  int fail_status_ = 500;
  std::atomic<int> requests_{0};
  std::atomic<int> writes_{0};
  std::atomic<int> watches_{0};
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

std::unique_ptr<FakeApiServer> FakeApiServer::Start(const FakeApiServerOptions& options,
                                                    std::string* error, bool serve_http) {
  auto server = std::make_unique<Server>(options);
  if (serve_http && !server->Listen(error)) return nullptr;
  return server;
}

}  // namespace tidemark::fake
