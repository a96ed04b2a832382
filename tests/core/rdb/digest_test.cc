// The digest's parts that need no server: score text in both Redis formats (known answers from
// Redis's own fpconv_dtoa and glibc's printf), and the refusal of module values.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/digest/dataset_digest.h"
#include "core/digest/score_text.h"
#include "core/rdb/rdb_format.h"
#include "tests/core/rdb/rdb_builder.h"

namespace tidemark {
namespace {

using namespace rdb;
using testing::RdbBuilder;

std::string Text(double d, ScoreFormat f) {
  char buf[32];
  return std::string(buf, FormatScore(d, f, buf));
}

struct Known {
  double value;
  const char* grisu;     // Redis 7.2+ (fpconv_dtoa)
  const char* printf17;  // Redis 7.0 ("%.17g")
};

TEST(ScoreText, MatchesWhatEachRedisVersionPrints) {
  const Known cases[] = {
      {0x0p+0, "0", "0"},
      {-0x0p+0, "-0", "-0"},
      {0x1p+0, "1", "1"},
      {-0x1p+0, "-1", "-1"},
      {0x1.4p+1, "2.5", "2.5"},
      {0x1.999999999999ap-4, "0.1", "0.10000000000000001"},
      {0x1.5555555555555p-2, "0.3333333333333333", "0.33333333333333331"},
      {0x1.7e43c8800759cp+996, "1e+300", "1.0000000000000001e+300"},
      {-0x1.7e43c8800759cp+996, "-1e+300", "-1.0000000000000001e+300"},
      {0x1.b1ae4d6e2ef5p+69, "1e+21", "1e+21"},
      {0x1.b69b4ba630f35p+56, "123456789012345680", "1.2345678901234568e+17"},
      {0x1.ad7f29abcaf48p-24, "1e-7", "9.9999999999999995e-08"},
      {0x1.01f31f46ed246p-13, "0.000123", "0.00012300000000000001"},
      {0x0.0000000000001p-1022, "5e-324", "4.9406564584124654e-324"},
      {0x1.fffffffffffffp+1023, "1.7976931348623157e+308", "1.7976931348623157e+308"},
      {HUGE_VAL, "inf", "inf"},
      {-HUGE_VAL, "-inf", "-inf"},
      {0x1.772p+10, "1500.5", "1500.5"},
      {0x1.5af1d78b58c4p+66, "1e+20", "1e+20"},
      {0x1p+53, "9007199254740992", "9007199254740992"},
      {0x1p-1022, "2.2250738585072014e-308", "2.2250738585072014e-308"},
      {0x1.2d6872p+20, "1234567.125", "1234567.125"},
  };
  for (const Known& k : cases) {
    EXPECT_EQ(Text(k.value, ScoreFormat::kGrisu), k.grisu) << k.printf17;
    EXPECT_EQ(Text(k.value, ScoreFormat::kPrintf17g), k.printf17) << k.printf17;
  }
}

TEST(ScoreText, KeepsGrisu2sDigitsWhereTheyAreNotTheShortest) {
  // Grisu2 sometimes emits one digit more than the shortest round-trip text (1.137885817511645e-45
  // here); Redis hashes what Grisu2 emits, so the digest must too.
  EXPECT_EQ(Text(0x1.9fc16835678f4p-150, ScoreFormat::kGrisu), "1.1378858175116449e-45");
  EXPECT_EQ(Text(0x1.996a744902107p-78, ScoreFormat::kGrisu), "5.2915756676873294e-24");
  EXPECT_EQ(Text(0x1.f12c7df6778a8p-42, ScoreFormat::kGrisu), "4.4157903737059477e-13");
}

TEST(DatasetDigest, AModuleValueIsAClearErrorNotANumber) {
  const uint64_t id = testing::ModuleTypeId("ReJSON-RL", 3);
  RdbBuilder b(10);
  b.Op(kTypeString).Str("s").Str("v");
  b.Op(kTypeModule2).Str("doc").Op(0x81).Le(__builtin_bswap64(id), 8).Len(kModuleOpString).Str("{}").Len(kModuleOpEof);
  auto bytes = b.Finish();
  SpanSource verify_src(bytes), digest_src(bytes);
  ASSERT_TRUE(VerifyRdb(verify_src, RdbVerifyOptions{.name = "m.rdb"}).valid()) << "the file itself is fine";
  RdbDigestResult r = DigestRdb(digest_src, RdbVerifyOptions{.name = "m.rdb"}, DigestOptions{});
  ASSERT_FALSE(r.report.valid());
  EXPECT_EQ(r.report.error->code, ErrorCode::kUnsupported);
  EXPECT_EQ(r.report.error->where, "m.rdb");
  const std::string& m = r.report.error->message;
  EXPECT_NE(m.find("key 'doc'"), std::string::npos) << m;
  EXPECT_NE(m.find("ReJSON-RL"), std::string::npos) << m;
  EXPECT_NE(m.find("module"), std::string::npos) << m;

  // A backup must still verify and copy such a file: there the digest is marked unavailable.
  SpanSource lenient_src(bytes);
  DatasetDigest lenient(DigestOptions{.fail_on_module = false});
  RdbReport report = VerifyRdb(lenient_src, RdbVerifyOptions{.name = "m.rdb", .visitor = &lenient});
  ASSERT_TRUE(report.valid()) << report.error->ToString();
  ASSERT_TRUE(lenient.unavailable().has_value());
  EXPECT_NE(lenient.unavailable()->find("ReJSON-RL"), std::string::npos);
}

TEST(DatasetDigest, EmptyFileDigestsToZeros) {
  auto bytes = RdbBuilder(10).Finish();
  SpanSource src(bytes);
  RdbDigestResult r = DigestRdb(src, RdbVerifyOptions{.name = "e.rdb"}, DigestOptions{});
  ASSERT_TRUE(r.report.valid());
  EXPECT_EQ(r.digest, std::string(40, '0'));
}

}  // namespace
}  // namespace tidemark
