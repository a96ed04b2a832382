// The set's peer objects against the fake API server (operator/reconcile/peer_objects.h): the
// token Secret is created once, from fresh random bytes, and kept as it is on every later pass
// (same resourceVersion, same data) whatever the spec does; a deleted one comes back with a new
// token; the NetworkPolicy opens Redis's port and the sidecar's main port to every source and
// the sidecars' peer port only to the set's pods, where the peers' URLs point.
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include <cpprest/asyncrt_utils.h>

#include "tests/operator/controller/operator_fixture.h"

namespace tidemark::controller {
namespace {

// "shop/cache:" and 64 lowercase hex digits. Not std::regex: under AddressSanitizer GCC 12 warns
// (maybe-uninitialized) inside libstdc++'s regex compiler, and warnings are errors.
bool IsPeerToken(const std::string& token) {
  const std::string prefix = "shop/cache:";
  if (token.size() != prefix.size() + 64 || token.compare(0, prefix.size(), prefix) != 0) return false;
  return token.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
}

const char kSecret[] = "/api/v1/namespaces/shop/secrets/cache-peer-token";
const char kPolicy[] = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/cache-sidecar";

class PeerObjectsTest : public OperatorTest {
 protected:
  void ApplyCache(int replicas) {
    ApplyYaml("cache",
              "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: cache\n"
              "spec:\n  mode: rdb\n  workload:\n    replicas: " +
                  std::to_string(replicas) + "\n  storage:\n    data: {size: 1Gi}\n");
  }
  static std::string Token(const Json& secret) {
    auto bytes = utility::conversions::from_base64(secret.at("data").at("token").as_string());
    return std::string(bytes.begin(), bytes.end());
  }
  static std::string Version(const Json& o) {
    return o.at("metadata").at("resourceVersion").as_string();
  }
  std::string RpUid() { return Get(std::string(kRp) + "cache").at("metadata").at("uid").as_string(); }
  int64_t ObservedGeneration() {
    Json rp = Get(std::string(kRp) + "cache");
    return rp.has_field("status") && rp.at("status").has_field("observedGeneration")
               ? rp.at("status").at("observedGeneration").as_number().to_int64()
               : 0;
  }
};

TEST_F(PeerObjectsTest, TheTokenSecretIsCreatedOnceAndNeverRotated) {
  ApplyCache(3);
  auto op = StartOperator(Args({"--resync-period=0.2"}));
  ASSERT_TRUE(WaitFor([&] { return OwnedBy(Get(kSecret), RpUid()); }, std::chrono::seconds(20)))
      << op->Log();
  const Json first = Get(kSecret);
  const std::string token = Token(first);
  EXPECT_TRUE(IsPeerToken(token)) << token;
  EXPECT_EQ(first.at("type").as_string(), "Opaque");

  // Passes go on (resync every 0.2 s), the spec changes twice (a live change and a scale): the
  // Secret stays exactly as created.
  ApplyCache(5);
  ASSERT_TRUE(WaitFor([&] { return ObservedGeneration() == 2; }, std::chrono::seconds(20)))
      << op->Log();
  ApplyCache(2);
  ASSERT_TRUE(WaitFor([&] { return ObservedGeneration() == 3; }, std::chrono::seconds(20)))
      << op->Log();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a few more resyncs
  const Json later = Get(kSecret);
  EXPECT_EQ(Version(later), Version(first));
  EXPECT_EQ(Token(later), token);
  int writes = 0;
  for (const auto& r : OperatorRequests())
    if (r.resource == "secrets" && r.verb != "get") ++writes;
  EXPECT_EQ(writes, 1) << "one create, nothing else";

  // Deleted by hand (to rotate it): the next pass makes a new one, with a new token.
  ASSERT_EQ(Call("DELETE", kSecret).status, 200);
  ASSERT_TRUE(WaitFor([&] { return Get(kSecret).is_object(); }, std::chrono::seconds(20)))
      << op->Log();
  EXPECT_NE(Token(Get(kSecret)), token);
  EXPECT_TRUE(IsPeerToken(Token(Get(kSecret))));
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

TEST_F(PeerObjectsTest, TheNetworkPolicyFencesOnlyThePeerPort) {
  ApplyCache(3);
  auto op = StartOperator(Args({"--resync-period=0.3"}));
  // The StatefulSet is applied after the policy in the same pass: wait for both.
  const std::string kSts = "/apis/apps/v1/namespaces/shop/statefulsets/cache";
  ASSERT_TRUE(WaitFor([&] { return OwnedBy(Get(kPolicy), RpUid()) && Get(kSts).is_object(); },
                      std::chrono::seconds(20)))
      << op->Log();
  const std::string set_selector =
      R"({"matchLabels":{"app.kubernetes.io/instance":"cache","app.kubernetes.io/name":"redis"}})";
  const Json spec = Get(kPolicy).at("spec");
  EXPECT_EQ(spec.at("podSelector").serialize(), set_selector);
  EXPECT_EQ(spec.at("policyTypes").serialize(), R"(["Ingress"])");
  const auto& rules = spec.at("ingress").as_array();
  ASSERT_EQ(rules.size(), 2u);
  // Redis and the sidecar's main port (the operator, Prometheus, the API server's pod proxy for
  // kubectl tidemark): every source, no "from".
  EXPECT_FALSE(rules.at(0).has_field("from"));
  EXPECT_EQ(rules.at(0).at("ports").serialize(),
            R"([{"port":6379,"protocol":"TCP"},{"port":9121,"protocol":"TCP"}])");
  // The peer port: the set's own pods only.
  EXPECT_EQ(rules.at(1).at("ports").serialize(), R"([{"port":9122,"protocol":"TCP"}])");
  EXPECT_EQ(rules.at(1).at("from").serialize(), "[{\"podSelector\":" + set_selector + "}]");

  // The peers' URLs (pod 0's restore step) go to that port, which the sidecars listen on.
  const Json config = Get("/api/v1/namespaces/shop/configmaps/cache-persistence");
  ASSERT_TRUE(config.is_object()) << op->Log();
  EXPECT_EQ(config.at("data").at("peers").as_string(),
            "http://cache-1.cache-headless.shop.svc:9122,http://cache-2.cache-headless.shop.svc:9122");
  const Json sts = Get(kSts);
  ASSERT_TRUE(sts.is_object()) << op->Log();
  bool listens = false, port_named = false;
  for (const auto& c : sts.at("spec").at("template").at("spec").at("containers").as_array()) {
    if (c.at("name").as_string() != "sidecar") continue;
    const std::string args = c.at("args").serialize();
    listens = args.find(R"("--peer-listen","0.0.0.0:9122")") != std::string::npos;
    port_named = c.at("ports").serialize().find(R"("containerPort":9122,"name":"peer")") !=
                 std::string::npos;
  }
  EXPECT_TRUE(listens);
  EXPECT_TRUE(port_named) << sts.serialize();

  // Tampered with (the peer port opened to everyone): the operator puts it back.
  auto r = Call("PATCH", std::string(kPolicy) + "?fieldManager=kubectl",
                R"({"spec":{"ingress":[{"ports":[{"port":6379,"protocol":"TCP"},{"port":9121,"protocol":"TCP"}]},{"ports":[{"port":9122,"protocol":"TCP"}]}]}})",
                "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitFor(
      [&] {
        Json p = Get(kPolicy);
        return p.is_object() && p.at("spec").at("ingress").as_array().at(1).has_field("from");
      },
      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

TEST_F(PeerObjectsTest, NoNetworkPolicyWhenSwitchedOff) {
  ApplyCache(2);
  auto op = StartOperator(Args({"--resync-period=0.3", "--network-policy=false"}));
  ASSERT_TRUE(WaitFor([&] { return ObservedGeneration() == 1; }, std::chrono::seconds(20)))
      << op->Log();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a few more resyncs
  EXPECT_FALSE(Get(kPolicy).is_object());
  for (const auto& req : OperatorRequests()) {
    if (req.resource != "networkpolicies") continue;
    EXPECT_TRUE(req.verb == "list" || req.verb == "watch" || req.verb == "get")
        << req.verb << " with the policy switched off";
  }
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

}  // namespace
}  // namespace tidemark::controller
