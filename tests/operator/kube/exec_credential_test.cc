// kubeconfig exec credentials against the fake API server: the command is a small shell script
// written by the test, run for real (args, env, KUBERNETES_EXEC_INFO), its token or client
// certificate used, cached until its expirationTimestamp and run again once after a 401; a
// failing or missing command is reported with what the user needs.
#include "operator/kube/exec_credential.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "operator/kube/config.h"
#include "operator/kube/http_client.h"
#include "tests/operator/fake_apiserver/fake_apiserver.h"
#include "tests/operator/kube/test_pki.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::kube {
namespace {

using fake::FakeApiServer;
using fake::FakeApiServerOptions;
using tidemark::testing::ReadFile;
using tidemark::testing::WriteFile;

const char kV1[] = "client.authentication.k8s.io/v1";

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out + "\"";
}

class ExecCredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    fake_ = FakeApiServer::Start(FakeApiServerOptions{}, &error);
    ASSERT_TRUE(fake_) << error;
  }

  // A credential plugin: counts its runs in `runs`, checks what kubectl would give it, and
  // prints the ExecCredential in the file `answer` (which the test rewrites to rotate).
  std::string WritePlugin() {
    const std::string path = dir_.File("cred-plugin.sh");
    WriteFile(path,
              "#!/bin/sh\n"
              "echo run >> " + dir_.File("runs") + "\n"
              "[ \"$1\" = get-token ] && [ \"$2\" = --cluster=prod ] || "
              "{ echo \"bad args: $*\" >&2; exit 64; }\n"
              "[ \"$PLUGIN_REGION\" = eu-west-1 ] || { echo 'PLUGIN_REGION not set' >&2; exit 65; }\n"
              "case \"$KUBERNETES_EXEC_INFO\" in\n"
              "  *'\"apiVersion\":\"client.authentication.k8s.io/v1\"'*'\"interactive\":false'*) ;;\n"
              "  *) echo \"bad KUBERNETES_EXEC_INFO: $KUBERNETES_EXEC_INFO\" >&2; exit 66;;\n"
              "esac\n"
              "cat " + dir_.File("answer") + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }
  void Answer(const std::string& status_members) {
    WriteFile(dir_.File("answer"), std::string("{\"apiVersion\":\"") + kV1 +
                                       "\",\"kind\":\"ExecCredential\",\"status\":{" +
                                       status_members + "}}\n");
  }
  int Runs() {
    const std::string text = ReadFile(dir_.File("runs"));
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
  std::string Kubeconfig(const std::string& server, const std::string& command,
                         const std::string& extra_cluster = "",
                         const std::string& extra_exec = "") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
           "  cluster:\n    server: " + server + "\n" + extra_cluster +
           "contexts:\n- name: test\n  context:\n    cluster: fake\n    user: sso\n"
           "users:\n- name: sso\n  user:\n    exec:\n      apiVersion: " + kV1 +
           "\n      command: " + command +
           "\n      args: [get-token, --cluster=prod]\n"
           "      env:\n      - name: PLUGIN_REGION\n        value: eu-west-1\n"
           "      interactiveMode: Never\n" + extra_exec;
  }
  KubeResult<std::unique_ptr<KubeClient>> Client(const std::string& kubeconfig) {
    auto config = ParseKubeconfig(kubeconfig, dir_.path());
    if (!config) return std::unexpected(config.error());
    HttpClientOptions options;
    options.request_timeout = std::chrono::milliseconds(5000);
    options.retry.max_attempts = 1;
    return MakeHttpKubeClient(*config, options);
  }

  tidemark::testing::TempDir dir_;
  std::unique_ptr<FakeApiServer> fake_;
};

TEST_F(ExecCredentialTest, TokenIsUsedAndKeptUntilItExpires) {
  fake_->AddToken("exec-token-1", "sso-user", {{"get", "", "configmaps", ""}});
  Answer("\"token\":\"exec-token-1\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"");
  auto client = Client(Kubeconfig(fake_->url(), WritePlugin()));
  ASSERT_TRUE(client) << client.error().ToString();
  for (int i = 0; i < 3; ++i) {
    auto got = (*client)->Get(resources::ConfigMaps(), "ns", "x");
    ASSERT_FALSE(got);
    EXPECT_TRUE(got.error().IsNotFound()) << got.error().ToString();  // authenticated
  }
  EXPECT_EQ(Runs(), 1) << "cached until 2099";
  EXPECT_EQ(fake_->Requests().back().user, "sso-user");

  // An answer that has expired already is asked for again at every request.
  Answer("\"token\":\"exec-token-1\",\"expirationTimestamp\":\"2000-01-01T00:00:00+01:00\"");
  auto expiring = Client(Kubeconfig(fake_->url(), WritePlugin()));
  ASSERT_TRUE(expiring) << expiring.error().ToString();
  const int before = Runs();
  for (int i = 0; i < 2; ++i) EXPECT_FALSE((*expiring)->Get(resources::ConfigMaps(), "ns", "x"));
  EXPECT_EQ(Runs(), before + 2);
}

TEST_F(ExecCredentialTest, A401RunsTheCommandAgainOnce) {
  fake_->AddToken("old-token", "sso-user", {{"get", "", "configmaps", ""}});
  Answer("\"token\":\"old-token\"");  // no expiry: kept until refused
  auto client = Client(Kubeconfig(fake_->url(), WritePlugin()));
  ASSERT_TRUE(client) << client.error().ToString();
  EXPECT_TRUE((*client)->Get(resources::ConfigMaps(), "ns", "x").error().IsNotFound());
  EXPECT_EQ(Runs(), 1);

  // The server revokes it; the command now hands out a new one: one 401, one run, success.
  fake_->RemoveToken("old-token");
  fake_->AddToken("new-token", "sso-user", {{"get", "", "configmaps", ""}});
  Answer("\"token\":\"new-token\"");
  auto got = (*client)->Get(resources::ConfigMaps(), "ns", "x");
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().IsNotFound()) << got.error().ToString();
  EXPECT_EQ(Runs(), 2);

  // A new answer the server refuses as well: one more run, then the 401 is the caller's.
  fake_->RemoveToken("new-token");
  Answer("\"token\":\"refused-token\"");
  got = (*client)->Get(resources::ConfigMaps(), "ns", "x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().http_status, 401) << got.error().ToString();
  EXPECT_EQ(Runs(), 3);
}

TEST_F(ExecCredentialTest, FailingCommandIsNamedWithItsExitCodeAndLastStderrLine) {
  const std::string script = dir_.File("failing.sh");
  WriteFile(script, "#!/bin/sh\necho 'opening browser' >&2\necho 'error: SSO session expired, "
                    "run: sso login' >&2\nexit 3\n");
  ::chmod(script.c_str(), 0755);
  auto client = Client(Kubeconfig(fake_->url(), script));
  ASSERT_FALSE(client);
  const std::string& m = client.error().message;
  EXPECT_EQ(client.error().reason, Reason::kConfig);
  for (const char* part : {"user \"sso\"", "failing.sh", "exit code 3",
                           "error: SSO session expired, run: sso login"})
    EXPECT_NE(m.find(part), std::string::npos) << part << "\n" << m;

  // Output that is not an ExecCredential.
  WriteFile(script, "#!/bin/sh\necho '{\"kind\":\"Pod\"}'\n");
  client = Client(Kubeconfig(fake_->url(), script));
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().message.find("not an ExecCredential"), std::string::npos)
      << client.error().message;
}

TEST_F(ExecCredentialTest, MissingCommandShowsTheInstallHint) {
  auto client = Client(Kubeconfig(fake_->url(), "tidemark-test-no-such-credential-plugin", "",
                                  "      installHint: \"install it with: apt install sso-plugin\"\n"));
  ASSERT_FALSE(client);
  const std::string& m = client.error().message;
  EXPECT_NE(m.find("\"tidemark-test-no-such-credential-plugin\" not found"), std::string::npos)
      << m;
  EXPECT_NE(m.find("install it with: apt install sso-plugin"), std::string::npos) << m;
}

TEST_F(ExecCredentialTest, ClientCertificateOverTls) {
  kube::testing::TestPki pki;
  ASSERT_TRUE(pki.Generate());
  FakeApiServerOptions options;
  options.tls = true;
  options.tls_files = {pki.server_crt, pki.server_key, pki.ca_crt};
  std::string error;
  auto tls_fake = FakeApiServer::Start(options, &error);
  ASSERT_TRUE(tls_fake) << error;
  tls_fake->AllowUser(pki.client_user, {{"get", "", "configmaps", ""}});
  Answer("\"clientCertificateData\":" + JsonString(ReadFile(pki.client_crt)) +
         ",\"clientKeyData\":" + JsonString(ReadFile(pki.client_key)));
  auto client = Client(Kubeconfig(
      tls_fake->url(), WritePlugin(),
      "    certificate-authority-data: " + kube::testing::Base64File(pki.ca_crt) + "\n"));
  ASSERT_TRUE(client) << client.error().ToString();
  auto got = (*client)->Get(resources::ConfigMaps(), "ns", "x");
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().IsNotFound()) << got.error().ToString();
  EXPECT_EQ(tls_fake->Requests().back().user, pki.client_user);  // known by the certificate
  EXPECT_EQ(Runs(), 1);
}

TEST(ExecCredentialParse, AnswersAndTimes) {
  auto ok = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",)"
      R"("status":{"token":"t","expirationTimestamp":"2026-11-28T12:00:00.5Z"}})",
      "client.authentication.k8s.io/v1beta1", "c");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->token, "t");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*ok->expiry), 1795867200);
  auto wrong_version = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}})",
      kV1, "c");
  ASSERT_FALSE(wrong_version);
  EXPECT_NE(wrong_version.error().message.find("asked for"), std::string::npos);
  EXPECT_FALSE(ParseExecCredential(
      std::string(R"({"apiVersion":")") + kV1 + R"(","kind":"ExecCredential","status":{}})", kV1,
      "c"));
  EXPECT_FALSE(ParseExecCredential(std::string(R"({"apiVersion":")") + kV1 +
                                       R"(","kind":"ExecCredential","status":{"token":"t",)"
                                       R"("expirationTimestamp":"tomorrow"}})",
                                   kV1, "c"));
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*ParseRfc3339("2026-11-28T13:00:00+01:00")),
            1795867200);
  EXPECT_FALSE(ParseRfc3339("2026-11-28 12:00:00"));
}

}  // namespace
}  // namespace tidemark::kube
