#include "core/aof/command_table.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace tidemark::aof {
namespace {

// What the hash index must agree with: tolower, then a linear search by full name.
int ReferenceFind(std::string_view name) {
  std::string lowered(name);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < AofCommandTableSize(); ++i)
    if (AofCommandAt(i).name == lowered) return static_cast<int>(i);
  return -1;
}

TEST(AofCommandTable, FindsEveryEntryInAnyCase) {
  for (size_t i = 0; i < AofCommandTableSize(); ++i) {
    const std::string lower(AofCommandAt(i).name);
    std::string upper = lower, mixed = lower;
    for (size_t j = 0; j < lower.size(); ++j) {
      upper[j] = static_cast<char>(std::toupper(static_cast<unsigned char>(lower[j])));
      if (j % 2) mixed[j] = upper[j];
    }
    EXPECT_EQ(FindAofCommand(lower), static_cast<int>(i)) << lower;
    EXPECT_EQ(FindAofCommand(upper), static_cast<int>(i)) << upper;
    EXPECT_EQ(FindAofCommand(mixed), static_cast<int>(i)) << mixed;
  }
}

TEST(AofCommandTable, NearMissesAreUnknownLikeTheReferenceSearch) {
  std::vector<std::string> names = {"",
                                    "s",
                                    "se",
                                    "sett",
                                    std::string("set\0", 4),
                                    std::string("\0set", 4),
                                    "set ",
                                    "SET\x80",
                                    "\xd3\xc5\xd4",
                                    "function|",
                                    "|load",
                                    "xgroup|createconsumerx",
                                    std::string(23, 'a'),
                                    std::string(24, 'a'),
                                    std::string(64, 'a'),
                                    std::string(65, 'a'),
                                    "restore_asking",
                                    "[set",
                                    "@set",
                                    "`set",
                                    "{set"};
  // Every table name with one byte changed to each value, and cut at every length.
  for (size_t i = 0; i < AofCommandTableSize(); ++i) {
    const std::string name(AofCommandAt(i).name);
    for (size_t j = 0; j < name.size(); ++j) {
      names.push_back(name.substr(0, j));
      for (int b = 0; b < 256; b += 7) {
        std::string changed = name;
        changed[j] = static_cast<char>(b);
        names.push_back(changed);
      }
      names.push_back(name + static_cast<char>('a' + j % 26));
    }
  }
  for (const std::string& n : names) EXPECT_EQ(FindAofCommand(n), ReferenceFind(n)) << n;
}

TEST(AofCommandTable, ChecksContainersByTheirSubcommand) {
  EXPECT_FALSE(CheckAofCommand("XGROUP", "CREATE", 5).problem);
  EXPECT_EQ(CheckAofCommand("xgroup", "create", 5).index, FindAofCommand("xgroup|create"));
  auto unknown_sub = CheckAofCommand("xgroup", "nope", 5);
  EXPECT_TRUE(unknown_sub.unknown);
  auto arity = CheckAofCommand("Set", "k", 2);
  EXPECT_FALSE(arity.unknown);
  ASSERT_TRUE(arity.problem);
  EXPECT_NE(arity.problem->find("'set' with 2 arguments"), std::string::npos) << *arity.problem;
  EXPECT_TRUE(CheckAofCommand("nosuch", "", 1).unknown);
}

}  // namespace
}  // namespace tidemark::aof
