#include "core/policy/quantity.h"

#include "core/policy/text.h"

namespace tidemark::policy {

namespace {

// Multiplier for a byte-quantity suffix, 0 when the suffix is not one.
unsigned __int128 SuffixMultiplier(std::string_view suffix) {
  static constexpr std::string_view kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static constexpr std::string_view kDecimal[] = {"k", "M", "G", "T", "P", "E"};
  if (suffix.empty()) return 1;
  for (int i = 0; i < 6; ++i) {
    if (suffix == kBinary[i]) return static_cast<unsigned __int128>(1) << (10 * (i + 1));
    if (suffix == kDecimal[i]) {
      unsigned __int128 m = 1;
      for (int j = 0; j <= i; ++j) m *= 1000;
      return m;
    }
  }
  return 0;
}

using text::IsDigit;

}  // namespace

bool IsQuantity(std::string_view s) {
  // kQuantityPattern: sign? decimal (binary-suffix | decimal-suffix | [eE] sign? decimal)?
  text::SkipSign(s);
  if (!text::SkipDecimal(s)) return false;
  static constexpr std::string_view kSuffixes[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u",
                                                   "m",  "k",  "M",  "G",  "T",  "P",  "E"};
  if (s.empty()) return true;
  for (std::string_view suffix : kSuffixes)
    if (s == suffix) return true;
  if (s[0] != 'e' && s[0] != 'E') return false;
  s.remove_prefix(1);
  text::SkipSign(s);
  return text::SkipDecimal(s) && s.empty();
}

Result<int64_t> ParseByteQuantity(std::string_view text) {
  auto malformed = [] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "must be a byte quantity such as 64Mi, 1Gi or 1048576");
  };
  size_t i = 0;
  // Digits beyond 38 would overflow the 128-bit accumulator; such a number is too large anyway.
  constexpr size_t kMaxDigits = 30;
  unsigned __int128 mantissa = 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < text.size() && IsDigit(text[i])) {
    if (++int_digits > kMaxDigits) return MakeError(ErrorCode::kInvalidArgument, "is too large");
    mantissa = mantissa * 10 + static_cast<unsigned>(text[i++] - '0');
  }
  if (int_digits == 0) return malformed();
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) {
      if (++frac_digits > kMaxDigits) return malformed();
      mantissa = mantissa * 10 + static_cast<unsigned>(text[i++] - '0');
    }
    if (frac_digits == 0) return malformed();
  }
  unsigned __int128 multiplier = SuffixMultiplier(text.substr(i));
  if (multiplier == 0) return malformed();
  unsigned __int128 divisor = 1;
  for (size_t k = 0; k < frac_digits; ++k) divisor *= 10;
  // mantissa < 10^30 < 2^100 and multiplier <= 2^60 could overflow 2^128: check first.
  constexpr unsigned __int128 kMaxBytes = static_cast<unsigned __int128>(INT64_MAX);
  if (mantissa / divisor > kMaxBytes) return MakeError(ErrorCode::kInvalidArgument, "is too large");
  if (mantissa != 0 && multiplier > (~static_cast<unsigned __int128>(0)) / mantissa)
    return MakeError(ErrorCode::kInvalidArgument, "is too large");
  unsigned __int128 scaled = mantissa * multiplier;
  if (scaled % divisor != 0)
    return MakeError(ErrorCode::kInvalidArgument, "must be a whole number of bytes");
  unsigned __int128 bytes = scaled / divisor;
  if (bytes > kMaxBytes) return MakeError(ErrorCode::kInvalidArgument, "is too large");
  return static_cast<int64_t>(bytes);
}

std::string RedisBytes(int64_t bytes) { return std::to_string(bytes); }

}  // namespace tidemark::policy
