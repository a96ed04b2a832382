#include "core/backup/backup_name.h"

#include <gtest/gtest.h>

#include "core/backup/utc_time.h"

namespace tidemark::backup {
namespace {

constexpr int64_t kT = 1795832100;  // 2026-11-28T02:15:00Z

TEST(BackupName, GeneratedNameIsTimeThenEightHexDigits) {
  EXPECT_EQ(FormatIsoUtc(kT), "2026-11-28T02:15:00Z");
  EXPECT_EQ(GenerateBackupName(kT, 0x1a2b3c4d), "20261128T021500Z-1a2b3c4d");
  EXPECT_EQ(GenerateBackupName(0, 0), "19700101T000000Z-00000000");
}

TEST(BackupName, ParseRoundTripsGeneratedNames) {
  for (int64_t t : {int64_t{0}, kT, int64_t{951782400} /* 2000-02-29 */, int64_t{4102444799}}) {
    for (uint32_t s : {0u, 0xffffffffu, 0xdeadbeefu}) {
      auto name = GenerateBackupName(t, s);
      auto parsed = ParseBackupName(name);
      ASSERT_TRUE(parsed) << name << ": " << parsed.error().ToString();
      EXPECT_EQ(parsed->unix_time, t);
      EXPECT_EQ(parsed->suffix, s);
      EXPECT_EQ(parsed->text, name);
    }
  }
}

TEST(BackupName, TimeOrderedSuffixesSortNamesOfOneSecondByTheirMillisecond) {
  std::string previous;
  for (int64_t ms = 0; ms < 1000; ms += 7) {
    // The random part at its largest for early milliseconds, smallest for late ones.
    const uint32_t random = ms < 500 ? 0xffffffffu : 0u;
    const std::string name = GenerateBackupName(kT, TimeOrderedSuffix(kT * 1000 + ms, random));
    ASSERT_TRUE(ParseBackupName(name)) << name;
    EXPECT_GT(name, previous) << ms;
    previous = name;
  }
  EXPECT_EQ(TimeOrderedSuffix(kT * 1000 + 999, 0xffffffffu), 999u << 22 | 0x3fffffu);
}

TEST(BackupName, ParseRejectsTraversalAndAnythingNotGenerated) {
  const std::string_view cases[] = {"", "..", "../../etc/passwd", "20261128T021500Z-1a2b3c4d/../x", "/20261128T021500Z-1a2b3c4",
        "20261128T021500Z/1a2b3c4d", "20261128T021500Z-1A2B3C4D", "20261128T021500Z-1a2b3c4g",
        "20261128T021500Z_1a2b3c4d", "20261128T021500Z-1a2b3c4d ", "20261128T021500Z-1a2b3c4",
        "20260230T021500Z-1a2b3c4d", "20261128T251500Z-1a2b3c4d", "19691231T235959Z-00000000",
        "2026-11-28T02:15-1a2b3c4d", "20261128T021500Z-..\\..\\1a",
        std::string_view("20261128T021500Z-1a2b\0c4d", 25)};
  for (std::string_view bad : cases) {
    auto parsed = ParseBackupName(bad);
    EXPECT_FALSE(parsed) << "accepted '" << bad << "'";
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(parsed.error().message.find("expected YYYYMMDDTHHMMSSZ-xxxxxxxx"), std::string::npos);
    }
  }
}

TEST(UtcTime, IsoParseRejectsImpossibleDates) {
  EXPECT_EQ(ParseIsoUtc("2026-11-28T02:15:00Z"), kT);
  EXPECT_FALSE(ParseIsoUtc("2026-02-29T00:00:00Z"));
  EXPECT_TRUE(ParseIsoUtc("2028-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseIsoUtc("2026-11-28T02:15:00+01:00"));
  EXPECT_FALSE(ParseIsoUtc("2026-11-28 02:15:00Z"));
}

TEST(UtcTime, Rfc3339ParseAppliesTheOffsetAndDropsFractions) {
  EXPECT_EQ(ParseRfc3339("2026-11-28T02:15:00Z"), kT);
  EXPECT_EQ(ParseRfc3339("2026-11-28t02:15:00.999z"), kT);
  EXPECT_EQ(ParseRfc3339("2026-11-28T03:15:00+01:00"), kT);
  EXPECT_EQ(ParseRfc3339("2026-11-27T21:45:00.5-04:30"), kT);
  EXPECT_EQ(ParseRfc3339("2026-11-28T02:14:60Z"), kT - 1);  // a leap second counts as :59
  EXPECT_FALSE(ParseRfc3339("2026-11-28T02:15:00"));
  EXPECT_FALSE(ParseRfc3339("2026-11-28T02:15:00.Z"));
  EXPECT_FALSE(ParseRfc3339("2026-11-28T02:15:00+1:00"));
  EXPECT_FALSE(ParseRfc3339("2026-02-30T02:15:00Z"));
  EXPECT_FALSE(ParseRfc3339("1970-01-01T00:30:00+01:00"));  // before 1970
}

TEST(UtcTime, IsoWeeksStartOnMonday) {
  // 2026-11-29 is a Sunday, 2026-11-30 a Monday.
  int64_t sunday = *ParseIsoUtc("2026-11-29T23:59:59Z");
  int64_t monday = *ParseIsoUtc("2026-11-30T00:00:00Z");
  EXPECT_EQ(UtcIsoWeekNumber(sunday) + 1, UtcIsoWeekNumber(monday));
  EXPECT_EQ(FormatIsoWeek(sunday), "2026-W48");
  EXPECT_EQ(FormatIsoWeek(monday), "2026-W49");
  // 2027-01-01 is a Friday: it belongs to the last ISO week of 2026 (W53).
  EXPECT_EQ(FormatIsoWeek(*ParseIsoUtc("2027-01-01T12:00:00Z")), "2026-W53");
  EXPECT_EQ(FormatUtcDay(kT), "2026-11-28");
}

}  // namespace
}  // namespace tidemark::backup
