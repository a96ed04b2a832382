// TLS: s3rver behind a TLS-terminating proxy whose certificate comes from a test CA made with
// the openssl CLI. The client trusts it only when given that CA, and only for the names the
// certificate carries.
#include <gtest/gtest.h>

#include "sidecar/objstore/s3_client.h"
#include "tests/objstore/fault_proxy.h"
#include "tests/objstore/s3_test_util.h"
#include "tests/objstore/s3rver.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::objstore {
namespace {

using testing::Bytes;
using testing::StringSink;

// A CA and a server certificate for DNS:localhost and IP:127.0.0.1 signed by it; a second CA
// that signed nothing here.
struct TestPki {
  TestPki() {
    std::string d = dir.path();
    std::string script =
        "set -e; cd " + d + "\n"
        "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n"
        "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj '/CN=Tidemark Test CA'\n"
        "openssl req -x509 $ec -keyout other.key -out other-ca.pem -days 2 -subj '/CN=Other CA'\n"
        "openssl req $ec -keyout server.key -out server.csr -subj '/CN=localhost'\n"
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
        " -days 2 -extfile ext.cnf\n";
    testing::WriteFile(dir.File("make.sh"), script);
    std::string out;
    if (testing::RunCommand("bash " + dir.File("make.sh") + " 2>&1", &out) != 0)
      ADD_FAILURE() << "openssl failed: " << out;
  }
  testing::TempDir dir;
};

class S3TlsTest : public ::testing::Test {
 protected:
  S3Config Config(const std::string& host) {
    S3Config config;
    config.endpoint = "https://" + host + ":" + std::to_string(proxy_.port());
    config.connect_to = "127.0.0.1:" + std::to_string(proxy_.port());
    config.bucket = "backups";
    config.credentials = {"S3RVER", "S3RVER", ""};
    config.retry.base_delay = std::chrono::milliseconds(5);
    return config;
  }
  Status RoundTrip(S3Config config) {
    auto client = S3Client::Create(std::move(config), sidecar::RealClock());
    if (!client) return std::unexpected(client.error());
    if (auto s = (*client)->PutObject("tls", Bytes(std::string("secret"))); !s) return s;
    StringSink sink;
    if (auto s = (*client)->GetObject("tls", sink); !s) return s;
    EXPECT_EQ(sink.data, "secret");
    return {};
  }

  TestPki pki_;
  testing::S3rver server_;
  testing::FaultProxy proxy_{server_.port(),
                             {pki_.dir.File("server.pem"), pki_.dir.File("server.key"), ""}};
};

TEST_F(S3TlsTest, VerifiesAgainstTheGivenCaBundleByNameAndByAddress) {
  for (std::string host : {"localhost", "127.0.0.1"}) {
    S3Config config = Config(host);
    config.ca_bundle_file = pki_.dir.File("ca.pem");
    auto s = RoundTrip(config);
    EXPECT_TRUE(s) << host << ": " << s.error().ToString();
  }
}

TEST_F(S3TlsTest, RefusesWithoutTheCaAndDoesNotRetry) {
  auto s = RoundTrip(Config("localhost"));  // the system's trust store
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("TLS handshake"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("certificate"), std::string::npos) << s.error().message;
  EXPECT_EQ(proxy_.LogLinesWith("accept").size(), 1u) << "a distrusted peer stays so: no retry";
}

TEST_F(S3TlsTest, RefusesACertificateFromAnotherCa) {
  S3Config config = Config("localhost");
  config.ca_bundle_file = pki_.dir.File("other-ca.pem");
  auto s = RoundTrip(config);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("certificate"), std::string::npos) << s.error().message;
}

TEST_F(S3TlsTest, RefusesACertificateForAnotherName) {
  S3Config config = Config("s3.example.com");
  config.ca_bundle_file = pki_.dir.File("ca.pem");
  auto s = RoundTrip(config);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("hostname mismatch"), std::string::npos) << s.error().message;
}

TEST_F(S3TlsTest, AMissingCaFileIsAConfigurationError) {
  S3Config config = Config("localhost");
  config.ca_bundle_file = pki_.dir.File("absent.pem");
  auto client = S3Client::Create(config, sidecar::RealClock());
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client.error().where, config.ca_bundle_file);
}

}  // namespace
}  // namespace tidemark::objstore
