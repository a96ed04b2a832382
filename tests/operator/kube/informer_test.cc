// The informer against the fake API server: initial list, watch events, resume after a dropped
// stream, relist after compaction (410) with the handler told about what changed meanwhile.
#include "operator/kube/informer.h"

#include <gtest/gtest.h>

#include <thread>

#include "operator/kube/http_client.h"
#include "operator/kube/work_queue.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"

namespace tidemark::kube {
namespace {

using std::chrono::milliseconds;

std::string Cm(const std::string& name, const std::string& value = "1") {
  return R"({"metadata":{"name":")" + name + R"("},"data":{"v":")" + value + R"("}})";
}

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    fake::FakeApiServerOptions options;
    options.bookmark_interval_ms = 100;
    fake_ = fake::FakeApiServer::Start(options, &error);
    ASSERT_TRUE(fake_) << error;
    fake_->AddAdminToken("t");
    Config config;
    config.server = fake_->url();
    config.token = TokenSource::Fixed("t");
    HttpClientOptions client_options;
    client_options.retry.base_delay = milliseconds(1);
    auto client = MakeHttpKubeClient(config, client_options);
    ASSERT_TRUE(client);
    client_ = std::move(*client);
    writer_ = std::move(*MakeHttpKubeClient(config, client_options));
  }

  void StartInformer(DroppedFields drop_fields = {}) {
    InformerOptions options;
    options.drop_fields = std::move(drop_fields);
    options.namespace_ = "rec";
    options.page_size = 2;
    options.watch_timeout_seconds = 30;
    options.error_backoff = milliseconds(5);
    informer_ = std::make_unique<Informer>(
        *client_, resources::ConfigMaps(), options, [this](EventType type, const Object& obj) {
          std::lock_guard lock(mu_);
          seen_.push_back(std::string(EventTypeName(type)) + " " + ObjectKey(obj));
          queue_.Add(ObjectKey(obj));
        });
    thread_ = std::thread([this] { informer_->Run(stop_); });
  }

  void TearDown() override {
    stop_ = true;
    if (client_) client_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 1000; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }
  bool Saw(const std::string& what) {
    std::lock_guard lock(mu_);
    return std::find(seen_.begin(), seen_.end(), what) != seen_.end();
  }

  std::unique_ptr<fake::FakeApiServer> fake_;
  std::unique_ptr<KubeClient> client_;
  std::unique_ptr<KubeClient> writer_;
  std::unique_ptr<Informer> informer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> seen_;
  WorkQueue queue_;
};

TEST_F(InformerTest, ListsThenFollowsTheWatch) {
  for (const char* n : {"a", "b", "c"}) {
    ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm(n)));
  }
  StartInformer();
  ASSERT_TRUE(Eventually([&] { return informer_->HasSynced(); }));
  EXPECT_EQ(informer_->List().size(), 3u) << "three objects over two pages";
  EXPECT_TRUE(Saw("ADDED rec/a"));
  ASSERT_TRUE(writer_->Patch(resources::ConfigMaps(), "rec", "b", PatchType::kMerge,
                             R"({"data":{"v":"2"}})"));
  ASSERT_TRUE(writer_->Delete(resources::ConfigMaps(), "rec", "c"));
  ASSERT_TRUE(Eventually([&] { return Saw("DELETED rec/c"); }));
  EXPECT_TRUE(Saw("MODIFIED rec/b"));
  EXPECT_FALSE(informer_->Get("rec/c").has_value());
  auto b = informer_->Get("rec/b");
  ASSERT_TRUE(b);
  EXPECT_NE(b->json.find("\"v\":\"2\""), std::string::npos);
  EXPECT_EQ(informer_->lists(), 1);
  // The handler fed the queue, de-duplicated per key.
  EXPECT_EQ(queue_.Len(), 3u);
}

TEST_F(InformerTest, ResumesAfterADroppedWatchWithoutRelisting) {
  StartInformer();
  ASSERT_TRUE(Eventually([&] { return informer_->HasSynced() && fake_->active_watches() == 1; }));
  fake_->DropWatches();
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm("after-drop")));
  ASSERT_TRUE(Eventually([&] { return Saw("ADDED rec/after-drop"); }));
  EXPECT_GE(informer_->watch_restarts(), 1);
  EXPECT_EQ(informer_->lists(), 1) << "a drop resumes from the last resourceVersion";
}

TEST_F(InformerTest, RelistsAfterCompactionAndReportsWhatChangedMeanwhile) {
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm("gone-later")));
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm("stays")));
  StartInformer();
  ASSERT_TRUE(Eventually([&] { return informer_->HasSynced() && fake_->active_watches() == 1; }));
  // Changes the informer cannot see as events: its watch is cut and refused, then the
  // history is compacted past the resourceVersion it would resume from.
  std::string resume_from = informer_->last_resource_version();
  fake_->RefuseWatches(true);
  fake_->DropWatches();
  ASSERT_TRUE(writer_->Delete(resources::ConfigMaps(), "rec", "gone-later"));
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm("new")));
  fake_->Compact();
  EXPECT_FALSE(Saw("DELETED rec/gone-later"));
  fake_->RefuseWatches(false);
  ASSERT_TRUE(Eventually([&] { return Saw("DELETED rec/gone-later") && Saw("ADDED rec/new"); }));
  EXPECT_EQ(informer_->lists(), 2) << "410 answered by a fresh LIST";
  EXPECT_FALSE(informer_->Get("rec/gone-later").has_value());
  EXPECT_TRUE(informer_->Get("rec/stays").has_value());
  EXPECT_NE(informer_->last_resource_version(), resume_from);
}

TEST_F(InformerTest, KeepsObjectsWithoutTheDroppedFieldsAndOtherwiseAsServed) {
  const std::string big(20000, 'x');  // packed in the cache: must come back byte for byte
  ASSERT_TRUE(writer_->Create(
      resources::ConfigMaps(), "rec",
      R"({"metadata":{"name":"listed","labels":{"k":"v"}},"data":{"v":"1","drop":"d","big":")" +
          big + R"("}})"));
  StartInformer({"metadata.managedFields", "data.drop", "no.such.path", "data.v.not-an-object"});
  ASSERT_TRUE(Eventually([&] { return informer_->HasSynced() && fake_->active_watches() == 1; }));
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec",
                              R"({"metadata":{"name":"watched"},"data":{"v":"2","drop":"d"}})"));
  ASSERT_TRUE(Eventually([&] { return Saw("ADDED rec/watched"); }));
  for (const char* name : {"listed", "watched"}) {
    auto served = writer_->Get(resources::ConfigMaps(), "rec", name);
    ASSERT_TRUE(served);
    ASSERT_NE(served->json.find("\"managedFields\""), std::string::npos)
        << "the server sends them; the cache must not keep them";
    auto cached = informer_->Get(std::string("rec/") + name);
    ASSERT_TRUE(cached) << name;
    EXPECT_EQ(cached->json.find("\"managedFields\""), std::string::npos) << cached->json;
    EXPECT_EQ(cached->json.find("\"drop\""), std::string::npos) << cached->json;
    EXPECT_NE(cached->json.find("\"v\":\""), std::string::npos) << cached->json;
    EXPECT_EQ(cached->uid, served->uid);
    EXPECT_EQ(cached->resource_version, served->resource_version);
  }
  auto listed = informer_->Get("rec/listed");
  EXPECT_EQ(listed->labels.at("k"), "v");
  EXPECT_NE(listed->json.find("\"big\":\"" + big + "\""), std::string::npos);
}

TEST_F(InformerTest, CachedObjectIsTheServedTextWhenNothingIsDropped) {
  StartInformer();
  ASSERT_TRUE(Eventually([&] { return informer_->HasSynced() && fake_->active_watches() == 1; }));
  // From a watch event: the items of a LIST carry no apiVersion and kind, a GET does.
  ASSERT_TRUE(writer_->Create(resources::ConfigMaps(), "rec", Cm("same", std::string(5000, 'y'))));
  ASSERT_TRUE(Eventually([&] { return Saw("ADDED rec/same"); }));
  auto served = writer_->Get(resources::ConfigMaps(), "rec", "same");
  auto cached = informer_->Get("rec/same");
  ASSERT_TRUE(served && cached);
  EXPECT_EQ(cached->json, served->json);
}

}  // namespace
}  // namespace tidemark::kube
