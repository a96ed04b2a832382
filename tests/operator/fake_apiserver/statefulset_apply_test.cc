// Server-side apply of a StatefulSet on the fake, as on kube-apiserver: the merged object is
// defaulted before it is validated, so re-applying an unchanged StatefulSet is a no-op (not a
// 422 for "changed" claim templates that only lack the server's defaults), a pod template change
// is accepted, and a claim template change is still forbidden. A DELETE with
// propagationPolicy=Orphan leaves the object marked with the "orphan" finalizer for the garbage
// collector.
#include <gtest/gtest.h>

#include "tests/operator/fake_apiserver/in_memory_fake.h"
#include "tests/operator/fake_apiserver/json_ops.h"

namespace tidemark::fake {
namespace {

const char kPath[] = "/apis/apps/v1/namespaces/shop/statefulsets/catalog";

std::string StatefulSet(const std::string& annotation, const std::string& size) {
  return R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"catalog"},
    "spec":{"serviceName":"catalog-headless","replicas":1,
      "selector":{"matchLabels":{"app":"catalog"}},
      "template":{"metadata":{"labels":{"app":"catalog"},"annotations":{"hash":")" +
         annotation + R"("}},
        "spec":{"containers":[{"name":"redis","image":"redis:7.0.15"}]}},
      "volumeClaimTemplates":[{"apiVersion":"v1","kind":"PersistentVolumeClaim",
        "metadata":{"name":"data"},
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":")" +
         size + R"("}}}}]}})";
}

class StatefulSetApplyTest : public InMemoryFakeTest {
 protected:
  FakeResponse Apply(const std::string& body) {
    return Send("PATCH", std::string(kPath) + "?fieldManager=tidemark-operator",
                "application/apply-patch+yaml", body);
  }
  static Json Body(const FakeResponse& r) { return Json::parse(r.body); }
  static std::string Rv(const Json& o) {
    return o.at("metadata").at("resourceVersion").as_string();
  }
  static int64_t Generation(const Json& o) {
    return o.at("metadata").at("generation").as_number().to_int64();
  }
};

TEST_F(StatefulSetApplyTest, ReapplyingAnUnchangedStatefulSetIsANoOp) {
  auto created = Apply(StatefulSet("a", "1Gi"));
  ASSERT_EQ(created.status, 201) << created.body;
  // The stored claim template carries the server's defaults the applied one does not.
  Json stored = Body(created);
  const Json& claim = stored.at("spec").at("volumeClaimTemplates").at(0);
  EXPECT_EQ(claim.at("spec").at("volumeMode").as_string(), "Filesystem");
  EXPECT_EQ(claim.at("status").at("phase").as_string(), "Pending");

  auto again = Apply(StatefulSet("a", "1Gi"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Rv(Body(again)), Rv(stored));
  EXPECT_EQ(Generation(Body(again)), 1);
}

TEST_F(StatefulSetApplyTest, PodTemplateChangeIsAcceptedClaimTemplateChangeIsForbidden) {
  ASSERT_EQ(Apply(StatefulSet("a", "1Gi")).status, 201);
  auto rolled = Apply(StatefulSet("b", "1Gi"));
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(Generation(Body(rolled)), 2);

  auto grown = Apply(StatefulSet("b", "2Gi"));
  ASSERT_EQ(grown.status, 422) << grown.body;
  Json status = Body(grown);
  EXPECT_EQ(status.at("reason").as_string(), "Invalid");
  EXPECT_NE(status.at("message").as_string().find("updates to statefulset spec for fields other "
                                                  "than 'replicas'"),
            std::string::npos);
}

TEST_F(StatefulSetApplyTest, OrphanDeleteLeavesTheObjectToTheGarbageCollector) {
  ASSERT_EQ(Apply(StatefulSet("a", "1Gi")).status, 201);
  auto deleted = Send("DELETE", std::string(kPath) + "?propagationPolicy=Orphan", "", "");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  Json marked = Body(deleted);
  EXPECT_TRUE(marked.at("metadata").has_field("deletionTimestamp"));
  ASSERT_EQ(marked.at("metadata").at("finalizers").size(), 1u);
  EXPECT_EQ(marked.at("metadata").at("finalizers").at(0).as_string(), "orphan");

  // The same through DeleteOptions in the body; a policy the server does not know is refused.
  auto bad = Send("DELETE", kPath, "application/json",
                  R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Keep"})");
  EXPECT_EQ(bad.status, 400) << bad.body;

  // The collector's last step: the finalizer goes, and with it the object.
  auto done = Send("PATCH", kPath, "application/merge-patch+json",
                   R"({"metadata":{"finalizers":null}})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Send("GET", kPath, "", "").status, 404);
}

}  // namespace
}  // namespace tidemark::fake
