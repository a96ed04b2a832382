#include "operator/kube/http_client.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <cpprest/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "operator/kube/task_deadline.h"

namespace tidemark::kube {
namespace {

using web::http::http_request;
using web::http::http_response;
using web::http::method;
using web::http::client::http_client;
using web::http::client::http_client_config;
using Json = web::json::value;

// Certificates and key parsed once; installed into every TLS context cpprestsdk makes.
struct TlsMaterial {
  std::vector<X509*> cas;
  std::vector<X509*> chain;
  EVP_PKEY* key = nullptr;
  ~TlsMaterial() {
    for (X509* x : cas) X509_free(x);
    for (X509* x : chain) X509_free(x);
    if (key != nullptr) EVP_PKEY_free(key);
  }
};

KubeResult<std::vector<X509*>> ReadCerts(const std::string& pem, const char* what) {
  std::vector<X509*> out;
  if (pem.empty()) return out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(x);
  BIO_free(bio);
  ERR_clear_error();
  if (out.empty())
    return MakeKubeError(Reason::kConfig, std::string(what) + ": no PEM certificate");
  return out;
}

KubeResult<std::shared_ptr<TlsMaterial>> LoadTls(const Config& config) {
  auto m = std::make_shared<TlsMaterial>();
  auto cas = ReadCerts(config.ca_pem, "certificate authority");
  if (!cas) return std::unexpected(cas.error());
  m->cas = *cas;
  auto chain = ReadCerts(config.client_cert_pem, "client certificate");
  if (!chain) return std::unexpected(chain.error());
  m->chain = *chain;
  if (!config.client_key_pem.empty()) {
    BIO* bio = BIO_new_mem_buf(config.client_key_pem.data(),
                               static_cast<int>(config.client_key_pem.size()));
    m->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ERR_clear_error();
    if (m->key == nullptr) return MakeKubeError(Reason::kConfig, "client key: no PEM private key");
  }
  if (!m->chain.empty() &&
      (m->key == nullptr || X509_check_private_key(m->chain[0], m->key) != 1)) {
    ERR_clear_error();
    return MakeKubeError(Reason::kConfig, "client key does not match the client certificate");
  }
  return m;
}

void InstallTls(boost::asio::ssl::context& ctx, const TlsMaterial& m) {
  SSL_CTX* c = ctx.native_handle();
  if (!m.cas.empty()) {
    // Only the configured CA: a server signed by anything else is refused.
    X509_STORE* store = X509_STORE_new();
    for (X509* ca : m.cas) X509_STORE_add_cert(store, ca);
    SSL_CTX_set_cert_store(c, store);
  }
  if (!m.chain.empty()) {
    SSL_CTX_use_certificate(c, m.chain[0]);
    for (size_t i = 1; i < m.chain.size(); ++i) {
      X509_up_ref(m.chain[i]);
      SSL_CTX_add_extra_chain_cert(c, m.chain[i]);
    }
    SSL_CTX_use_PrivateKey(c, m.key);
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
}

std::string Str(const Json& v, const char* key) {
  return v.is_object() && v.has_field(key) && v.at(key).is_string() ? v.at(key).as_string() : "";
}

// Erases one dotted path ("metadata.managedFields") from `v`; absent parts end the walk.
void DropField(Json& v, const std::string& path) {
  Json* at = &v;
  size_t begin = 0;
  while (at->is_object()) {
    const size_t dot = path.find('.', begin);
    const std::string key = path.substr(begin, dot == std::string::npos ? dot : dot - begin);
    if (!at->has_field(key)) return;
    if (dot == std::string::npos) {
      at->erase(key);
      return;
    }
    at = &at->at(key);
    begin = dot + 1;
  }
}

Object ToObject(Json& v, const DroppedFields& drop = {}) {
  Object o;
  for (const std::string& path : drop) DropField(v, path);
  o.json = v.serialize();
  if (!v.is_object() || !v.has_field("metadata")) return o;
  const Json& m = v.at("metadata");
  o.name = Str(m, "name");
  o.namespace_ = Str(m, "namespace");
  o.uid = Str(m, "uid");
  o.resource_version = Str(m, "resourceVersion");
  if (m.has_field("generation") && m.at("generation").is_number()) {
    o.generation = m.at("generation").as_number().to_int64();
  }
  o.deleting = m.has_field("deletionTimestamp") && !m.at("deletionTimestamp").is_null();
  if (m.has_field("labels") && m.at("labels").is_object()) {
    for (const auto& [k, val] : m.at("labels").as_object()) {
      if (val.is_string()) o.labels[k] = val.as_string();
    }
  }
  return o;
}

KubeError StatusError(int http_status, const std::string& body, const std::string& resource) {
  KubeError e;
  e.http_status = http_status;
  e.resource = resource;
  try {
    Json s = Json::parse(body);
    if (Str(s, "kind") == "Status") {
      e.status_reason = Str(s, "reason");
      e.message = Str(s, "message");
      if (s.has_field("details") && s.at("details").has_field("causes")) {
        for (const Json& c : s.at("details").at("causes").as_array()) {
          e.causes.push_back({Str(c, "reason"), Str(c, "message"), Str(c, "field")});
        }
      }
    } else {
      e.message = body.substr(0, 200);
    }
  } catch (const std::exception&) {
    e.message = body.substr(0, 200);
  }
  e.reason = ReasonFor(http_status, e.status_reason);
  return e;
}

// The API server's own refusals are Status objects; a pod's answers through the proxy are
// whatever the pod sent (the sidecar never sends a Status).
bool IsApiServerStatus(const std::string& body) {
  try {
    Json s = Json::parse(body);
    return Str(s, "kind") == "Status" && Str(s, "apiVersion") == "v1";
  } catch (const std::exception&) {
    return false;
  }
}

struct Raw {
  int status = 0;
  std::string body;
};

std::string ResourceLabel(const ResourceType& type, const std::string& ns,
                          const std::string& name) {
  std::string out = type.Qualified();
  if (!ns.empty() || !name.empty()) out += " ";
  if (!ns.empty()) out += ns + (name.empty() ? "" : "/");
  return out + name;
}

// Waits for `task` at most `deadline` (task_deadline.h); kTimeout when it passes.
template <class T>
KubeResult<T> WaitWithDeadline(pplx::task<T> task, std::chrono::milliseconds deadline,
                               const pplx::cancellation_token_source& source,
                               const std::string& label) {
  if (!FinishesWithin(task, deadline, source)) {
    return MakeKubeError(Reason::kTimeout,
                         "no answer within " + std::to_string(deadline.count()) + " ms", label);
  }
  return task.get();  // may throw what the request threw
}

class HttpKubeClient : public KubeClient {
 public:
  HttpKubeClient(Config config, HttpClientOptions options, std::shared_ptr<TlsMaterial> tls)
      : config_(std::move(config)), options_(std::move(options)), tls_(std::move(tls)) {
    if (!options_.sleep) {
      options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
    client_ = MakeClient(options_.request_timeout);
  }

  KubeResult<Object> Get(const ResourceType& type, const std::string& ns,
                         const std::string& name) override {
    auto path = ObjectPath(type, ns, name);
    if (!path) return std::unexpected(path.error());
    return ObjectCall(web::http::methods::GET, *path, "", "", ResourceLabel(type, ns, name));
  }

  KubeResult<ObjectList> List(const ResourceType& type, const std::string& ns,
                              const ListOptions& options) override {
    auto path = CollectionPath(type, ns);
    if (!path) return std::unexpected(path.error());
    std::string query;
    auto add = [&query](const std::string& k, const std::string& v) {
      query += (query.empty() ? "?" : "&") + k + "=" + QueryEscape(v);
    };
    if (!options.label_selector.empty()) add("labelSelector", options.label_selector);
    if (options.limit > 0) add("limit", std::to_string(options.limit));
    if (!options.continue_token.empty()) add("continue", options.continue_token);
    std::string label = ResourceLabel(type, ns, "");
    auto raw = Call(web::http::methods::GET, *path + query, "", "", label, true, *client_);
    if (!raw) return std::unexpected(raw.error());
    try {
      Json v = Json::parse(raw->body);
      ObjectList list;
      const Json& meta = v.at("metadata");
      list.resource_version = Str(meta, "resourceVersion");
      list.continue_token = Str(meta, "continue");
      if (meta.has_field("remainingItemCount")) {
        list.remaining_item_count = meta.at("remainingItemCount").as_number().to_int64();
      }
      if (v.has_field("items") && v.at("items").is_array()) {
        for (Json& item : v.at("items").as_array())
          list.items.push_back(ToObject(item, options.drop_fields));
      }
      return list;
    } catch (const std::exception& e) {
      return MakeKubeError(Reason::kUnknown, std::string("list answer: ") + e.what(), label);
    }
  }

  KubeResult<WatchEnd> Watch(const ResourceType& type, const std::string& ns,
                             const WatchOptions& options,
                             const std::function<bool(const WatchEvent&)>& on_event) override {
    auto path = CollectionPath(type, ns);
    if (!path) return std::unexpected(path.error());
    std::string label = ResourceLabel(type, ns, "");
    std::string query = "?watch=1";
    if (options.allow_bookmarks) query += "&allowWatchBookmarks=true";
    if (!options.resource_version.empty()) {
      query += "&resourceVersion=" + QueryEscape(options.resource_version);
    }
    if (!options.label_selector.empty()) {
      query += "&labelSelector=" + QueryEscape(options.label_selector);
    }
    query += "&timeoutSeconds=" + std::to_string(options.timeout_seconds);
    // An idle stream longer than the server's own timeout (plus slack) is a dead one.
    auto watch_client = MakeClient(std::chrono::seconds(options.timeout_seconds + 30));
    WatchEnd end;
    end.resource_version = options.resource_version;
    http_response response;
    // This watch's own cancellation, tied to Stop(): leaving early closes its connection.
    pplx::cancellation_token_source cancel;
    pplx::cancellation_token stop_token = cts_.get_token();
    auto registration = stop_token.register_callback([cancel]() { cancel.cancel(); });
    struct CancelOnExit {
      pplx::cancellation_token_source& source;
      pplx::cancellation_token& stop_token;
      pplx::cancellation_token_registration& registration;
      ~CancelOnExit() {
        stop_token.deregister_callback(registration);
        source.cancel();
      }
    } cancel_on_exit{cancel, stop_token, registration};
    auto started = Send(web::http::methods::GET, *path + query, "", "", label, true, *watch_client,
                        &response, cancel.get_token());
    if (!started) {
      if (started.error().reason == Reason::kExpired) {
        end.expired = true;  // an HTTP 410 (older servers, or a too-old rv on some paths)
        return end;
      }
      return std::unexpected(started.error());
    }
    try {
      auto body = response.body();
      while (!stopped_.load()) {
        concurrency::streams::container_buffer<std::string> buf;
        size_t n = body.read_line(buf).get();
        const std::string& line = buf.collection();
        if (n == 0 && line.empty()) {
          if (body.is_eof()) break;
          continue;
        }
        Json event = Json::parse(line);
        std::string kind = Str(event, "type");
        Json& obj = event.at("object");
        if (kind == "ERROR") {
          int code = obj.has_field("code") ? obj.at("code").as_integer() : 0;
          if (code == 410) {
            end.expired = true;
            return end;
          }
          KubeError e = StatusError(code, obj.serialize(), label);
          return std::unexpected(e);
        }
        WatchEvent ev;
        if (kind == "ADDED")
          ev.type = EventType::kAdded;
        else if (kind == "MODIFIED")
          ev.type = EventType::kModified;
        else if (kind == "DELETED")
          ev.type = EventType::kDeleted;
        else if (kind == "BOOKMARK")
          ev.type = EventType::kBookmark;
        else
          continue;
        ev.object = ToObject(obj, options.drop_fields);
        if (!ev.object.resource_version.empty()) end.resource_version = ev.object.resource_version;
        ++end.events;
        if (!on_event(ev)) break;
      }
    } catch (const std::exception&) {
      // The connection dropped mid-stream (or Stop() cut it): resume from end.resource_version.
    }
    return end;
  }

  KubeResult<Object> Create(const ResourceType& type, const std::string& ns,
                            const std::string& json, const WriteOptions& options) override {
    auto path = CollectionPath(type, ns);
    if (!path) return std::unexpected(path.error());
    return ObjectCall(web::http::methods::POST, *path + WriteQuery(options, false), json,
                      "application/json", ResourceLabel(type, ns, ""));
  }

  KubeResult<Object> Update(const ResourceType& type, const std::string& ns,
                            const std::string& name, const std::string& json,
                            const WriteOptions& options) override {
    return Put(type, ns, name, json, options, "");
  }

  KubeResult<Object> UpdateStatus(const ResourceType& type, const std::string& ns,
                                  const std::string& name, const std::string& json,
                                  const WriteOptions& options) override {
    return Put(type, ns, name, json, options, "status");
  }

  KubeResult<Object> Apply(const ResourceType& type, const std::string& ns, const std::string& name,
                           const std::string& json, bool force, const WriteOptions& options,
                           const std::string& subresource) override {
    auto path = ObjectPath(type, ns, name, subresource);
    if (!path) return std::unexpected(path.error());
    return ObjectCall(web::http::methods::PATCH, *path + WriteQuery(options, force), json,
                      "application/apply-patch+yaml", ResourceLabel(type, ns, name));
  }

  KubeResult<Object> Patch(const ResourceType& type, const std::string& ns, const std::string& name,
                           PatchType patch_type, const std::string& patch,
                           const WriteOptions& options, const std::string& subresource) override {
    auto path = ObjectPath(type, ns, name, subresource);
    if (!path) return std::unexpected(path.error());
    return ObjectCall(web::http::methods::PATCH, *path + WriteQuery(options, false), patch,
                      patch_type == PatchType::kMerge ? "application/merge-patch+json"
                                                      : "application/json-patch+json",
                      ResourceLabel(type, ns, name));
  }

  KubeStatus Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                    const std::string& precondition_uid, Propagation propagation) override {
    auto path = ObjectPath(type, ns, name);
    if (!path) return std::unexpected(path.error());
    std::string body;
    if (!precondition_uid.empty() || propagation != Propagation::kDefault) {
      Json opts = Json::object();
      opts["apiVersion"] = Json::string("v1");
      opts["kind"] = Json::string("DeleteOptions");
      if (!precondition_uid.empty()) {
        opts["preconditions"] = Json::object();
        opts["preconditions"]["uid"] = Json::string(precondition_uid);
      }
      if (propagation != Propagation::kDefault) {
        opts["propagationPolicy"] = Json::string(propagation == Propagation::kOrphan ? "Orphan"
                                                 : propagation == Propagation::kBackground
                                                     ? "Background"
                                                     : "Foreground");
      }
      body = opts.serialize();
    }
    auto raw = Call(web::http::methods::DEL, *path, body, body.empty() ? "" : "application/json",
                    ResourceLabel(type, ns, name), false, *client_);
    if (!raw) return std::unexpected(raw.error());
    return {};
  }

  KubeResult<ProxyAnswer> ProxyPod(const std::string& ns, const std::string& pod,
                                   const std::string& port, const std::string& http_method,
                                   const std::string& path, const std::string& body) override {
    auto proxy_path = PodProxyPath(ns, pod, port, path);
    if (!proxy_path) return std::unexpected(proxy_path.error());
    const std::string label = "pods/proxy " + ns + "/" + pod + ":" + port + path;
    // One try: a retried POST could start a second backup, and an unreachable pod stays
    // unreachable for longer than a retry's pause. A 401 from the API server itself (the request
    // never reached the pod) is sent once more when the credential can be renewed.
    for (bool asked_again = false;; asked_again = true) {
      auto made = MakeRequest(method(http_method), *proxy_path, body,
                              body.empty() ? "" : "application/json", label);
      if (!made) return std::unexpected(made.error());
      auto answer = ProxyOnce(*made, label);
      if (answer || asked_again || answer.error().http_status != 401 || !AskAgain(*made))
        return answer;
    }
  }

  KubeResult<ProxyAnswer> ProxyOnce(http_request& made, const std::string& label) {
    try {
      pplx::cancellation_token_source cancel;
      auto answer = WaitWithDeadline(
          client_->request(made, cancel.get_token()).then([](http_response r) {
            return r.extract_utf8string(true).then([r](const std::string& text) {
              return ProxyAnswer{r.status_code(), r.headers().content_type(), text};
            });
          }),
          options_.request_timeout, cancel, label);
      if (!answer) return std::unexpected(answer.error());
      if (IsApiServerStatus(answer->body)) {
        return std::unexpected(StatusError(answer->http_status, answer->body, label));
      }
      if (answer->http_status == 401 || answer->http_status == 403) {
        return std::unexpected(StatusError(answer->http_status, answer->body, label));
      }
      return *answer;
    } catch (const std::exception& e) {
      return MakeKubeError(Reason::kTransport, e.what(), label);
    }
  }

  void Stop() override {
    stopped_ = true;
    cts_.cancel();
  }

 private:
  std::unique_ptr<http_client> MakeClient(std::chrono::milliseconds timeout) {
    http_client_config cfg;
    cfg.set_timeout(timeout);
    cfg.set_validate_certificates(true);
    if (tls_) {
      auto tls = tls_;
      cfg.set_ssl_context_callback(
          [tls](boost::asio::ssl::context& ctx) { InstallTls(ctx, *tls); });
    }
    return std::make_unique<http_client>(web::uri(config_.server), cfg);
  }

  static std::string WriteQuery(const WriteOptions& options, bool force) {
    std::string q = "?fieldManager=" + QueryEscape(options.field_manager);
    if (force) q += "&force=true";
    if (options.dry_run) q += "&dryRun=All";
    return q;
  }

  KubeResult<Object> Put(const ResourceType& type, const std::string& ns, const std::string& name,
                         const std::string& json, const WriteOptions& options,
                         const std::string& subresource) {
    auto path = ObjectPath(type, ns, name, subresource);
    if (!path) return std::unexpected(path.error());
    return ObjectCall(web::http::methods::PUT, *path + WriteQuery(options, false), json,
                      "application/json", ResourceLabel(type, ns, name));
  }

  KubeResult<Object> ObjectCall(const method& m, const std::string& path_query,
                                const std::string& body, const std::string& content_type,
                                const std::string& label) {
    auto raw =
        Call(m, path_query, body, content_type, label, m == web::http::methods::GET, *client_);
    if (!raw) return std::unexpected(raw.error());
    try {
      Json v = Json::parse(raw->body);
      return ToObject(v);
    } catch (const std::exception& e) {
      return MakeKubeError(Reason::kUnknown, std::string("answer is not JSON: ") + e.what(), label);
    }
  }

  KubeResult<Raw> Call(const method& m, const std::string& path_query, const std::string& body,
                       const std::string& content_type, const std::string& label,
                       bool retry_transport, http_client& client) {
    http_response response;
    auto status =
        Send(m, path_query, body, content_type, label, retry_transport, client, &response);
    if (!status) return std::unexpected(status.error());
    Raw raw;
    raw.status = response.status_code();
    try {
      // The body has the same deadline; a stalled body is abandoned (its connection with it).
      pplx::cancellation_token_source body_cancel;
      auto body = WaitWithDeadline(response.extract_utf8string(true), options_.request_timeout,
                                   body_cancel, label);
      if (!body) return std::unexpected(body.error());
      raw.body = *body;
    } catch (const std::exception& e) {
      return MakeKubeError(Reason::kTransport, std::string("reading the answer: ") + e.what(),
                           label);
    }
    return raw;
  }

  // The request with the headers every call carries (the current bearer token included).
  KubeResult<http_request> MakeRequest(const method& m, const std::string& path_query,
                                       const std::string& body, const std::string& content_type,
                                       const std::string& label) {
    auto token = config_.token ? config_.token->Token() : KubeResult<std::string>("");
    if (!token) {
      token.error().resource = label;
      return std::unexpected(token.error());
    }
    http_request req(m);
    req.set_request_uri(web::uri(path_query));
    req.headers().add("Accept", "application/json");
    req.headers().add("User-Agent", options_.user_agent);
    if (!token->empty()) req.headers().add("Authorization", "Bearer " + *token);
    if (!content_type.empty()) req.set_body(body, content_type);
    return req;
  }

  // Sends with retries; on success (2xx) *out holds the response with its body unread.
  KubeStatus Send(const method& m, const std::string& path_query, const std::string& body,
                  const std::string& content_type, const std::string& label, bool retry_transport,
                  http_client& client, http_response* out,
                  std::optional<pplx::cancellation_token> cancel = std::nullopt) {
    KubeError last;
    bool asked_again = false;
    for (int attempt = 1;; ++attempt) {
      if (stopped_.load()) return MakeKubeError(Reason::kTransport, "client stopped", label);
      auto made = MakeRequest(m, path_query, body, content_type, label);
      if (!made) return std::unexpected(made.error());
      http_request& req = *made;
      bool retryable = false;
      try {
        pplx::cancellation_token_source request_cancel;
        pplx::cancellation_token parent = cancel ? *cancel : cts_.get_token();
        auto registration =
            parent.register_callback([request_cancel]() { request_cancel.cancel(); });
        auto waited = WaitWithDeadline(client.request(req, request_cancel.get_token()),
                                       options_.request_timeout, request_cancel, label);
        // A watch's stream stays tied to its token (the watch's own, short-lived source); a plain
        // request's tie to the client-wide Stop() token is undone so callbacks do not pile up.
        if (!cancel) parent.deregister_callback(registration);
        if (!waited) {
          if (stopped_.load()) return MakeKubeError(Reason::kTransport, "client stopped", label);
          throw web::http::http_exception(std::make_error_code(std::errc::timed_out),
                                          waited.error().message);
        }
        http_response response = *waited;
        int code = response.status_code();
        if (code < 400) {
          *out = response;
          return {};
        }
        std::string text;
        try {
          text = response.extract_utf8string(true).get();
        } catch (const std::exception&) {
        }
        last = StatusError(code, text, label);
        if (code == 401 && !asked_again && AskAgain(req)) {
          asked_again = true;
          --attempt;  // not a failure of the server's: the credential is renewed
          continue;
        }
        auto ra = response.headers().find("Retry-After");
        if (ra != response.headers().end()) {
          try {
            last.retry_after_seconds = std::stoi(ra->second);
          } catch (const std::exception&) {
          }
        }
        retryable = last.reason == Reason::kTooManyRequests ||
                    last.reason == Reason::kServerError || last.reason == Reason::kTimeout;
      } catch (const web::http::http_exception& e) {
        last = KubeError{};
        last.reason =
            e.error_code() == std::errc::timed_out ? Reason::kTimeout : Reason::kTransport;
        last.message = e.what();
        last.resource = label;
        retryable = retry_transport;
      } catch (const pplx::task_canceled&) {
        return MakeKubeError(Reason::kTransport, "client stopped", label);
      } catch (const std::exception& e) {
        last = KubeError{};
        last.reason = Reason::kTransport;
        last.message = e.what();
        last.resource = label;
        retryable = retry_transport;
      }
      if (!retryable || attempt >= options_.retry.max_attempts || stopped_.load()) {
        return std::unexpected(last);
      }
      options_.sleep(Backoff(attempt, last.retry_after_seconds));
    }
  }

  // After a 401: tells the token source its token was refused; true when a new one may come (an
  // exec command runs again), so the request is sent once more.
  bool AskAgain(const http_request& req) {
    if (!config_.token) return false;
    auto auth = req.headers().find("Authorization");
    const std::string sent = auth == req.headers().end() ? "" : auth->second.substr(7);
    return config_.token->Refused(sent);
  }

  std::chrono::milliseconds Backoff(int attempt, int retry_after_seconds) {
    const RetryPolicy& r = options_.retry;
    int64_t d = r.base_delay.count();
    for (int i = 1; i < attempt && d < r.max_delay.count(); ++i) d *= 2;
    d = std::min<int64_t>(d, r.max_delay.count());
    int64_t delay;
    {
      std::lock_guard lock(rng_mu_);
      delay = std::uniform_int_distribution<int64_t>(d / 2, d)(rng_);
    }
    if (retry_after_seconds > 0) {
      delay = std::max<int64_t>(
          delay, std::min<int64_t>(retry_after_seconds * 1000LL, r.max_delay.count()));
    }
    return std::chrono::milliseconds(delay);
  }

  Config config_;
  HttpClientOptions options_;
  std::shared_ptr<TlsMaterial> tls_;
  std::unique_ptr<http_client> client_;
  pplx::cancellation_token_source cts_;
  std::atomic<bool> stopped_{false};
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

KubeResult<std::unique_ptr<KubeClient>> MakeHttpKubeClient(const Config& config,
                                                           const HttpClientOptions& options) {
  if (config.server.empty()) return MakeKubeError(Reason::kConfig, "no API server address");
  Config effective = config;
  if (config.exec && config.client_cert_pem.empty()) {
    // Its certificate goes into every TLS context, so it is asked for now (kubectl, too, runs
    // the command before its first request); a token answer stays cached for the first call.
    auto credential = config.exec->Get();
    if (!credential) return std::unexpected(credential.error());
    effective.client_cert_pem = credential->client_cert_pem;
    effective.client_key_pem = credential->client_key_pem;
  }
  auto tls = LoadTls(effective);
  if (!tls) return std::unexpected(tls.error());
  std::shared_ptr<TlsMaterial> material =
      (*tls)->cas.empty() && (*tls)->chain.empty() ? nullptr : *tls;
  try {
    return std::unique_ptr<KubeClient>(
        std::make_unique<HttpKubeClient>(effective, options, std::move(material)));
  } catch (const std::exception& e) {
    return MakeKubeError(Reason::kConfig, std::string("API server address: ") + e.what());
  }
}

}  // namespace tidemark::kube
