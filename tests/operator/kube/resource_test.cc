#include "operator/kube/resource.h"

#include <gtest/gtest.h>

#include "operator/kube/api_error.h"

namespace tidemark::kube {
namespace {

TEST(ResourcePath, CoreAndGroupedPaths) {
  EXPECT_EQ(*ObjectPath(resources::ConfigMaps(), "rec", "a-redis-conf"),
            "/api/v1/namespaces/rec/configmaps/a-redis-conf");
  EXPECT_EQ(*ObjectPath(resources::StatefulSets(), "rec", "a-redis", "status"),
            "/apis/apps/v1/namespaces/rec/statefulsets/a-redis/status");
  EXPECT_EQ(*CollectionPath(resources::RedisPersistences(), ""),
            "/apis/tidemark.dev/v1alpha1/redispersistences");
  EXPECT_EQ(*CollectionPath(resources::Leases(), "ops"),
            "/apis/coordination.k8s.io/v1/namespaces/ops/leases");
  ResourceType namespaces{"", "v1", "namespaces", false};
  EXPECT_EQ(*ObjectPath(namespaces, "", "rec"), "/api/v1/namespaces/rec");
}

TEST(ResourcePath, NamesThatWouldWalkTheUrlAreRefused) {
  for (const char* name : {"..", "a/b", "../secrets", "a%2Fb", "A", "a_b", "a?watch=1", "", "-a",
                           "a-", "a..b", ".a"}) {
    auto path = ObjectPath(resources::ConfigMaps(), "rec", name);
    ASSERT_FALSE(path) << name;
    EXPECT_EQ(path.error().reason, Reason::kInvalidName) << name;
  }
  for (const char* ns : {"..", "a.b", "kube/system", "Rec"}) {
    auto path = ObjectPath(resources::ConfigMaps(), ns, "x");
    ASSERT_FALSE(path) << ns;
    EXPECT_EQ(path.error().reason, Reason::kInvalidName);
  }
  EXPECT_FALSE(ObjectPath(resources::ConfigMaps(), "", "x")) << "namespaced needs a namespace";
  EXPECT_FALSE(ObjectPath(resources::ConfigMaps(), "rec", "x", "scale")) << "only status";
}

TEST(ResourcePath, Dns1123Rules) {
  EXPECT_TRUE(IsDns1123Subdomain("a.998z2"));
  EXPECT_TRUE(IsDns1123Subdomain("data-a-redis-0"));
  EXPECT_FALSE(IsDns1123Subdomain("a."));
  EXPECT_FALSE(IsDns1123Subdomain(std::string(254, 'a')));
  EXPECT_TRUE(IsDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(IsDns1123Label(std::string(64, 'a')));
  EXPECT_FALSE(IsDns1123Label("a.b"));
}

TEST(ResourcePath, QueryEscapeEncodesSelectorOperators) {
  EXPECT_EQ(QueryEscape("app=a,tier!=cache"), "app%3Da%2Ctier%21%3Dcache");
  EXPECT_EQ(QueryEscape("x in (a b)"), "x%20in%20%28a%20b%29");
}

TEST(ResourcePath, PodProxyPathTakesOnlyANumericPortAndAPlainPath) {
  EXPECT_EQ(PodProxyPath("shop", "catalog-0", "9121", "/v1/status").value(),
            "/api/v1/namespaces/shop/pods/catalog-0:9121/proxy/v1/status");
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "sidecar", "/v1/status"));  // not resolved
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "0", "/v1/status"));
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "65536", "/v1/status"));
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "9121", "v1/status"));
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "9121", "/v1/../../../secrets"));
  EXPECT_FALSE(PodProxyPath("shop", "catalog-0", "9121", "/v1/status?x=1"));
  EXPECT_FALSE(PodProxyPath("shop", "Catalog", "9121", "/v1/status"));
  EXPECT_EQ(PodProxyPath("shop", "a:1", "9121", "/").error().reason, Reason::kInvalidName);
}

TEST(KubeError, NamesTheResourceAndTheStatus) {
  KubeError e;
  e.reason = Reason::kConflict;
  e.http_status = 409;
  e.status_reason = "Conflict";
  e.message = "the object has been modified";
  e.resource = "statefulsets.apps rec/a-redis";
  e.causes.push_back({"FieldManagerConflict", "conflict with \"x\"", ".spec.replicas"});
  EXPECT_EQ(e.ToString(),
            "statefulsets.apps rec/a-redis: 409 Conflict: the object has been modified; "
            ".spec.replicas: conflict with \"x\"");
  EXPECT_TRUE(e.IsConflict());
  EXPECT_FALSE(e.IsRetryable());
  EXPECT_EQ(ReasonFor(409, "AlreadyExists"), Reason::kAlreadyExists);
  EXPECT_EQ(ReasonFor(503, ""), Reason::kServerError);
  EXPECT_EQ(ReasonFor(410, "Gone"), Reason::kExpired);
}

}  // namespace
}  // namespace tidemark::kube
