#include "core/policy/quantity.h"

#include <gtest/gtest.h>

#include <regex>

namespace tidemark::policy {
namespace {

TEST(ByteQuantity, ConvertsBinaryDecimalAndPlainSuffixes) {
  EXPECT_EQ(ParseByteQuantity("0").value(), 0);
  EXPECT_EQ(ParseByteQuantity("1048576").value(), 1048576);
  EXPECT_EQ(ParseByteQuantity("1Ki").value(), 1024);
  EXPECT_EQ(ParseByteQuantity("64Mi").value(), 64LL << 20);
  EXPECT_EQ(ParseByteQuantity("1Gi").value(), 1LL << 30);
  EXPECT_EQ(ParseByteQuantity("2Ti").value(), 2LL << 40);
  EXPECT_EQ(ParseByteQuantity("1Ei").value(), 1LL << 60);
  EXPECT_EQ(ParseByteQuantity("1k").value(), 1000);
  EXPECT_EQ(ParseByteQuantity("5M").value(), 5000000);
  EXPECT_EQ(ParseByteQuantity("3G").value(), 3000000000LL);
  EXPECT_EQ(ParseByteQuantity("1.5Gi").value(), 1610612736);
  EXPECT_EQ(ParseByteQuantity("0.5k").value(), 500);
  EXPECT_EQ(ParseByteQuantity("7E").value(), 7000000000000000000LL);
}

TEST(ByteQuantity, RefusesWhatIsNotAByteCount) {
  for (const char* bad : {"", "Mi", "64mb", "64MB", "100m", "1e3", "-1", "+1", "1.", ".5", "1 Gi",
                          "1Gi ", "0x10", "1.5.2"}) {
    auto r = ParseByteQuantity(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "must be a byte quantity such as 64Mi, 1Gi or 1048576") << bad;
  }
  EXPECT_EQ(ParseByteQuantity("1.1").error().message, "must be a whole number of bytes");
  EXPECT_EQ(ParseByteQuantity("0.1Ki").error().message, "must be a whole number of bytes");
  EXPECT_EQ(ParseByteQuantity("8Ei").error().message, "is too large");
  EXPECT_EQ(ParseByteQuantity("99999999999999999999").error().message, "is too large");
  EXPECT_EQ(ParseByteQuantity("9223372036854775807").value(), INT64_MAX);
}

TEST(ByteQuantity, CrdPatternAcceptsExactlyTheGrammar) {
  const std::regex pattern{std::string(kByteQuantityPattern)};
  for (const char* s : {"0", "64Mi", "1.5Gi", "1k", "1048576", "64mb", "100m", "1e3", "1.", ""}) {
    bool syntax_ok =
        ParseByteQuantity(s) || ParseByteQuantity(s).error().message !=
                                    "must be a byte quantity such as 64Mi, 1Gi or 1048576";
    EXPECT_EQ(std::regex_search(std::string(s), pattern), syntax_ok) << s;
  }
}

TEST(Quantity, AcceptsKubernetesResourceQuantities) {
  for (const char* s : {"500m", "2", "1.5", "1Gi", "512Mi", "1e3", "+1", ".5", "100n"})
    EXPECT_TRUE(IsQuantity(s)) << s;
  for (const char* s : {"", "lots", "1 Gi", "1GB", "Gi", "1.2.3"}) EXPECT_FALSE(IsQuantity(s)) << s;
}

}  // namespace
}  // namespace tidemark::policy
