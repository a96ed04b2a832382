// An upload of declared size sent as one streamed PutObject (S3Config::stream_put_max), against
// a real s3rver, directly and through the fault proxy: the object arrives whole as one request,
// a count of bytes other than the declared one fails and leaves no object, a connection lost
// mid-body fails without a retry (the bytes are not kept) and leaves no object, and a size above
// the threshold still goes as a multipart upload.
#include <gtest/gtest.h>

#include <filesystem>

#include "sidecar/objstore/s3_client.h"
#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3_test_util.h"
#include "tests/objstore/s3rver.h"

namespace tidemark::objstore {
namespace {

using testing::Bytes;
using testing::Pattern;
using testing::StringSink;

constexpr size_t kPart = 5 << 20;

class S3StreamedPutTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3Client> Client(int port, uint64_t stream_put_max = uint64_t{5} << 30) {
    S3Config config;
    config.endpoint = "http://127.0.0.1:" + std::to_string(port);
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = kPart;
    config.stream_put_max = stream_put_max;
    config.retry.max_attempts = 3;
    config.retry.base_delay = std::chrono::milliseconds(5);
    auto client = S3Client::Create(std::move(config), sidecar::RealClock());
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::unique_ptr<S3Client> Direct() { return Client(server_.port()); }
  std::unique_ptr<S3Client> ViaProxy() { return Client(proxy_.port()); }
  // Feeds `body` in pieces of `piece` bytes; the first failure.
  static Status Feed(ObjectUpload& upload, const std::string& body, size_t piece = 300'000) {
    for (size_t at = 0; at < body.size(); at += piece)
      if (auto s = upload.Update(Bytes(body).subspan(at, std::min(piece, body.size() - at))); !s)
        return s;
    return {};
  }
  bool Exists(const std::string& key) {
    auto head = Direct()->HeadObject(key);
    EXPECT_TRUE(head) << head.error().ToString();
    return head && head->has_value();
  }
  size_t OpenUploads() {
    std::filesystem::path dir =
        std::filesystem::path(server_.storage_dir()) / "backups" / "._S3rver_uploads";
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
  }

  testing::S3rver server_;
  testing::FaultProxy proxy_{server_.port(), {"", "", server_.storage_dir()}};
};

TEST_F(S3StreamedPutTest, ADeclaredSizeAboveOnePartIsOneStreamedPut) {
  auto client = ViaProxy();
  const std::string body = Pattern(kPart * 2 + 4321, 5);
  auto upload = client->StartUpload("s.rdb", {{"sha256", "x"}}, body.size());
  EXPECT_TRUE(upload->streamed());
  ASSERT_TRUE(Feed(*upload, body));
  auto etag = upload->Finish();
  ASSERT_TRUE(etag) << etag.error().ToString();
  EXPECT_FALSE(etag->empty());
  EXPECT_TRUE(upload->upload_id().empty());
  // One request carried every byte: no CreateMultipartUpload, no parts, no Complete.
  EXPECT_EQ(proxy_.LogLinesWith("/backups/s.rdb").size(), 1u);
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/s.rdb").size(), 1u);
  StringSink sink;
  ASSERT_TRUE(Direct()->GetObject("s.rdb", sink));
  EXPECT_TRUE(sink.data == body);
  auto info = Direct()->HeadObject("s.rdb");
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ((*info)->metadata, (UserMetadata{{"sha256", "x"}}));
  EXPECT_EQ(OpenUploads(), 0u);
}

TEST_F(S3StreamedPutTest, FewerBytesThanDeclaredFailAndLeaveNoObject) {
  auto client = Direct();
  const std::string body = Pattern(kPart + 100'000, 6);
  auto upload = client->StartUpload("short.rdb", {}, body.size() + 1);
  ASSERT_TRUE(upload->streamed());
  ASSERT_TRUE(Feed(*upload, body));
  auto etag = upload->Finish();
  ASSERT_FALSE(etag);
  EXPECT_NE(etag.error().message.find(std::to_string(body.size()) + " bytes written, " +
                                      std::to_string(body.size() + 1) + " declared"),
            std::string::npos)
      << etag.error().message;
  EXPECT_EQ(etag.error().where, "s3://backups/short.rdb");
  EXPECT_FALSE(Exists("short.rdb")) << "s3rver keeps a cut PUT's bytes: the upload must delete them";
}

TEST_F(S3StreamedPutTest, MoreBytesThanDeclaredFailAndLeaveNoObject) {
  auto client = Direct();
  const std::string body = Pattern(kPart + 100'000, 7);
  auto upload = client->StartUpload("long.rdb", {}, body.size() - 1);
  auto s = Feed(*upload, body);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("more bytes than the " + std::to_string(body.size() - 1) +
                                   " declared"),
            std::string::npos)
      << s.error().message;
  EXPECT_FALSE(upload->Finish());
  EXPECT_FALSE(Exists("long.rdb"));
}

TEST_F(S3StreamedPutTest, AConnectionResetMidBodyFailsWithoutRetryAndLeavesNoObject) {
  auto client = ViaProxy();
  proxy_.SetFaults("reset-request @PUT /backups/cut.rdb\n");
  const std::string body = Pattern(kPart * 3, 8);
  auto upload = client->StartUpload("cut.rdb", {}, body.size());
  Status s = Feed(*upload, body);
  std::string error = s ? "" : s.error().message;
  if (s) {
    // The whole body fitted in the sockets' buffers before the reset: the answer never comes.
    auto etag = upload->Finish();
    ASSERT_FALSE(etag) << "the proxy reset the PUT: it cannot have succeeded";
    error = etag.error().message;
  }
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/cut.rdb").size(), 1u) << "a streamed PUT is not retried";
  EXPECT_EQ(proxy_.LogLinesWith("DELETE /backups/cut.rdb").size(), 1u) << error;
  EXPECT_FALSE(Exists("cut.rdb"));
  EXPECT_EQ(OpenUploads(), 0u);
}

TEST_F(S3StreamedPutTest, AnAbandonedStreamedPutLeavesNoObject) {
  {
    auto client = Direct();
    const std::string body = Pattern(kPart * 2, 9);
    auto upload = client->StartUpload("gone.rdb", {}, body.size() * 2);
    ASSERT_TRUE(Feed(*upload, body));
  }
  EXPECT_FALSE(Exists("gone.rdb"));
}

TEST_F(S3StreamedPutTest, AboveTheThresholdAndWithoutASizeItIsMultipart) {
  auto client = Client(proxy_.port(), /*stream_put_max=*/kPart * 2);
  const std::string body = Pattern(kPart * 2 + 1, 10);
  for (std::optional<uint64_t> size : {std::optional<uint64_t>(body.size()), std::optional<uint64_t>()}) {
    auto upload = client->StartUpload("m.rdb", {}, size);
    EXPECT_FALSE(upload->streamed());
    ASSERT_TRUE(Feed(*upload, body));
    EXPECT_FALSE(upload->upload_id().empty());
    auto etag = upload->Finish();
    ASSERT_TRUE(etag) << etag.error().ToString();
  }
  // At most one part, declared or not, is still sent from memory (a failed PUT is retried).
  auto small = client->StartUpload("one.rdb", {}, kPart);
  EXPECT_FALSE(small->streamed());
  StringSink sink;
  ASSERT_TRUE(Direct()->GetObject("m.rdb", sink));
  EXPECT_TRUE(sink.data == body);
}

}  // namespace
}  // namespace tidemark::objstore
