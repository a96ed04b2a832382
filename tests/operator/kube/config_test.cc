#include "operator/kube/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "tests/operator/kube/test_pki.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::kube {
namespace {

using tidemark::testing::ReadFile;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFile;

std::string Kubeconfig(const std::string& cluster_extra, const std::string& user) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
         "clusters:\n"
         "- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\n" +
         cluster_extra +
         "- name: dev\n  cluster:\n    server: https://127.0.0.1:7443/\n"
         "contexts:\n"
         "- name: main\n  context:\n    cluster: prod\n    user: op\n    namespace: tidemark\n"
         "- name: other\n  context:\n    cluster: dev\n    user: op\n"
         "users:\n"
         "- name: op\n  user:\n" +
         user;
}

TEST(Kubeconfig, CurrentContextWithTokenAndCaData) {
  auto config = ParseKubeconfig(Kubeconfig("    certificate-authority-data: " +
                                               std::string("LS0tLS1CRUdJTi0tLS0tCg==") + "\n",
                                           "    token: abc.def\n"),
                                "/nowhere");
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->server, "https://10.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "-----BEGIN-----\n");
  EXPECT_EQ(config->default_namespace, "tidemark");
  ASSERT_TRUE(config->token);
  EXPECT_EQ(*config->token->Token(), "abc.def");
  EXPECT_TRUE(config->client_cert_pem.empty());
}

TEST(Kubeconfig, NamedContextAndMissingOnes) {
  auto config = ParseKubeconfig(Kubeconfig("", "    token: t\n"), "/x", {"other", false});
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->server, "https://127.0.0.1:7443");
  EXPECT_EQ(config->default_namespace, "default");
  auto missing = ParseKubeconfig(Kubeconfig("", "    token: t\n"), "/x", {"nope", false});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, Reason::kConfig);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
}

TEST(Kubeconfig, ClientCertificateAndKeyFromDataAndFiles) {
  kube::testing::TestPki pki;
  ASSERT_TRUE(pki.Generate());
  std::string user = "    client-certificate-data: " + kube::testing::Base64File(pki.client_crt) +
                     "\n    client-key-data: " + kube::testing::Base64File(pki.client_key) + "\n";
  auto config = ParseKubeconfig(
      Kubeconfig("    certificate-authority-data: " + kube::testing::Base64File(pki.ca_crt) + "\n",
                 user),
      "/x");
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->client_cert_pem, ReadFile(pki.client_crt));
  EXPECT_EQ(config->client_key_pem, ReadFile(pki.client_key));
  EXPECT_EQ(config->ca_pem, ReadFile(pki.ca_crt));
  EXPECT_FALSE(config->token);

  // Files, relative to the kubeconfig's directory.
  WriteFile(pki.dir.File("kubeconfig"),
            Kubeconfig("    certificate-authority: ca.crt\n",
                       "    client-certificate: client.crt\n    client-key: client.key\n"));
  auto from_file = LoadKubeconfig(pki.dir.File("kubeconfig"));
  ASSERT_TRUE(from_file) << from_file.error().ToString();
  EXPECT_EQ(from_file->client_cert_pem, ReadFile(pki.client_crt));
  EXPECT_EQ(from_file->ca_pem, ReadFile(pki.ca_crt));

  auto half = ParseKubeconfig(Kubeconfig("", "    client-certificate-data: " +
                                                 kube::testing::Base64File(pki.client_crt) + "\n"),
                              "/x");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("needs its key"), std::string::npos);
}

TEST(Kubeconfig, InsecureSkipVerifyIsRefusedUnlessAllowed) {
  std::string text = Kubeconfig("    insecure-skip-tls-verify: true\n", "    token: t\n");
  auto refused = ParseKubeconfig(text, "/x");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("always verifies TLS"), std::string::npos);
  EXPECT_TRUE(ParseKubeconfig(text, "/x", {"", true}));
}

TEST(Kubeconfig, PlainHttpOnlyToLoopbackAndNoExecPlugins) {
  std::string http =
      "apiVersion: v1\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n"
      "    server: http://10.0.0.1:8080\ncontexts:\n- name: c\n  context:\n"
      "    cluster: k\n";
  EXPECT_FALSE(ParseKubeconfig(http, "/x"));
  std::string loop = http;
  loop.replace(loop.find("10.0.0.1"), 8, "127.0.0.1");
  EXPECT_TRUE(ParseKubeconfig(loop, "/x"));
  // exec: what kubectl checks before running anything (exec_credential_test.cc runs commands).
  auto exec = ParseKubeconfig(Kubeconfig("", "    exec:\n      command: aws\n"), "/x");
  ASSERT_FALSE(exec);
  EXPECT_NE(exec.error().message.find("apiVersion"), std::string::npos) << exec.error().message;
  exec = ParseKubeconfig(Kubeconfig("", "    exec:\n      command: aws\n      apiVersion: "
                                        "client.authentication.k8s.io/v1\n"),
                         "/x");
  ASSERT_FALSE(exec);
  EXPECT_NE(exec.error().message.find("interactiveMode must be set"), std::string::npos);
  exec = ParseKubeconfig(Kubeconfig("", "    exec:\n      command: bin/get-token\n      apiVersion: "
                                        "client.authentication.k8s.io/v1beta1\n"),
                         "/x");
  ASSERT_TRUE(exec) << exec.error().ToString();  // nothing runs until a token is needed
  EXPECT_TRUE(exec->exec);
  // auth-provider: oidc's id-token is the bearer token; the removed providers name their
  // replacements.
  auto oidc = ParseKubeconfig(Kubeconfig("", "    auth-provider:\n      name: oidc\n      config:\n"
                                             "        id-token: eyJ.oidc.token\n"),
                              "/x");
  ASSERT_TRUE(oidc) << oidc.error().ToString();
  EXPECT_EQ(*oidc->token->Token(), "eyJ.oidc.token");
  auto no_id = ParseKubeconfig(Kubeconfig("", "    auth-provider:\n      name: oidc\n      config:\n"
                                              "        refresh-token: r\n"),
                               "/x");
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("refreshing from the identity provider is not supported"),
            std::string::npos);
  for (auto [name, replacement] : {std::pair{"gcp", "gke-gcloud-auth-plugin"},
                                   std::pair{"azure", "kubelogin"}}) {
    auto gone = ParseKubeconfig(
        Kubeconfig("", std::string("    auth-provider:\n      name: ") + name + "\n"), "/x");
    ASSERT_FALSE(gone) << name;
    EXPECT_NE(gone.error().message.find(replacement), std::string::npos) << gone.error().message;
  }
  EXPECT_FALSE(ParseKubeconfig("[not, a, map]", "/x"));
  EXPECT_FALSE(ParseKubeconfig(Kubeconfig("    certificate-authority-data: '***'\n", ""), "/x"));
}

TEST(Kubeconfig, CredentialFilesMustBeRegularFilesOfSaneSize) {
  TempDir dir;
  // /dev/zero would never end and a FIFO would block forever: both are refused by name.
  auto zero = ParseKubeconfig(Kubeconfig("    certificate-authority: /dev/zero\n", "    token: t\n"),
                              dir.path());
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("/dev/zero is not a regular file"), std::string::npos)
      << zero.error().message;
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  auto fifo = ParseKubeconfig(Kubeconfig("    certificate-authority: fifo\n", "    token: t\n"),
                              dir.path());
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().message.find("is not a regular file"), std::string::npos);
  WriteFile(dir.File("huge.crt"), std::string((4 << 20) + 1, 'x'));
  auto huge = ParseKubeconfig(Kubeconfig("    certificate-authority: huge.crt\n", "    token: t\n"),
                              dir.path());
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("larger than 4 MiB"), std::string::npos);
}

TEST(InCluster, ServiceAccountFilesAndEnvironment) {
  TempDir dir;
  InClusterPaths paths{dir.File("token"), dir.File("ca.crt"), dir.File("namespace")};
  WriteFile(paths.token_file, "token-1\n");
  WriteFile(paths.ca_file, "CA");
  WriteFile(paths.namespace_file, "tidemark-system");
  std::map<std::string, std::string> env{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                         {"KUBERNETES_SERVICE_PORT", "443"}};
  auto getenv = [&env](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto config = LoadInClusterConfig(getenv, paths);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, "CA");
  EXPECT_EQ(config->default_namespace, "tidemark-system");
  EXPECT_EQ(*config->token->Token(), "token-1");

  // The kubelet rotates the token by replacing the file: the next request sees the new one.
  WriteFile(paths.token_file + ".new", "token-2-longer\n");
  ASSERT_EQ(::rename((paths.token_file + ".new").c_str(), paths.token_file.c_str()), 0);
  EXPECT_EQ(*config->token->Token(), "token-2-longer");

  env.erase("KUBERNETES_SERVICE_PORT");
  EXPECT_FALSE(LoadInClusterConfig(getenv, paths));
  env["KUBERNETES_SERVICE_PORT"] = "443";
  ::unlink(paths.ca_file.c_str());
  EXPECT_FALSE(LoadInClusterConfig(getenv, paths));
}

}  // namespace
}  // namespace tidemark::kube
