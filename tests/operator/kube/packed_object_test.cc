// The informer cache's packed objects: every text comes back byte for byte, whether LZF
// shrinks it (JSON with repeated keys), cannot (random bytes, a tiny object) or it is empty.
#include "operator/kube/packed_object.h"

#include <gtest/gtest.h>

#include <random>

namespace tidemark::kube {
namespace {

Object Make(std::string json) {
  Object o;
  o.json = std::move(json);
  o.name = "n";
  o.namespace_ = "ns";
  o.uid = "u-1";
  o.resource_version = "42";
  o.generation = 7;
  o.deleting = true;
  o.labels = {{"app", "redis"}};
  return o;
}

void ExpectRoundTrip(const std::string& json) {
  PackedObject packed = Pack(Make(json));
  EXPECT_TRUE(packed.object.json.empty());
  Object back = Unpack(packed);
  EXPECT_EQ(back.json, json);
  EXPECT_EQ(back.name, "n");
  EXPECT_EQ(back.namespace_, "ns");
  EXPECT_EQ(back.uid, "u-1");
  EXPECT_EQ(back.resource_version, "42");
  EXPECT_EQ(back.generation, 7);
  EXPECT_TRUE(back.deleting);
  EXPECT_EQ(back.labels, (std::map<std::string, std::string>{{"app", "redis"}}));
}

TEST(PackedObject, JsonShrinksAndComesBackTheSame) {
  std::string json = "{\"items\":[";
  for (int i = 0; i < 200; ++i)
    json += std::string(i ? "," : "") + "{\"name\":\"redis-" + std::to_string(i) +
            "\",\"labels\":{\"app.kubernetes.io/managed-by\":\"tidemark-operator\"}}";
  json += "]}";
  PackedObject packed = Pack(Make(json));
  EXPECT_EQ(packed.raw_size, json.size());
  EXPECT_LT(packed.packed.size() * 3, json.size()) << "repeated keys pack well";
  ExpectRoundTrip(json);
}

TEST(PackedObject, TextThatDoesNotShrinkIsKeptAsItIs) {
  std::mt19937 random(5);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  PackedObject packed = Pack(Make(noise));
  EXPECT_EQ(packed.raw_size, 0u);
  EXPECT_EQ(packed.packed, noise);
  ExpectRoundTrip(noise);
  ExpectRoundTrip("{}");
  ExpectRoundTrip("");
}

}  // namespace
}  // namespace tidemark::kube
