// The client through a proxy that breaks things (fault_proxy.py) in front of a real s3rver:
// each operation either completes after retries or fails cleanly, a failed upload leaves no
// object and no open multipart upload, 4xx is not retried, a wrong clock is corrected.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <utility>

#include "sidecar/objstore/s3_client.h"
#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3_test_util.h"
#include "tests/objstore/s3rver.h"

namespace tidemark::objstore {
namespace {

using testing::Bytes;
using testing::Pattern;
using testing::StringSink;

class S3FaultsTest : public ::testing::Test {
 protected:
  S3Config Config(int port) {
    S3Config config;
    config.endpoint = "http://127.0.0.1:" + std::to_string(port);
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.part_size = 5 << 20;
    config.retry.max_attempts = 4;
    config.retry.base_delay = std::chrono::milliseconds(5);
    config.retry.max_delay = std::chrono::milliseconds(50);
    return config;
  }
  std::unique_ptr<S3Client> Client(S3Config config, sidecar::Clock& clock = sidecar::RealClock()) {
    auto client = S3Client::Create(std::move(config), clock);
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }
  std::unique_ptr<S3Client> ViaProxy() { return Client(Config(proxy_.port())); }
  std::unique_ptr<S3Client> Direct() { return Client(Config(server_.port())); }
  bool Same(S3Client& client, const std::string& key, const std::string& want) {
    StringSink sink;
    auto s = client.GetObject(key, sink);
    EXPECT_TRUE(s) << s.error().ToString();
    return sink.data == want;
  }
  // Multipart uploads s3rver still holds open.
  size_t OpenUploads() {
    std::filesystem::path dir = std::filesystem::path(server_.storage_dir()) / "backups" / "._S3rver_uploads";
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
  }

  testing::S3rver server_;
  testing::FaultProxy proxy_{server_.port(), {"", "", server_.storage_dir()}};
};

TEST_F(S3FaultsTest, PutIsRetriedAfter500And503SlowDownAndADroppedConnection) {
  auto client = ViaProxy();
  proxy_.SetFaults("status 500\nstatus 503 SlowDown\ndrop\n");
  std::string body = Pattern(10'000, 1);
  auto s = client->PutObject("k", Bytes(body));
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/k").size(), 4u);
  EXPECT_TRUE(Same(*Direct(), "k", body));
}

TEST_F(S3FaultsTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  auto client = ViaProxy();
  proxy_.SetFaults("status 503 SlowDown\nstatus 503 SlowDown\nstatus 503 SlowDown\nstatus 503 SlowDown\n");
  auto s = client->PutObject("k", Bytes(std::string("x")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("503"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("SlowDown"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("after 4 attempts"), std::string::npos) << s.error().message;
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/k").size(), 4u);
  auto head = Direct()->HeadObject("k");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->has_value());
}

TEST_F(S3FaultsTest, A4xxIsNotRetried) {
  auto client = ViaProxy();
  proxy_.SetFaults("status 403 AccessDenied\n");
  auto s = client->PutObject("k", Bytes(std::string("x")));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("HTTP 403"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("AccessDenied"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("request id fault-"), std::string::npos) << s.error().message;
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/k").size(), 1u);
}

TEST_F(S3FaultsTest, MultipartSurvivesAResetMidPartAndA500OnComplete) {
  auto client = ViaProxy();
  proxy_.SetFaults("reset-request @partNumber=2&\nstatus 500 @POST /backups/big?uploadId=\n");
  std::string body = Pattern((5 << 20) * 2 + 777, 2);
  SpanSource source(Bytes(body));
  auto etag = client->UploadFrom("big", source);
  ASSERT_TRUE(etag) << etag.error().ToString();
  EXPECT_EQ(proxy_.LogLinesWith("partNumber=2&").size(), 2u);
  EXPECT_TRUE(Same(*Direct(), "big", body));
  EXPECT_EQ(OpenUploads(), 0u);
}

TEST_F(S3FaultsTest, AFailedMultipartUploadIsAbortedAndLeavesNothing) {
  auto client = ViaProxy();
  proxy_.SetFaults("status 500 @partNumber=2&\nreset-request @partNumber=2&\nstatus 503 SlowDown @partNumber=2&\n"
                   "drop @partNumber=2&\n");
  std::string body = Pattern((5 << 20) * 3, 3);
  auto upload = client->StartUpload("doomed");
  Status s;
  for (size_t at = 0; at < body.size() && s; at += 1 << 20)
    s = upload->Update(Bytes(body).subspan(at, 1 << 20));
  ASSERT_FALSE(s) << "part 2 fails 4 times: the upload must fail";
  EXPECT_NE(s.error().message.find("after 4 attempts"), std::string::npos) << s.error().message;
  EXPECT_FALSE(upload->Finish());
  std::string id = upload->upload_id();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(proxy_.LogLinesWith("DELETE /backups/doomed?uploadId=" + id).size(), 1u);
  EXPECT_EQ(OpenUploads(), 0u);
  auto head = Direct()->HeadObject("doomed");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->has_value()) << "a failed upload must not leave an object";
}

TEST_F(S3FaultsTest, DestroyingAnUnfinishedUploadAbortsIt) {
  auto client = ViaProxy();
  std::string body = Pattern((5 << 20) + 10, 4);
  std::string id;
  {
    auto upload = client->StartUpload("abandoned");
    ASSERT_TRUE(upload->Update(Bytes(body)));
    id = upload->upload_id();
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(OpenUploads(), 1u);
  }
  EXPECT_EQ(proxy_.LogLinesWith("DELETE /backups/abandoned?uploadId=" + id).size(), 1u);
  EXPECT_EQ(OpenUploads(), 0u);
}

TEST_F(S3FaultsTest, AGetCutOffMidBodyResumesFromTheNextByteOfTheSameObject) {
  std::string body = Pattern(3 << 20, 5);
  ASSERT_TRUE(Direct()->PutObject("g", Bytes(body)));
  auto client = ViaProxy();
  proxy_.SetFaults("reset-response @GET /backups/g\nreset-response @GET /backups/g\n");
  EXPECT_TRUE(Same(*client, "g", body));
  auto gets = proxy_.LogLinesWith("GET /backups/g");
  EXPECT_EQ(gets.size(), 3u);
  // A ranged GET cut off resumes inside its range.
  proxy_.SetFaults("reset-response @GET /backups/g\n");
  StringSink sink;
  ASSERT_TRUE(client->GetObject("g", sink, ByteRange{1000, 2 << 20}));
  EXPECT_TRUE(sink.data == body.substr(1000, 2 << 20));
}

// The real clock; the first retry's wait runs `on_first_sleep` (an object replaced while the
// client waits to resume).
class HookedClock final : public sidecar::Clock {
 public:
  explicit HookedClock(std::function<void()> on_first_sleep) : hook_(std::move(on_first_sleep)) {}
  int64_t NowUnix() override { return sidecar::RealClock().NowUnix(); }
  int64_t NowMillis() override { return sidecar::RealClock().NowMillis(); }
  void SleepMillis(int64_t ms) override {
    if (hook_) std::exchange(hook_, nullptr)();
    sidecar::RealClock().SleepMillis(ms);
  }

 private:
  std::function<void()> hook_;
};

// Reads `reader` to its end in 64 KiB steps (the restore's pattern); the first error.
Result<std::string> ReadAll(ObjectReader& reader) {
  std::string out;
  std::vector<uint8_t> buf(64 << 10);
  for (;;) {
    auto n = reader.Read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

TEST_F(S3FaultsTest, OneStreamedGetCutAndStalledMidBodyResumesFromTheNextByteOfTheSameObject) {
  std::string body = Pattern(3 << 20, 7);
  ASSERT_TRUE(Direct()->PutObject("s", Bytes(body)));
  S3Config config = Config(proxy_.port());
  config.io_timeout = std::chrono::milliseconds(700);
  auto client = Client(config);
  proxy_.SetFaults("reset-response @GET /backups/s\nstall-response 4000 @GET /backups/s\n");
  auto reader = client->OpenObject("s");
  auto got = ReadAll(*reader);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->size(), body.size());
  EXPECT_TRUE(*got == body) << "resumed at the wrong byte";
  EXPECT_EQ(reader->requests(), 3);
  EXPECT_EQ(proxy_.LogLinesWith("GET /backups/s").size(), 3u);
  // The first GET has no Range; each resume asks for the rest of the same object.
  auto ranged = proxy_.LogLinesWith("ranged /backups/s ");
  ASSERT_EQ(ranged.size(), 2u);
  for (const auto& line : ranged) {
    EXPECT_NE(line.find(" bytes="), std::string::npos) << line;
    EXPECT_NE(line.find("- if-match \""), std::string::npos) << line;
  }
  EXPECT_TRUE(proxy_.LogLinesWith("precondition failed").empty());
}

TEST_F(S3FaultsTest, AStreamedGetCutMoreOftenThanTheRetryBudgetFails) {
  std::string body = Pattern(2 << 20, 8);
  ASSERT_TRUE(Direct()->PutObject("b", Bytes(body)));
  auto client = ViaProxy();  // 4 attempts
  proxy_.SetFaults(
      "reset-response @GET /backups/b\nreset-response @GET /backups/b\n"
      "reset-response @GET /backups/b\nreset-response @GET /backups/b\n");
  auto reader = client->OpenObject("b");
  auto got = ReadAll(*reader);
  ASSERT_FALSE(got) << "4 cuts with 4 attempts must fail";
  EXPECT_EQ(got.error().code, ErrorCode::kIo);
  EXPECT_NE(got.error().message.find("and 4 attempts"), std::string::npos) << got.error().message;
  EXPECT_LT(reader->bytes(), body.size());
  std::vector<uint8_t> more(16);
  EXPECT_FALSE(reader->Read(more)) << "a failed reader stays failed";
  EXPECT_EQ(proxy_.LogLinesWith("GET /backups/b").size(), 4u);
}

TEST_F(S3FaultsTest, AnObjectReplacedBeforeTheResumeIsRefusedWith412NotSpliced) {
  std::string body = Pattern(2 << 20, 9);
  ASSERT_TRUE(Direct()->PutObject("r", Bytes(body)));
  HookedClock clock([&] { ASSERT_TRUE(Direct()->PutObject("r", Bytes(Pattern(2 << 20, 10)))); });
  auto client = Client(Config(proxy_.port()), clock);
  proxy_.SetFaults("reset-response @GET /backups/r\n");
  auto reader = client->OpenObject("r");
  auto got = ReadAll(*reader);
  ASSERT_FALSE(got) << "spliced two objects";
  EXPECT_NE(got.error().message.find("HTTP 412"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("no longer the one being read"), std::string::npos)
      << got.error().message;
  EXPECT_EQ(proxy_.LogLinesWith("precondition failed /backups/r").size(), 1u);
  EXPECT_EQ(proxy_.LogLinesWith("GET /backups/r").size(), 2u) << "a 412 is not retried";
}

TEST_F(S3FaultsTest, A200ToARangedResumeDropsTheBytesAlreadyReadOnlyForTheSameObject) {
  std::string body = Pattern(2 << 20, 11);
  ASSERT_TRUE(Direct()->PutObject("w", Bytes(body)));
  {
    auto client = ViaProxy();
    proxy_.SetFaults("reset-response @GET /backups/w\nstrip-headers range @GET /backups/w\n");
    auto reader = client->OpenObject("w");
    auto got = ReadAll(*reader);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_TRUE(*got == body) << "the whole object's first bytes were not dropped";
    EXPECT_EQ(reader->requests(), 2);
  }
  // A server ignoring both Range and If-Match, the object replaced meanwhile: the new ETag
  // refuses the answer.
  HookedClock clock([&] { ASSERT_TRUE(Direct()->PutObject("w", Bytes(Pattern(2 << 20, 12)))); });
  auto client = Client(Config(proxy_.port()), clock);
  proxy_.SetFaults("reset-response @GET /backups/w\nstrip-headers range if-match @GET /backups/w\n");
  auto reader = client->OpenObject("w");
  auto got = ReadAll(*reader);
  ASSERT_FALSE(got) << "spliced two objects";
  EXPECT_EQ(got.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(got.error().message.find("replaced while it was read"), std::string::npos)
      << got.error().message;
}

TEST_F(S3FaultsTest, TheETagFromHeadPinsTheObjectFromTheFirstByte) {
  std::string body = Pattern(100'000, 13);
  ASSERT_TRUE(Direct()->PutObject("h", Bytes(body)));
  auto info = Direct()->HeadObject("h");
  ASSERT_TRUE(info && *info);
  ASSERT_TRUE(Direct()->PutObject("h", Bytes(Pattern(100'000, 14))));
  auto client = ViaProxy();
  auto reader = client->OpenObject("h", (*info)->etag);
  auto got = ReadAll(*reader);
  ASSERT_FALSE(got) << "read another object than the one HEAD found";
  EXPECT_NE(got.error().message.find("HTTP 412"), std::string::npos) << got.error().message;
}

TEST_F(S3FaultsTest, ASlowResponseTimesOutAndIsRetried) {
  S3Config config = Config(proxy_.port());
  config.io_timeout = std::chrono::milliseconds(300);
  auto client = Client(config);
  proxy_.SetFaults("delay 1500 @PUT /backups/slow\n");
  ASSERT_TRUE(client->PutObject("slow", Bytes(std::string("x"))));
  EXPECT_EQ(proxy_.LogLinesWith("PUT /backups/slow").size(), 2u);
}

TEST_F(S3FaultsTest, AWrongClockIsCorrectedFromTheServersTime) {
  // s3rver refuses requests more than 15 minutes off, as S3 does.
  testing::ShiftedClock wrong(3600);
  auto client = Client(Config(proxy_.port()), wrong);
  ASSERT_TRUE(client->PutObject("t", Bytes(std::string("x"))));
  auto puts = proxy_.LogLinesWith("PUT /backups/t");
  EXPECT_EQ(puts.size(), 2u) << "refused once, then signed with the server's time";

  S3Config once = Config(server_.port());
  once.retry.max_attempts = 1;
  testing::ShiftedClock way_off(-7200);
  auto strict = Client(once, way_off);
  auto s = strict->PutObject("t2", Bytes(std::string("x")));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("clock skew: server time 20"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(", local 20"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("RequestTimeTooSkewed"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace tidemark::objstore
