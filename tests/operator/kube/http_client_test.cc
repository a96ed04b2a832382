// The HTTP KubeClient against the fake API server (tests/operator/fake_apiserver), over plain
// HTTP and over TLS with certificates made by openssl for the test.
#include "operator/kube/http_client.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "operator/kube/config.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"
#include "tests/operator/kube/test_pki.h"

namespace tidemark::kube {
namespace {

using fake::FakeApiServer;
using fake::FakeApiServerOptions;
using std::chrono::milliseconds;

std::string ConfigMapJson(const std::string& name, const std::string& app = "a") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","labels":{"app":")" + app + R"("}},"data":{"k":"v"}})";
}

const std::string kRp = R"({"apiVersion":"tidemark.dev/v1alpha1","kind":"RedisPersistence",)"
                        R"("metadata":{"name":"cache"},"spec":{"mode":"aof"}})";

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    FakeApiServerOptions options;
    options.bookmark_interval_ms = 200;
    fake_ = FakeApiServer::Start(options, &error);
    ASSERT_TRUE(fake_) << error;
    fake_->AddAdminToken("admin-token");
    client_ = MakeClient("admin-token");
  }

  std::unique_ptr<KubeClient> MakeClient(const std::string& token, RetryPolicy retry = {}) {
    Config config;
    config.server = fake_->url();
    config.token = TokenSource::Fixed(token);
    HttpClientOptions options;
    options.request_timeout = milliseconds(5000);
    options.retry = retry;
    options.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
    auto client = MakeHttpKubeClient(config, options);
    EXPECT_TRUE(client) << client.error().ToString();
    return client ? std::move(*client) : nullptr;
  }

  std::unique_ptr<FakeApiServer> fake_;
  std::unique_ptr<KubeClient> client_;
  std::vector<milliseconds> sleeps_;
};

TEST_F(HttpClientTest, CreateGetAndTypedErrors) {
  auto created = client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one"));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->name, "one");
  EXPECT_EQ(created->namespace_, "rec");
  EXPECT_FALSE(created->resource_version.empty());
  EXPECT_EQ(created->labels.at("app"), "a");

  auto got = client_->Get(resources::ConfigMaps(), "rec", "one");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->uid, created->uid);

  auto again = client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one"));
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().IsAlreadyExists());

  auto missing = client_->Get(resources::ConfigMaps(), "rec", "nope");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().IsNotFound());
  EXPECT_EQ(missing.error().resource, "configmaps rec/nope");
  EXPECT_EQ(missing.error().message, "configmaps \"nope\" not found");

  int before = fake_->request_count();
  auto traversal = client_->Get(resources::Secrets(), "rec", "../../secrets/x");
  ASSERT_FALSE(traversal);
  EXPECT_EQ(traversal.error().reason, Reason::kInvalidName);
  EXPECT_EQ(fake_->request_count(), before) << "refused before sending";
}

TEST_F(HttpClientTest, StaleUpdateIsAConflictForTheCallerToRetry) {
  auto created = client_->Create(resources::RedisPersistences(), "rec", kRp);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->generation, 1);
  std::string stale = created->json;
  auto patched = client_->Patch(resources::RedisPersistences(), "rec", "cache", PatchType::kMerge,
                                R"({"spec":{"mode":"rdb"}})");
  ASSERT_TRUE(patched) << patched.error().ToString();
  EXPECT_EQ(patched->generation, 2);

  int before = fake_->request_count();
  auto update = client_->Update(resources::RedisPersistences(), "rec", "cache", stale);
  ASSERT_FALSE(update);
  EXPECT_TRUE(update.error().IsConflict());
  EXPECT_EQ(update.error().http_status, 409);
  EXPECT_EQ(update.error().resource, "redispersistences.tidemark.dev rec/cache");
  EXPECT_NE(update.error().message.find("the object has been modified"), std::string::npos);
  EXPECT_EQ(fake_->request_count(), before + 1) << "a conflict is not retried by the client";

  // Re-read and retry: accepted.
  auto fresh = client_->Get(resources::RedisPersistences(), "rec", "cache");
  ASSERT_TRUE(fresh);
  auto retried = client_->Update(resources::RedisPersistences(), "rec", "cache", fresh->json);
  ASSERT_TRUE(retried) << retried.error().ToString();

  // Status goes through /status only; the main resource ignores it, and no generation bump.
  std::string with_status = fresh->json;
  with_status.insert(with_status.rfind('}'), R"(,"status":{"observedGeneration":2})");
  auto status = client_->UpdateStatus(resources::RedisPersistences(), "rec", "cache", with_status);
  ASSERT_TRUE(status) << status.error().ToString();
  EXPECT_EQ(status->generation, 2);
  EXPECT_NE(status->json.find("\"observedGeneration\":2"), std::string::npos);
}

TEST_F(HttpClientTest, ServerSideApplyConflictsAndForce) {
  auto first = client_->Apply(resources::RedisPersistences(), "rec", "cache", kRp, false);
  ASSERT_TRUE(first) << first.error().ToString();
  WriteOptions other;
  other.field_manager = "kubectl";
  std::string changed = kRp;
  changed.replace(changed.find("aof"), 3, "rdb");
  auto conflict =
      client_->Apply(resources::RedisPersistences(), "rec", "cache", changed, false, other);
  ASSERT_FALSE(conflict);
  EXPECT_TRUE(conflict.error().IsConflict());
  ASSERT_EQ(conflict.error().causes.size(), 1u);
  EXPECT_EQ(conflict.error().causes[0].field, ".spec.mode");
  EXPECT_EQ(conflict.error().causes[0].reason, "FieldManagerConflict");
  auto forced =
      client_->Apply(resources::RedisPersistences(), "rec", "cache", changed, true, other);
  ASSERT_TRUE(forced) << forced.error().ToString();
  EXPECT_EQ(forced->generation, 2);
  // Applying the same again changes nothing: same resourceVersion.
  auto same = client_->Apply(resources::RedisPersistences(), "rec", "cache", changed, true, other);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->resource_version, forced->resource_version);
}

TEST_F(HttpClientTest, ListPagesThroughContinueAndSelectsByLabel) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec",
                                ConfigMapJson("cm-" + std::to_string(i), i % 2 ? "odd" : "even")));
  }
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "other", ConfigMapJson("elsewhere")));
  ListOptions page;
  page.limit = 2;
  auto first = client_->List(resources::ConfigMaps(), "rec", page);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->items.size(), 2u);
  EXPECT_FALSE(first->continue_token.empty());
  EXPECT_EQ(first->remaining_item_count, 3);

  int before = fake_->request_count();
  auto all = ListAll(*client_, resources::ConfigMaps(), "rec", page);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(fake_->request_count() - before, 3) << "5 items, pages of 2";
  ASSERT_EQ(all->items.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(all->items[i].name, "cm-" + std::to_string(i));
  EXPECT_EQ(all->resource_version, first->resource_version);

  ListOptions odd;
  odd.label_selector = "app=odd";
  auto selected = ListAll(*client_, resources::ConfigMaps(), "", odd);
  ASSERT_TRUE(selected);
  ASSERT_EQ(selected->items.size(), 2u);
  EXPECT_EQ(selected->items[0].name, "cm-1");
  odd.label_selector = "app in (odd,a)";
  auto set_based = ListAll(*client_, resources::ConfigMaps(), "", odd);
  ASSERT_TRUE(set_based);
  EXPECT_EQ(set_based->items.size(), 3u) << "cm-1, cm-3 and elsewhere";
}

TEST_F(HttpClientTest, RetriesServerErrorsWithBoundedBackoff) {
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one")));
  fake_->FailNext(2, 500);
  int before = fake_->request_count();
  auto got = client_->Get(resources::ConfigMaps(), "rec", "one");
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(fake_->request_count() - before, 3);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_GE(sleeps_[0], milliseconds(100));  // base 200 ms, jitter in [d/2, d]
  EXPECT_LE(sleeps_[0], milliseconds(200));
  EXPECT_GE(sleeps_[1], milliseconds(200));
  EXPECT_LE(sleeps_[1], milliseconds(400));

  // 429 with Retry-After: 1 never waits less than a second; the attempts are bounded.
  sleeps_.clear();
  fake_->FailNext(100, 429);
  before = fake_->request_count();
  auto throttled = client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("two"));
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().reason, Reason::kTooManyRequests);
  EXPECT_EQ(fake_->request_count() - before, 5);
  ASSERT_EQ(sleeps_.size(), 4u);
  for (milliseconds d : sleeps_) {
    EXPECT_GE(d, milliseconds(1000));
    EXPECT_LE(d, milliseconds(10000));
  }
  fake_->FailNext(0, 500);

  // Exponential growth is capped at max_delay.
  sleeps_.clear();
  auto capped = MakeClient("admin-token", RetryPolicy{8, milliseconds(100), milliseconds(400)});
  fake_->FailNext(7, 503);
  ASSERT_TRUE(capped->Get(resources::ConfigMaps(), "rec", "one"));
  ASSERT_EQ(sleeps_.size(), 7u);
  for (milliseconds d : sleeps_) EXPECT_LE(d, milliseconds(400));
  EXPECT_GE(sleeps_.back(), milliseconds(200));
}

TEST_F(HttpClientTest, EveryRequestHasADeadline) {
  // A fresh client (and so a fresh connection) for each case.
  auto make = [this] {
    Config config;
    config.server = fake_->url();
    config.token = TokenSource::Fixed("admin-token");
    HttpClientOptions options;
    options.request_timeout = milliseconds(300);
    options.retry.max_attempts = 2;
    options.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
    return std::move(*MakeHttpKubeClient(config, options));
  };
  auto reader = make();
  fake_->DelayNext(1, 1000);
  auto start = std::chrono::steady_clock::now();
  auto slow_then_fine = reader->Get(resources::ConfigMaps(), "rec", "x");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  ASSERT_FALSE(slow_then_fine);
  EXPECT_TRUE(slow_then_fine.error().IsNotFound())
      << "the GET was retried after its timeout: " << slow_then_fine.error().ToString();
  EXPECT_EQ(sleeps_.size(), 1u);

  auto writer = make();
  fake_->DelayNext(1, 1000);
  start = std::chrono::steady_clock::now();
  auto write = writer->Create(resources::ConfigMaps(), "rec", ConfigMapJson("slow"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().reason, Reason::kTimeout) << write.error().ToString();
  EXPECT_EQ(sleeps_.size(), 1u) << "a write that timed out may have happened: not retried";
}

TEST_F(HttpClientTest, ARequestOnAReusedConnectionTimesOutToo) {
  Config config;
  config.server = fake_->url();
  config.token = TokenSource::Fixed("admin-token");
  HttpClientOptions options;
  options.request_timeout = milliseconds(300);
  options.retry.max_attempts = 1;
  auto client = std::move(*MakeHttpKubeClient(config, options));
  ASSERT_FALSE(client->Get(resources::ConfigMaps(), "rec", "warm-up"));  // opens a connection
  fake_->DelayNext(1, 1000);
  auto start = std::chrono::steady_clock::now();
  auto write = client->Create(resources::ConfigMaps(), "rec", ConfigMapJson("slow"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().reason, Reason::kTimeout) << write.error().ToString();
}

TEST_F(HttpClientTest, UnauthorizedAndForbiddenAreNotRetried) {
  auto stranger = MakeClient("wrong-token");
  auto denied = stranger->Get(resources::ConfigMaps(), "rec", "x");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().reason, Reason::kUnauthorized);
  fake_->AddToken("reader", "system:serviceaccount:rec:reader",
                  {{"get", "", "configmaps", "rec"}, {"list", "", "configmaps", "rec"}});
  auto reader = MakeClient("reader");
  auto listed = reader->List(resources::ConfigMaps(), "rec", {});
  ASSERT_TRUE(listed) << listed.error().ToString();
  auto write = reader->Create(resources::ConfigMaps(), "rec", ConfigMapJson("x"));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().reason, Reason::kForbidden);
  EXPECT_EQ(write.error().message,
            "configmaps is forbidden: User \"system:serviceaccount:rec:reader\" cannot create "
            "resource \"configmaps\" in API group \"\" in the namespace \"rec\"");
  EXPECT_TRUE(sleeps_.empty());
}

// Collects events from a watch running on its own thread.
struct WatchRun {
  std::mutex mu;
  std::vector<WatchEvent> events;
  std::future<KubeResult<WatchEnd>> done;

  void Start(KubeClient& client, WatchOptions options) {
    done = std::async(std::launch::async, [this, &client, options] {
      return client.Watch(resources::ConfigMaps(), "rec", options, [this](const WatchEvent& e) {
        std::lock_guard lock(mu);
        events.push_back(e);
        return true;
      });
    });
  }
  bool WaitFor(const std::function<bool(const std::vector<WatchEvent>&)>& pred) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu);
        if (pred(events)) return true;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }
};

bool HasAdded(const std::vector<WatchEvent>& events, const std::string& name) {
  for (const auto& e : events) {
    if (e.type == EventType::kAdded && e.object.name == name) return true;
  }
  return false;
}

TEST_F(HttpClientTest, WatchResumesFromTheLastResourceVersionAfterADrop) {
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("before")));
  auto list = client_->List(resources::ConfigMaps(), "rec", {});
  ASSERT_TRUE(list);

  WatchRun first;
  WatchOptions options;
  options.resource_version = list->resource_version;
  options.timeout_seconds = 30;
  first.Start(*client_, options);
  ASSERT_TRUE(first.WaitFor([&](auto&) { return fake_->active_watches() == 1; }));
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("during")));
  ASSERT_TRUE(first.WaitFor([](auto& ev) { return HasAdded(ev, "during"); }));
  EXPECT_FALSE(HasAdded(first.events, "before")) << "watch started after it";

  fake_->DropWatches();
  ASSERT_EQ(first.done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto end = first.done.get();
  ASSERT_TRUE(end) << end.error().ToString();
  EXPECT_FALSE(end->expired);
  EXPECT_FALSE(end->resource_version.empty());

  // Written while nobody watched; the resumed watch delivers it, and nothing twice.
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("between")));
  WatchRun second;
  options.resource_version = end->resource_version;
  second.Start(*client_, options);
  ASSERT_TRUE(second.WaitFor([](auto& ev) { return HasAdded(ev, "between"); }));
  EXPECT_FALSE(HasAdded(second.events, "during"));
  ASSERT_TRUE(second.WaitFor([](auto& ev) {
    for (const auto& e : ev) {
      if (e.type == EventType::kBookmark) return true;
    }
    return false;
  })) << "bookmarks were asked for";
  client_->Stop();
  ASSERT_EQ(second.done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST_F(HttpClientTest, ExpiredResourceVersionMeansRelist) {
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one")));
  auto list = client_->List(resources::ConfigMaps(), "rec", {});
  ASSERT_TRUE(list);
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("two")));
  fake_->Compact();
  WatchOptions options;
  options.resource_version = list->resource_version;
  options.timeout_seconds = 5;
  int seen = 0;
  auto end = client_->Watch(resources::ConfigMaps(), "rec", options, [&](const WatchEvent&) {
    ++seen;
    return true;
  });
  ASSERT_TRUE(end) << end.error().ToString();
  EXPECT_TRUE(end->expired);
  EXPECT_EQ(seen, 0);
  // The relist and a watch from its resourceVersion work.
  auto relist = client_->List(resources::ConfigMaps(), "rec", {});
  ASSERT_TRUE(relist);
  EXPECT_EQ(relist->items.size(), 2u);
  options.resource_version = relist->resource_version;
  options.timeout_seconds = 1;
  auto fresh = client_->Watch(resources::ConfigMaps(), "rec", options,
                              [](const WatchEvent&) { return true; });
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->expired);
}

TEST_F(HttpClientTest, WatchFromNothingListsExistingObjectsAsAdded) {
  ASSERT_TRUE(client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one")));
  WatchOptions options;
  options.timeout_seconds = 1;
  options.allow_bookmarks = false;
  std::vector<std::string> names;
  auto end = client_->Watch(resources::ConfigMaps(), "rec", options, [&](const WatchEvent& e) {
    names.push_back(std::string(EventTypeName(e.type)) + " " + e.object.name);
    return false;  // stop after the first
  });
  ASSERT_TRUE(end);
  EXPECT_EQ(names, std::vector<std::string>{"ADDED one"});
}

TEST_F(HttpClientTest, DeleteWithAFinalizerMarksThenRemoves) {
  ASSERT_TRUE(client_->Create(
      resources::ConfigMaps(), "rec",
      R"({"metadata":{"name":"held","finalizers":["tidemark.dev/backups"]},"data":{}})"));
  ASSERT_TRUE(client_->Delete(resources::ConfigMaps(), "rec", "held"));
  auto held = client_->Get(resources::ConfigMaps(), "rec", "held");
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->deleting);
  ASSERT_TRUE(client_->Patch(resources::ConfigMaps(), "rec", "held", PatchType::kJson,
                             R"([{"op":"remove","path":"/metadata/finalizers"}])"));
  EXPECT_TRUE(client_->Get(resources::ConfigMaps(), "rec", "held").error().IsNotFound());
  auto again = client_->Delete(resources::ConfigMaps(), "rec", "held");
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().IsNotFound());

  auto made = client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("guarded"));
  ASSERT_TRUE(made);
  auto wrong = client_->Delete(resources::ConfigMaps(), "rec", "guarded", "not-the-uid");
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().IsConflict());
  EXPECT_TRUE(client_->Delete(resources::ConfigMaps(), "rec", "guarded", made->uid));
}

// propagationPolicy=Orphan reaches the server: the object is kept for the garbage collector
// (the "orphan" finalizer), so its dependents are never deleted with it.
TEST_F(HttpClientTest, OrphanDeleteSendsThePropagationPolicy) {
  auto made = client_->Create(resources::ConfigMaps(), "rec", ConfigMapJson("owner"));
  ASSERT_TRUE(made);
  ASSERT_TRUE(
      client_->Delete(resources::ConfigMaps(), "rec", "owner", made->uid, Propagation::kOrphan));
  auto marked = client_->Get(resources::ConfigMaps(), "rec", "owner");
  ASSERT_TRUE(marked);
  EXPECT_TRUE(marked->deleting);
  EXPECT_NE(marked->json.find("\"orphan\""), std::string::npos) << marked->json;
}

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.Generate()); }
  std::unique_ptr<FakeApiServer> StartFake(const std::string& crt, const std::string& key) {
    FakeApiServerOptions options;
    options.tls = true;
    options.tls_files = {crt, key, pki_.ca_crt};
    std::string error;
    auto fake = FakeApiServer::Start(options, &error);
    EXPECT_TRUE(fake) << error;
    return fake;
  }
  std::string Kubeconfig(const std::string& url, const std::string& ca, const std::string& user) {
    return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
           "  cluster:\n    server: " +
           url + "\n    certificate-authority-data: " + kube::testing::Base64File(ca) +
           "\ncontexts:\n- name: test\n  context:\n"
           "    cluster: fake\n    user: op\n    namespace: rec\nusers:\n- name: op\n  user:\n" +
           user;
  }
  std::unique_ptr<KubeClient> Client(const std::string& kubeconfig) {
    auto config = ParseKubeconfig(kubeconfig, pki_.dir.path());
    EXPECT_TRUE(config) << config.error().ToString();
    HttpClientOptions options;
    options.request_timeout = milliseconds(5000);
    options.retry.max_attempts = 1;
    auto client = MakeHttpKubeClient(*config, options);
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  kube::testing::TestPki pki_;
};

TEST_F(HttpsClientTest, ClientCertificateFromKubeconfigData) {
  auto fake = StartFake(pki_.server_crt, pki_.server_key);
  ASSERT_TRUE(fake);
  fake->AllowUser(pki_.client_user, {{"*", "", "configmaps", ""}});
  auto client = Client(Kubeconfig(
      fake->url(), pki_.ca_crt,
      "    client-certificate-data: " + kube::testing::Base64File(pki_.client_crt) +
          "\n    client-key-data: " + kube::testing::Base64File(pki_.client_key) + "\n"));
  auto created = client->Create(resources::ConfigMaps(), "rec", ConfigMapJson("tls"));
  ASSERT_TRUE(created) << created.error().ToString();
  // The fake knew the user by the certificate's CN: it has no rights on secrets.
  auto secret = client->Get(resources::Secrets(), "rec", "x");
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().reason, Reason::kForbidden);
  EXPECT_NE(secret.error().message.find("User \"tidemark-operator\""), std::string::npos);
}

TEST_F(HttpsClientTest, TokenOverTlsAndWatch) {
  auto fake = StartFake(pki_.server_crt, pki_.server_key);
  ASSERT_TRUE(fake);
  fake->AddAdminToken("tls-token");
  auto client = Client(Kubeconfig(fake->url(), pki_.ca_crt, "    token: tls-token\n"));
  ASSERT_TRUE(client->Create(resources::ConfigMaps(), "rec", ConfigMapJson("one")));
  WatchOptions options;
  options.timeout_seconds = 1;
  std::vector<std::string> names;
  auto end = client->Watch(resources::ConfigMaps(), "rec", options, [&](const WatchEvent& e) {
    if (e.type == EventType::kAdded) names.push_back(e.object.name);
    return true;
  });
  ASSERT_TRUE(end) << end.error().ToString();
  EXPECT_EQ(names, std::vector<std::string>{"one"});
}

TEST_F(HttpsClientTest, ServerSignedByAnotherCaIsRefused) {
  auto fake = StartFake(pki_.other_server_crt, pki_.other_server_key);
  ASSERT_TRUE(fake);
  fake->AddAdminToken("tls-token");
  auto client = Client(Kubeconfig(fake->url(), pki_.ca_crt, "    token: tls-token\n"));
  int before = fake->request_count();
  auto got = client->Get(resources::ConfigMaps(), "rec", "x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().reason, Reason::kTransport) << got.error().ToString();
  EXPECT_EQ(fake->request_count(), before) << "no request reached the impostor";

  // The same client trusting the right CA would have worked: the certificate, not the setup,
  // is what failed.
  auto trusting = Client(Kubeconfig(fake->url(), pki_.other_ca_crt, "    token: tls-token\n"));
  auto ok = trusting->Get(resources::ConfigMaps(), "rec", "x");
  ASSERT_FALSE(ok);
  EXPECT_TRUE(ok.error().IsNotFound()) << ok.error().ToString();
}

TEST_F(HttpsClientTest, MismatchedClientKeyIsAConfigError) {
  Config config;
  config.server = "https://127.0.0.1:1";
  config.client_cert_pem = tidemark::testing::ReadFile(pki_.client_crt);
  config.client_key_pem = tidemark::testing::ReadFile(pki_.server_key);
  auto client = MakeHttpKubeClient(config);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().reason, Reason::kConfig);
  config.client_key_pem = "garbage";
  EXPECT_FALSE(MakeHttpKubeClient(config));
}

}  // namespace
}  // namespace tidemark::kube
