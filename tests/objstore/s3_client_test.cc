// The S3 client against a real S3-compatible server (s3rver): every call the backup store uses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sidecar/clock.h"
#include "sidecar/objstore/s3_client.h"
#include "tests/objstore/s3_test_util.h"
#include "tests/objstore/s3rver.h"

namespace tidemark::objstore {
namespace {

using testing::Bytes;
using testing::Pattern;
using testing::StringSink;

class S3ClientTest : public ::testing::Test {
 protected:
  S3Config Config() {
    S3Config config;
    config.endpoint = server_.endpoint();
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = 5 << 20;
    config.retry.base_delay = std::chrono::milliseconds(5);
    return config;
  }
  std::unique_ptr<S3Client> Client(S3Config config) {
    auto client = S3Client::Create(std::move(config), sidecar::RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::string Get(S3Client& client, const std::string& key, std::optional<ByteRange> range = {}) {
    StringSink sink;
    auto s = client.GetObject(key, sink, range);
    EXPECT_TRUE(s) << s.error().ToString();
    return sink.data;
  }

  testing::S3rver server_;
};

TEST_F(S3ClientTest, PutGetHeadDeleteRoundTripWithOddKeysAndMetadata) {
  auto client = Client(Config());
  for (std::string key : {"plain.rdb", "dir/sub dir/a+b=c~d.rdb", "ünïcode/ключ.rdb", "100%.rdb"}) {
    std::string body = Pattern(1000 + key.size(), static_cast<uint32_t>(key.size()));
    auto put = client->PutObject(key, Bytes(body), {{"sha256", "abc"}, {"backup-name", key.substr(0, 3)}});
    ASSERT_TRUE(put) << key << ": " << put.error().ToString();
    EXPECT_TRUE(Get(*client, key) == body) << key;
    auto info = client->HeadObject(key);
    ASSERT_TRUE(info) << info.error().ToString();
    ASSERT_TRUE(info->has_value()) << key;
    EXPECT_EQ((*info)->size, body.size());
    EXPECT_FALSE((*info)->etag.empty());
    UserMetadata want{{"backup-name", key.substr(0, 3)}, {"sha256", "abc"}};
    EXPECT_EQ((*info)->metadata, want);
    ASSERT_TRUE(client->DeleteObject(key));
    auto gone = client->HeadObject(key);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value()) << key;
  }
}

TEST_F(S3ClientTest, MissingObjectIsNotFoundWithS3sMessage) {
  auto client = Client(Config());
  StringSink sink;
  auto s = client->GetObject("nope", sink);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_NE(s.error().message.find("NoSuchKey"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().where, "s3://backups/nope");
  EXPECT_TRUE(client->DeleteObject("nope"));
}

TEST_F(S3ClientTest, RangedGets) {
  auto client = Client(Config());
  std::string body = Pattern(100'000, 7);
  ASSERT_TRUE(client->PutObject("r", Bytes(body)));
  EXPECT_TRUE(Get(*client, "r", ByteRange{10, 20}) == body.substr(10, 20));
  EXPECT_TRUE(Get(*client, "r", ByteRange{99'990, std::nullopt}) == body.substr(99'990));
  EXPECT_EQ(Get(*client, "r", ByteRange{0, 1}), body.substr(0, 1));
}

TEST_F(S3ClientTest, ListFollowsContinuationTokens) {
  auto client = Client(Config());
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) {
    keys.push_back("p/obj-" + std::to_string(i));
    ASSERT_TRUE(client->PutObject(keys.back(), Bytes(keys.back())));
  }
  ASSERT_TRUE(client->PutObject("other/x", Bytes(std::string("x"))));
  auto first = client->ListObjectsPage("p/", "", 3);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->objects.size(), 3u);
  EXPECT_TRUE(first->is_truncated);
  auto all = client->ListObjects("p/", 3);
  ASSERT_TRUE(all) << all.error().ToString();
  std::vector<std::string> listed;
  for (const auto& o : *all) {
    listed.push_back(o.key);
    EXPECT_EQ(o.size, o.key.size());
  }
  EXPECT_EQ(listed, keys);
}

TEST_F(S3ClientTest, MultipartUploadOfSeveralPartsStreamsAndRoundTrips) {
  auto client = Client(Config());
  std::string body = Pattern((5 << 20) * 2 + 12345, 3);  // two full parts and a short last one
  auto upload = client->StartUpload("big.rdb", {{"sha256", "x"}});
  for (size_t at = 0; at < body.size(); at += 300'000)
    ASSERT_TRUE(upload->Update(Bytes(body).subspan(at, std::min<size_t>(300'000, body.size() - at))));
  EXPECT_FALSE(upload->upload_id().empty()) << "more than one part: a multipart upload";
  auto etag = upload->Finish();
  ASSERT_TRUE(etag) << etag.error().ToString();
  EXPECT_TRUE(Get(*client, "big.rdb") == body);
  auto info = client->HeadObject("big.rdb");
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ((*info)->metadata, (UserMetadata{{"sha256", "x"}}));
}

TEST_F(S3ClientTest, ExactlyOnePartIsASinglePut) {
  auto client = Client(Config());
  std::string body = Pattern(5 << 20, 9);
  auto upload = client->StartUpload("one");
  ASSERT_TRUE(upload->Update(Bytes(body)));
  auto etag = upload->Finish();
  ASSERT_TRUE(etag) << etag.error().ToString();
  EXPECT_TRUE(upload->upload_id().empty());
  EXPECT_TRUE(Get(*client, "one") == body);
}

TEST_F(S3ClientTest, UnsignedPayloadAndVirtualHostedAddressing) {
  S3Config config = Config();
  config.sign_payload = false;
  config.addressing = Addressing::kVirtualHosted;
  // s3rver takes the bucket from a Host of the form <bucket>.s3.<service endpoint>.
  config.endpoint = "http://s3.amazonaws.com:" + std::to_string(server_.port());
  config.connect_to = "127.0.0.1:" + std::to_string(server_.port());
  auto client = Client(config);
  ASSERT_TRUE(client->PutObject("vh/key", Bytes(std::string("hello"))));
  auto path_client = Client(Config());
  EXPECT_EQ(Get(*path_client, "vh/key"), "hello");
  auto listed = client->ListObjects("vh/");
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
}

TEST_F(S3ClientTest, ConfigurationErrorsAreSpecific) {
  S3Config config = Config();
  config.endpoint = "ftp://x";
  auto c = S3Client::Create(config, sidecar::RealClock());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("https:// or http://"), std::string::npos);
  config = Config();
  config.part_size = 1 << 20;
  ASSERT_FALSE(S3Client::Create(config, sidecar::RealClock()));
  config = Config();
  config.addressing = Addressing::kVirtualHosted;
  config.bucket = "Not_DNS";
  ASSERT_FALSE(S3Client::Create(config, sidecar::RealClock()));
}

}  // namespace
}  // namespace tidemark::objstore
