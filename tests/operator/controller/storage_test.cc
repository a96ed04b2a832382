// Storage growth against the fake API server: a larger size expands the bound claims whose
// StorageClass allows it (and says why not otherwise), a smaller size is refused, and new claim
// templates re-create the StatefulSet with propagationPolicy=Orphan, never deleting a pod or a
// claim. The fake has no garbage collector (nor has the recorded real server): the test plays it.
#include <chrono>
#include <string>

#include "tests/operator/controller/operator_fixture.h"

namespace tidemark::controller {
namespace {

const char kSts[] = "/apis/apps/v1/namespaces/shop/statefulsets/cache";
const char kClaim[] = "/api/v1/namespaces/shop/persistentvolumeclaims/data-cache-0";
const char kPod[] = "/api/v1/namespaces/shop/pods/cache-0";
const char kClasses[] = "/apis/storage.k8s.io/v1/storageclasses";

class StorageTest : public OperatorTest {
 protected:
  void ApplyCache(const std::string& size, const std::string& storage_class) {
    ApplyYaml("cache",
              "apiVersion: tidemark.dev/v1alpha1\nkind: RedisPersistence\nmetadata:\n  name: cache\n"
              "spec:\n  mode: rdb\n  storage:\n    data: {size: " +
                  size + ", storageClassName: " + storage_class + "}\n");
  }
  void AddClass(const std::string& name, bool expandable) {
    auto r = Call("POST", kClasses,
                  R"({"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":")" +
                      name + R"("},"provisioner":"example.com/csi","allowVolumeExpansion":)" +
                      (expandable ? "true" : "false") + "}",
                  "application/json");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::string ClaimSize() {
    Json c = Get(kClaim);
    return c.is_object() ? c.at("spec").at("resources").at("requests").at("storage").as_string()
                         : "";
  }
  Json Degraded() { return Condition(Get(std::string(kRp) + "cache"), "Degraded"); }
  bool DegradedIs(const std::string& status, const std::string& reason) {
    Json d = Degraded();
    return d.is_object() && d.at("status").as_string() == status &&
           d.at("reason").as_string() == reason;
  }
};

TEST_F(StorageTest, ClaimsGrowWhereTheClassAllowsNeverShrinkAndNewTemplatesOrphanThePods) {
  AddClass("fixed", false);
  AddClass("standard", true);
  ApplyCache("1Gi", "fixed");
  auto op = StartOperator(Args({"--resync-period=0.3"}));
  ASSERT_TRUE(WaitFor([&] { return Get(kSts).is_object(); }, std::chrono::seconds(20)))
      << op->Log();
  const Json sts = Get(kSts);
  const std::string sts_uid = sts.at("metadata").at("uid").as_string();

  // What the StatefulSet controller and a provisioner would have made: pod 0 (owned by the
  // StatefulSet) and its bound claim (owned by nobody, carrying the selector labels).
  auto pod = Call("POST", "/api/v1/namespaces/shop/pods",
                  R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"cache-0","labels":{"app.kubernetes.io/name":"redis","app.kubernetes.io/instance":"cache"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"cache","uid":")" +
                      sts_uid +
                      R"(","controller":true,"blockOwnerDeletion":true}]},"spec":{"containers":[{"name":"redis","image":"redis:7.0"}]}})",
                  "application/json");
  ASSERT_EQ(pod.status, 201) << pod.body;
  auto claim = Call("POST", "/api/v1/namespaces/shop/persistentvolumeclaims",
                    R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data-cache-0","labels":{"app.kubernetes.io/name":"redis","app.kubernetes.io/instance":"cache"}},"spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"fixed","resources":{"requests":{"storage":"1Gi"}}}})",
                    "application/json");
  ASSERT_EQ(claim.status, 201) << claim.body;
  ASSERT_EQ(Call("PATCH", std::string(kClaim) + "/status", R"({"status":{"phase":"Bound"}})",
                 "application/merge-patch+json")
                .status,
            200);

  // Larger, on a class that cannot expand: the claim stays, Degraded says why.
  ApplyCache("2Gi", "fixed");
  ASSERT_TRUE(WaitFor([&] { return DegradedIs("True", "VolumeResizeBlocked"); },
                      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_NE(Degraded().at("message").as_string().find(
                "StorageClass fixed does not allow volume expansion"),
            std::string::npos)
      << Degraded().serialize();
  EXPECT_EQ(ClaimSize(), "1Gi");
  EXPECT_EQ(AwaitEvents("cache", "VolumeResizeBlocked", "Warning", 1), 1);

  // The class is made expandable: the claim grows; the StatefulSet keeps its template.
  ASSERT_EQ(Call("PATCH", std::string(kClasses) + "/fixed", R"({"allowVolumeExpansion":true})",
                 "application/merge-patch+json")
                .status,
            200);
  ASSERT_TRUE(WaitFor([&] { return ClaimSize() == "2Gi" && DegradedIs("False", "AsExpected"); },
                      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_EQ(AwaitEvents("cache", "ExpandingVolume", "Normal", 1), 1);
  EXPECT_EQ(Get(kSts).at("metadata").at("uid").as_string(), sts_uid);

  // Smaller: refused, the claim keeps its size.
  ApplyCache("1Gi", "fixed");
  ASSERT_TRUE(WaitFor([&] { return DegradedIs("True", "VolumeResizeBlocked"); },
                      std::chrono::seconds(20)))
      << op->Log();
  EXPECT_NE(Degraded().at("message").as_string().find("claims never shrink"), std::string::npos);
  EXPECT_EQ(ClaimSize(), "2Gi");

  // Another class: new claim templates. The StatefulSet is deleted orphaning its pods.
  ApplyCache("2Gi", "standard");
  ASSERT_TRUE(WaitFor(
      [&] {
        Json s = Get(kSts);
        return s.is_object() && s.at("metadata").has_field("deletionTimestamp");
      },
      std::chrono::seconds(20)))
      << op->Log();
  Json marked = Get(kSts);
  ASSERT_EQ(marked.at("metadata").at("finalizers").size(), 1u);
  EXPECT_EQ(marked.at("metadata").at("finalizers").at(0).as_string(), "orphan");
  EXPECT_EQ(AwaitEvents("cache", "ReplacingStatefulSet", "Normal", 1), 1);
  // The garbage collector's part: the pod loses its owner, then the finalizer goes.
  ASSERT_EQ(Call("PATCH", kPod, R"({"metadata":{"ownerReferences":null}})",
                 "application/merge-patch+json")
                .status,
            200);
  ASSERT_EQ(Call("PATCH", kSts, R"({"metadata":{"finalizers":null}})",
                 "application/merge-patch+json")
                .status,
            200);
  // The operator creates the new StatefulSet; the pod and the claim are still there.
  ASSERT_TRUE(WaitFor(
      [&] {
        Json s = Get(kSts);
        return s.is_object() && s.at("metadata").at("uid").as_string() != sts_uid;
      },
      std::chrono::seconds(20)))
      << op->Log();
  Json fresh = Get(kSts);
  EXPECT_EQ(fresh.at("spec")
                .at("volumeClaimTemplates")
                .at(0)
                .at("spec")
                .at("storageClassName")
                .as_string(),
            "standard");
  EXPECT_TRUE(Get(kPod).is_object());
  EXPECT_EQ(ClaimSize(), "2Gi");
  EXPECT_EQ(op->Terminate(), 0) << op->Log();
}

}  // namespace
}  // namespace tidemark::controller
