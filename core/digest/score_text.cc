// Grisu2 as Redis 7.2+ runs it (deps/fpconv). Every step below must give the same digits as that
// implementation, including where Grisu2 is not shortest: the choice of cached power (its search
// starts from the same estimate, and two powers can be valid), the rounding of the 64x64-bit
// products, and the digit-rounding loop. The table of cached powers is computed here from exact
// integer arithmetic (10^k rounded to 64 significant bits), not copied.
#include "core/digest/score_text.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace tidemark {

namespace {

struct DiyFp {
  uint64_t f = 0;
  int e = 0;
};

constexpr uint64_t kFracMask = 0x000FFFFFFFFFFFFFULL;
constexpr uint64_t kExpMask = 0x7FF0000000000000ULL;
constexpr uint64_t kHidden = 0x0010000000000000ULL;
constexpr uint64_t kSign = 0x8000000000000000ULL;
constexpr int kExpBias = 1023 + 52;
constexpr int kPowers = 87, kFirstPower = -348, kPowerStep = 8;
constexpr int kAlpha = -60, kGamma = -32;  // binary exponent window of a scaled product

// Unsigned big integer, 32-bit limbs, least significant first: just enough for the table.
using Big = std::vector<uint32_t>;

void MulSmall(Big& b, uint32_t m) {
  uint64_t carry = 0;
  for (auto& limb : b) {
    uint64_t v = uint64_t{limb} * m + carry;
    limb = static_cast<uint32_t>(v);
    carry = v >> 32;
  }
  if (carry) b.push_back(static_cast<uint32_t>(carry));
}

int BitLength(const Big& b) {
  for (size_t i = b.size(); i-- > 0;)
    if (b[i]) return static_cast<int>(32 * i) + 32 - std::countl_zero(b[i]);
  return 0;
}

bool Bit(const Big& b, int i) { return (b[static_cast<size_t>(i) / 32] >> (i % 32)) & 1; }

bool GreaterEqual(const Big& a, const Big& b) {
  for (size_t i = std::max(a.size(), b.size()); i-- > 0;) {
    uint32_t x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x > y;
  }
  return true;
}

void Subtract(Big& a, const Big& b) {
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t v = int64_t{a[i]} - (i < b.size() ? b[i] : 0) - borrow;
    borrow = v < 0;
    a[i] = static_cast<uint32_t>(v + (borrow << 32));
  }
}

void ShiftLeftAddBit(Big& a, bool bit) {
  uint32_t carry = bit;
  for (auto& limb : a) {
    uint32_t next = limb >> 31;
    limb = (limb << 1) | carry;
    carry = next;
  }
  if (carry) a.push_back(carry);
}

// 10^k as f * 2^e with f normalized (top bit set), rounded to nearest.
DiyFp PowerOfTen(int k) {
  Big ten{1};
  for (int i = 0; i < (k < 0 ? -k : k); ++i) MulSmall(ten, 10);
  auto round_top64 = [](unsigned __int128 q, int len, int scale) {
    uint64_t f = static_cast<uint64_t>(q >> (len - 64));
    bool up = (q >> (len - 65)) & 1;
    int e = len - 64 + scale;
    if (up && ++f == 0) {
      f = kSign;
      ++e;
    }
    return DiyFp{f, e};
  };
  int len = BitLength(ten);
  if (k >= 0) {
    if (len <= 64) {
      uint64_t v = ten[0] | (ten.size() > 1 ? uint64_t{ten[1]} << 32 : 0);
      return DiyFp{v << (64 - len), len - 64};
    }
    unsigned __int128 top = 0;  // the top 66 bits: 64 kept, one to round on (ties cannot occur)
    for (int i = len - 1; i >= len - 66; --i) top = (top << 1) | Bit(ten, i);
    return round_top64(top, 66, len - 66);
  }
  // 2^m / 10^-k by restoring division, m chosen so the quotient has 66 to 67 bits.
  const int m = len + 66;
  Big rem{0};
  unsigned __int128 q = 0;
  for (int i = m; i >= 0; --i) {
    ShiftLeftAddBit(rem, i == m);
    q <<= 1;
    if (GreaterEqual(rem, ten)) {
      Subtract(rem, ten);
      q |= 1;
    }
  }
  int qlen = 128 - (static_cast<uint64_t>(q >> 64) ? std::countl_zero(static_cast<uint64_t>(q >> 64))
                                                    : 64 + std::countl_zero(static_cast<uint64_t>(q)));
  return round_top64(q, qlen, -m);
}

const std::vector<DiyFp>& CachedPowers() {
  static const std::vector<DiyFp> table = [] {
    std::vector<DiyFp> t;
    for (int i = 0; i < kPowers; ++i) t.push_back(PowerOfTen(kFirstPower + i * kPowerStep));
    return t;
  }();
  return table;
}

// The power whose product with a number of binary exponent `e` lands in [kAlpha, kGamma]; the
// search starts where Redis's does, because two neighbouring powers can both qualify.
DiyFp FindCachedPower(int e, int* k) {
  const auto& powers = CachedPowers();
  int approx = static_cast<int>(-(e + kPowers) * 0.30102999566398114);
  int idx = (approx - kFirstPower) / kPowerStep;
  for (;;) {
    int current = e + powers[static_cast<size_t>(idx)].e + 64;
    if (current < kAlpha) ++idx;
    else if (current > kGamma) --idx;
    else break;
  }
  *k = kFirstPower + idx * kPowerStep;
  return powers[static_cast<size_t>(idx)];
}

// The high 64 bits of the 128-bit product, rounded half up.
DiyFp Multiply(const DiyFp& a, const DiyFp& b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a.f) * b.f + (static_cast<unsigned __int128>(1) << 63);
  return DiyFp{static_cast<uint64_t>(p >> 64), a.e + b.e + 64};
}

void RoundLastDigit(char* digits, int n, uint64_t delta, uint64_t rem, uint64_t kappa, uint64_t frac) {
  while (rem < frac && delta - rem >= kappa && (rem + kappa < frac || frac - rem > rem + kappa - frac)) {
    digits[n - 1]--;
    rem += kappa;
  }
}

int GenerateDigits(const DiyFp& w, const DiyFp& upper, const DiyFp& lower, char* digits, int* K) {
  static constexpr uint64_t kTens[] = {10000000000000000000ULL, 1000000000000000000ULL, 100000000000000000ULL,
                                       10000000000000000ULL, 1000000000000000ULL, 100000000000000ULL,
                                       10000000000000ULL, 1000000000000ULL, 100000000000ULL, 10000000000ULL,
                                       1000000000ULL, 100000000ULL, 10000000ULL, 1000000ULL, 100000ULL,
                                       10000ULL, 1000ULL, 100ULL, 10ULL, 1ULL};
  uint64_t wfrac = upper.f - w.f;
  uint64_t delta = upper.f - lower.f;
  const int shift = -upper.e;
  const uint64_t one = uint64_t{1} << shift;
  uint64_t part1 = upper.f >> shift;
  uint64_t part2 = upper.f & (one - 1);
  int n = 0, kappa = 10;
  for (const uint64_t* div = kTens + 10; kappa > 0; ++div) {
    unsigned digit = static_cast<unsigned>(part1 / *div);
    if (digit || n) digits[n++] = static_cast<char>('0' + digit);
    part1 -= digit * *div;
    --kappa;
    uint64_t rest = (part1 << shift) + part2;
    if (rest <= delta) {
      *K += kappa;
      RoundLastDigit(digits, n, delta, rest, *div << shift, wfrac);
      return n;
    }
  }
  for (const uint64_t* unit = kTens + 18;; --unit) {
    part2 *= 10;
    delta *= 10;
    --kappa;
    unsigned digit = static_cast<unsigned>(part2 >> shift);
    if (digit || n) digits[n++] = static_cast<char>('0' + digit);
    part2 &= one - 1;
    if (part2 < delta) {
      *K += kappa;
      RoundLastDigit(digits, n, delta, part2, one, wfrac * *unit);
      return n;
    }
  }
}

int Grisu2(double d, char* digits, int* K) {
  uint64_t bits = std::bit_cast<uint64_t>(d);
  DiyFp w{bits & kFracMask, static_cast<int>((bits & kExpMask) >> 52)};
  if (w.e) {
    w.f += kHidden;
    w.e -= kExpBias;
  } else {
    w.e = -kExpBias + 1;
  }
  // Boundaries: halfway to the neighbouring doubles (closer below at a power of two).
  DiyFp upper{(w.f << 1) + 1, w.e - 1};
  while (!(upper.f & (kHidden << 1))) {
    upper.f <<= 1;
    upper.e--;
  }
  upper.f <<= 10;
  upper.e -= 10;
  int lshift = w.f == kHidden ? 2 : 1;
  DiyFp lower{(w.f << lshift) - 1, w.e - lshift};
  lower.f <<= lower.e - upper.e;
  lower.e = upper.e;
  while (!(w.f & kHidden)) {
    w.f <<= 1;
    w.e--;
  }
  w.f <<= 11;
  w.e -= 11;
  int k = 0;
  DiyFp c = FindCachedPower(upper.e, &k);
  w = Multiply(w, c);
  upper = Multiply(upper, c);
  lower = Multiply(lower, c);
  lower.f++;
  upper.f--;
  *K = -k;
  return GenerateDigits(w, upper, lower, digits, K);
}

int LayOut(const char* digits, int n, char* out, int K, bool neg) {
  int exp = K + n - 1 < 0 ? -(K + n - 1) : K + n - 1;
  if (K >= 0 && exp < n + 7) {  // integer
    std::memcpy(out, digits, static_cast<size_t>(n));
    std::memset(out + n, '0', static_cast<size_t>(K));
    return n + K;
  }
  if (K < 0 && (K > -7 || exp < 4)) {  // plain decimal
    int point = n + K;
    if (point <= 0) {
      out[0] = '0';
      out[1] = '.';
      std::memset(out + 2, '0', static_cast<size_t>(-point));
      std::memcpy(out + 2 - point, digits, static_cast<size_t>(n));
      return n + 2 - point;
    }
    std::memcpy(out, digits, static_cast<size_t>(point));
    out[point] = '.';
    std::memcpy(out + point + 1, digits + point, static_cast<size_t>(n - point));
    return n + 1;
  }
  n = std::min(n, 18 - (neg ? 1 : 0));
  int i = 0;
  out[i++] = digits[0];
  if (n > 1) {
    out[i++] = '.';
    std::memcpy(out + i, digits + 1, static_cast<size_t>(n - 1));
    i += n - 1;
  }
  out[i++] = 'e';
  out[i++] = K + n - 1 < 0 ? '-' : '+';
  int hundreds = 0;
  if (exp > 99) {
    hundreds = exp / 100;
    out[i++] = static_cast<char>('0' + hundreds);
    exp -= hundreds * 100;
  }
  if (exp > 9) {
    out[i++] = static_cast<char>('0' + exp / 10);
    exp %= 10;
  } else if (hundreds) {
    out[i++] = '0';
  }
  out[i++] = static_cast<char>('0' + exp);
  return i;
}

size_t GrisuText(double d, char* out) {
  uint64_t bits = std::bit_cast<uint64_t>(d);
  size_t len = 0;
  bool neg = bits & kSign;
  if (neg) out[len++] = '-';
  if (d == 0.0) {
    out[len] = '0';
    return len + 1;
  }
  if ((bits & kExpMask) == kExpMask) {
    std::memcpy(out + len, (bits & kFracMask) ? "nan" : "inf", 3);
    return len + 3;
  }
  char digits[18];
  int K = 0;
  int n = Grisu2(d, digits, &K);
  return len + static_cast<size_t>(LayOut(digits, n, out + len, K, neg));
}

}  // namespace

const char* ScoreFormatName(ScoreFormat format) {
  return format == ScoreFormat::kGrisu ? "redis>=7.2" : "redis<7.2";
}

std::optional<ScoreFormat> ScoreFormatForRedis(std::string_view version) {
  unsigned major = 0, minor = 0;
  std::string text(version);
  if (std::sscanf(text.c_str(), "%u.%u", &major, &minor) != 2) return std::nullopt;
  return (major < 7 || (major == 7 && minor < 2)) ? ScoreFormat::kPrintf17g : ScoreFormat::kGrisu;
}

size_t FormatScore(double score, ScoreFormat format, char (&buf)[32]) {
  if (format == ScoreFormat::kGrisu) return GrisuText(score, buf);
  int n = std::snprintf(buf, sizeof buf, "%.17g", score);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

}  // namespace tidemark
