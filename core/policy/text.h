// Small character-class matchers for the policy's field grammars (file names, times, numbers).
// Hand-written rather than <regex>: GCC 12 warns inside <regex> under the sanitizers, and these
// grammars are simple enough to read as code. Pure, thread-safe.
#pragma once

#include <string_view>

namespace tidemark::policy::text {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool IsLowerAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }

// Every character of `s` satisfies `pred`.
template <class Pred>
bool All(std::string_view s, Pred pred) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

// Consumes [-+]? from the front of `s`.
inline void SkipSign(std::string_view& s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
}

// Consumes the longest run of digits; returns how many.
inline size_t SkipDigits(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  s.remove_prefix(n);
  return n;
}

// Consumes a decimal `digits[.digits*]` or `.digits+`; false (s unspecified) when there is none.
inline bool SkipDecimal(std::string_view& s) {
  size_t int_digits = SkipDigits(s);
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    return SkipDigits(s) > 0 || int_digits > 0;
  }
  return int_digits > 0;
}

// A two-digit number in [0, max] at s[pos].
inline bool TwoDigits(std::string_view s, size_t pos, int max) {
  if (pos + 2 > s.size() || !IsDigit(s[pos]) || !IsDigit(s[pos + 1])) return false;
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0') <= max;
}

}  // namespace tidemark::policy::text
