// TLS for the peer transfer (docs/sidecar.md, "TLS for the peer transfer"): a real replica's
// `run` sidecar serving its peer port over TLS with certificates the test makes with the openssl
// CLI (a CA, a server certificate for "localhost" only, a client certificate, a client
// certificate from another CA). The restore step fetches over https with the token or a client
// certificate; a client certificate from another CA, plain http to the TLS port and a server
// certificate that does not match the name dialled are all refused.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>

#include "sidecar/peer_client.h"
#include "tests/sidecar/replica_set.h"
#include "tests/sidecar/sidecar_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

constexpr char kToken[] = "default/cache:0123456789abcdef0123456789abcdef";

void Sh(const std::string& command) {
  ASSERT_EQ(std::system(("set -e; " + command + " >/dev/null 2>&1").c_str()), 0) << command;
}

// "<dir>/<name>.key" and "<dir>/<name>.pem" signed by "<dir>/<ca>", with `san` (or none).
void MakeCert(const std::string& dir, const std::string& name, const std::string& ca,
              const std::string& san) {
  const std::string p = dir + "/" + name;
  Sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + p +
     ".key -out " + p + ".csr -subj /CN=" + name);
  std::string ext = "basicConstraints=CA:FALSE\n";
  if (!san.empty()) ext += "subjectAltName=" + san + "\n";
  WriteFile(p + ".ext", ext);
  Sh("openssl x509 -req -in " + p + ".csr -CA " + dir + "/" + ca + ".pem -CAkey " + dir + "/" + ca +
     ".key -CAcreateserial -days 2 -out " + p + ".pem -extfile " + p + ".ext");
}

void MakeCa(const std::string& dir, const std::string& name) {
  Sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + dir +
     "/" + name + ".key -out " + dir + "/" + name + ".pem -days 2 -subj /CN=" + name);
}

class PeerTls : public ::testing::Test {
 protected:
  PeerTls() : set_(tmp_.path(), 1), port_(FreePort()), main_port_(FreePort()) {}

  void SetUp() override {
    // An in-process client writing to a server that already closed must not kill the test.
    ::signal(SIGPIPE, SIG_IGN);
    const std::string d = tmp_.path();
    MakeCa(d, "ca");
    MakeCa(d, "other-ca");
    MakeCert(d, "server", "ca", "DNS:localhost");
    MakeCert(d, "client", "ca", "");
    MakeCert(d, "intruder", "other-ca", "");
    WriteFile(tmp_.File("token"), std::string(kToken) + "\n");
    ::mkdir(tmp_.File("store").c_str(), 0755);
    ::mkdir(tmp_.File("pod0").c_str(), 0755);
    std::string cmds;
    for (int i = 0; i < 500; ++i) cmds += "SET k:" + std::to_string(i) + " v\n";
    set_.primary().Pipe(cmds);
    ASSERT_TRUE(set_.WaitSynced());
    replica_ = std::make_unique<RunningSidecar>(
        std::vector<std::string>{"--redis", "unix:" + set_.replica(0).socket(), "--store",
                                 tmp_.File("store"), "--listen",
                                 "127.0.0.1:" + std::to_string(main_port_), "--peer-listen",
                                 "127.0.0.1:" + std::to_string(port_), "--peer-token-file",
                                 tmp_.File("token"), "--peer-tls-cert", tmp_.File("server.pem"),
                                 "--peer-tls-key", tmp_.File("server.key"), "--peer-tls-ca",
                                 tmp_.File("ca.pem")},
        tmp_.File("replica-sidecar.log"));
    ASSERT_TRUE(WaitFor([&] { return replica_->Log().find("peer port listening") != std::string::npos; },
                        20000))
        << replica_->Log();
  }

  std::string Url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_);
  }
  sidecar::PeerCallOptions Call(const std::string& client, bool token) const {
    sidecar::PeerCallOptions o;
    if (token) o.token = kToken;
    o.tls = sidecar::PeerTlsFiles{client.empty() ? "" : tmp_.File(client + ".pem"),
                                  client.empty() ? "" : tmp_.File(client + ".key"), tmp_.File("ca.pem")};
    return o;
  }
  // An empty pod 0 restored from the replica over TLS with `extra` flags.
  SidecarRun Restore(const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args = {"restore", "--data-dir", tmp_.File("pod0"), "--store",
                                     tmp_.File("store"), "--peers", url, "--peer-attempts", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSidecar(args);
  }
  void ExpectPod0HoldsTheReplicasData(const SidecarRun& restore) {
    ASSERT_EQ(restore.rc, 0) << restore.out << restore.err;
    ASSERT_TRUE(restore.Logged("\"action\":\"installed-replica-snapshot\"")) << restore.out;
    RedisServer pod0(tmp_.File("pod0"));
    EXPECT_EQ(pod0.Digest(), set_.replica(0).Digest());
    EXPECT_EQ(KeyCount(pod0), 500u);
  }

  TempDir tmp_;
  ReplicaSet set_;
  int port_, main_port_;
  std::unique_ptr<RunningSidecar> replica_;
};

TEST_F(PeerTls, TransferOverTlsWithTheTokenInstallsTheReplicasData) {
  ExpectPod0HoldsTheReplicasData(Restore(
      Url("localhost"), {"--peer-token-file", tmp_.File("token"), "--peer-tls-ca", tmp_.File("ca.pem")}));
  EXPECT_NE(replica_->Log().find("snapshot sent to a peer"), std::string::npos);
}

TEST_F(PeerTls, AClientCertificateOfTheSetsCaIsAcceptedInPlaceOfTheToken) {
  ExpectPod0HoldsTheReplicasData(
      Restore(Url("localhost"), {"--peer-tls-ca", tmp_.File("ca.pem"), "--peer-tls-cert",
                                 tmp_.File("client.pem"), "--peer-tls-key", tmp_.File("client.key")}));
  EXPECT_NE(replica_->Log().find("snapshot requested with a client certificate"), std::string::npos)
      << replica_->Log();
  EXPECT_NE(replica_->Log().find("CN=client"), std::string::npos);
}

TEST_F(PeerTls, NeitherTokenNorClientCertificateIs401AndNoSnapshotIsTaken) {
  auto peer = sidecar::ParsePeerUrl(Url("localhost"));
  ASSERT_TRUE(peer);
  auto refused = sidecar::OpenPeerSnapshot(*peer, Call("", false));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("401"), std::string::npos) << refused.error().ToString();
  // The replication state is no secret (the ranking reads it): served over TLS without either.
  auto state = sidecar::FetchPeerReplication(*peer, Call("", false));
  ASSERT_TRUE(state) << state.error().ToString();
  EXPECT_EQ(state->role, "slave");
  EXPECT_EQ(InfoField(set_.replica(0), "persistence", "rdb_saves"), "0");
}

TEST_F(PeerTls, AClientCertificateFromAnotherCaIsRefused) {
  auto peer = sidecar::ParsePeerUrl(Url("localhost"));
  ASSERT_TRUE(peer);
  // Even with the right token: the handshake fails before any request is read.
  auto refused = sidecar::OpenPeerSnapshot(*peer, Call("intruder", true));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(WaitFor([&] { return replica_->Log().find("peer connection refused") != std::string::npos; },
                      10000))
      << replica_->Log();
  EXPECT_NE(replica_->Log().find("certificate"), std::string::npos) << replica_->Log();
  auto restore = Restore(Url("localhost"),
                         {"--peer-tls-ca", tmp_.File("ca.pem"), "--peer-tls-cert",
                          tmp_.File("intruder.pem"), "--peer-tls-key", tmp_.File("intruder.key"),
                          "--allow-empty"});
  EXPECT_FALSE(restore.Logged("\"action\":\"installed-replica-snapshot\"")) << restore.out;
  EXPECT_EQ(InfoField(set_.replica(0), "persistence", "rdb_saves"), "0");
}

TEST_F(PeerTls, PlainHttpToTheTlsPortGetsNoAnswer) {
  auto reply = Http(port_, "GET", "/v1/replication");
  EXPECT_NE(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.find("replication"), std::string::npos) << reply.body;
  auto restore = Restore("http://127.0.0.1:" + std::to_string(port_),
                         {"--peer-token-file", tmp_.File("token"), "--allow-empty"});
  EXPECT_FALSE(restore.Logged("\"action\":\"installed-replica-snapshot\"")) << restore.out;
  // With a peer port, the main port no longer hands out snapshots (TLS would be bypassed).
  auto main = Http(main_port_, "GET", "/v1/snapshot", {"Authorization: Bearer " + std::string(kToken)});
  EXPECT_EQ(main.status, 404) << main.body;
  EXPECT_EQ(InfoField(set_.replica(0), "persistence", "rdb_saves"), "0");
}

TEST_F(PeerTls, AServerCertificateNotMatchingTheNameDialledIsRefusedByTheClient) {
  // The certificate names localhost only; 127.0.0.1 is the same server under another name.
  auto peer = sidecar::ParsePeerUrl(Url("127.0.0.1"));
  ASSERT_TRUE(peer);
  auto refused = sidecar::FetchPeerReplication(*peer, Call("", true));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("mismatch"), std::string::npos) << refused.error().ToString();
  // And a server certificate from another CA, whatever its name: the intruder's, via a CA file
  // that holds only the other CA (the client trusts nothing else).
  sidecar::PeerCallOptions other = Call("", true);
  other.tls->ca = tmp_.File("other-ca.pem");
  auto untrusted = sidecar::FetchPeerReplication(*sidecar::ParsePeerUrl(Url("localhost")), other);
  ASSERT_FALSE(untrusted);
  EXPECT_NE(untrusted.error().message.find("verify"), std::string::npos) << untrusted.error().ToString();
}

TEST_F(PeerTls, HttpsPeersWithoutTheCaAreAUsageError) {
  auto restore = Restore(Url("localhost"), {"--peer-token-file", tmp_.File("token")});
  EXPECT_EQ(restore.rc, 2) << restore.out << restore.err;
  EXPECT_NE(restore.err.find("--peer-tls-ca"), std::string::npos) << restore.err;
  auto run = RunSidecar({"run", "--redis", "unix:" + set_.replica(0).socket(), "--store",
                         tmp_.File("store"), "--peer-tls-cert", tmp_.File("server.pem"),
                         "--peer-tls-key", tmp_.File("server.key")});
  EXPECT_EQ(run.rc, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("--peer-listen"), std::string::npos) << run.err;
  // A key that is not the certificate's is named at start, not at the first connection.
  auto mismatched = RunSidecar({"run", "--redis", "unix:" + set_.replica(0).socket(), "--store",
                                tmp_.File("store"), "--peer-listen", "127.0.0.1:0",
                                "--peer-tls-cert", tmp_.File("server.pem"), "--peer-tls-key",
                                tmp_.File("client.key")});
  EXPECT_EQ(mismatched.rc, 2) << mismatched.out << mismatched.err;
  EXPECT_NE(mismatched.err.find("client.key"), std::string::npos) << mismatched.err;
}

}  // namespace
}  // namespace tidemark::testing
