// A sorted-set score as text, the way Redis's DEBUG DIGEST formats it before hashing. The
// formatting changed between versions, so a digest predicts one family of servers:
//   Redis < 7.2   printf("%.17g")
//   Redis >= 7.2  fpconv_dtoa: Grisu2 digits (shortest or nearly so, Loitsch's algorithm with
//                 87 cached powers of ten) laid out as plain integer, plain decimal or d.ddde+XX
// Both give "inf" / "-inf" for infinities; NaN never reaches a digest (Redis refuses it).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tidemark {

enum class ScoreFormat {
  kPrintf17g,  // Redis 7.0 and older
  kGrisu,      // Redis 7.2, 7.4, 8.x
};

// The servers a format stands for, as the CLI and backup metadata name them.
const char* ScoreFormatName(ScoreFormat format);  // "redis<7.2" or "redis>=7.2"

// The format of a server by its version text ("7.0.15", "7.4"); nullopt when it is not
// MAJOR.MINOR[...].
std::optional<ScoreFormat> ScoreFormatForRedis(std::string_view version);

// Writes the text into buf (no terminator) and returns its length; at most 32 characters.
size_t FormatScore(double score, ScoreFormat format, char (&buf)[32]);

}  // namespace tidemark
