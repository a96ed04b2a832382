#include "core/format/lzf.h"

#include <gtest/gtest.h>
#include <liblzf/lzf.h>

#include <optional>
#include <random>
#include <string>

namespace tidemark {
namespace {

std::vector<uint8_t> Compress(const std::string& s) {
  std::vector<uint8_t> out(s.size() + 64);
  unsigned n = lzf_compress(s.data(), static_cast<unsigned>(s.size()), out.data(), static_cast<unsigned>(out.size()));
  out.resize(n);
  return out;
}

std::string Sample() {
  std::string s;
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) s += "value:" + std::to_string(rng() % 100) + ";";
  return s;
}

Status CheckInChunks(const std::vector<uint8_t>& c, uint64_t expected, size_t chunk) {
  LzfChecker checker(expected);
  size_t bad = 0;
  for (size_t i = 0; i < c.size(); i += chunk)
    if (auto s = checker.Update(std::span<const uint8_t>(c).subspan(i, std::min(chunk, c.size() - i)), &bad); !s)
      return s;
  return checker.Finish();
}

TEST(Lzf, CheckerAcceptsWhatLiblzfWrote) {
  std::string s = Sample();
  auto c = Compress(s);
  ASSERT_FALSE(c.empty());
  for (size_t chunk : std::vector<size_t>{1, 2, 13, 4096, c.size()}) EXPECT_TRUE(CheckInChunks(c, s.size(), chunk)) << chunk;
  std::vector<uint8_t> out;
  ASSERT_TRUE(LzfDecompress(c, s.size(), out));
  EXPECT_EQ(std::string(out.begin(), out.end()), s);
}

TEST(Lzf, WrongLengthIsRejectedByBoth) {
  std::string s = Sample();
  auto c = Compress(s);
  std::vector<uint8_t> out;
  EXPECT_FALSE(CheckInChunks(c, s.size() + 1, 100));
  EXPECT_FALSE(CheckInChunks(c, s.size() - 1, 100));
  EXPECT_FALSE(LzfDecompress(c, s.size() + 1, out));
  EXPECT_FALSE(LzfDecompress(c, s.size() - 1, out));
}

TEST(Lzf, CheckerAgreesWithLiblzfOnEveryTruncationAndManyFlips) {
  std::string s = Sample().substr(0, 3000);
  auto c = Compress(s);
  std::vector<uint8_t> out;
  for (size_t cut = 0; cut < c.size(); ++cut) {
    std::vector<uint8_t> t(c.begin(), c.begin() + cut);
    EXPECT_EQ(bool(CheckInChunks(t, s.size(), 7)), bool(LzfDecompress(t, s.size(), out))) << "cut " << cut;
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    auto m = c;
    m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    EXPECT_EQ(bool(CheckInChunks(m, s.size(), 5)), bool(LzfDecompress(m, s.size(), out))) << "flip " << i;
  }
}

// Found by fuzz/rdb_fuzz: the error position must not depend on how the input is chunked.
TEST(Lzf, ErrorPositionIsTheSameWhateverTheChunking) {
  std::vector<uint8_t> c = {0x1b};  // a 28-byte literal where only 27 bytes are expected
  c.resize(29, 'x');
  std::optional<size_t> first;
  for (size_t chunk = 1; chunk <= c.size(); ++chunk) {
    LzfChecker checker(27);
    size_t bad = 0, base = 0;
    std::optional<size_t> at;
    for (size_t i = 0; i < c.size() && !at; i += chunk, base = i) {
      size_t n = std::min(chunk, c.size() - i);
      if (!checker.Update(std::span<const uint8_t>(c).subspan(i, n), &bad)) at = base + bad;
    }
    ASSERT_TRUE(at.has_value()) << chunk;
    if (!first) first = at;
    EXPECT_EQ(*at, *first) << "chunk " << chunk;
  }
  EXPECT_EQ(*first, 0u);
}

TEST(Lzf, BackReferenceBeforeTheStartIsCorrupt) {
  // A back reference as the very first run points before the start of the output.
  std::vector<uint8_t> c = {0x20, 0x00};
  auto s = CheckInChunks(c, 3, 1);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("before the start"), std::string::npos);
}

// Decodes `c` fed in chunks of `chunk` bytes; the output as handed over, or the error.
Result<std::string> StreamDecode(const std::vector<uint8_t>& c, uint64_t expected, size_t chunk,
                                 size_t* largest_piece = nullptr) {
  std::string out;
  LzfStreamDecoder decoder(expected, [&](std::span<const uint8_t> piece) {
    out.append(piece.begin(), piece.end());
    if (largest_piece) *largest_piece = std::max(*largest_piece, piece.size());
  });
  size_t bad = 0;
  for (size_t i = 0; i < c.size(); i += chunk)
    if (auto s = decoder.Update(std::span<const uint8_t>(c).subspan(i, std::min(chunk, c.size() - i)), &bad); !s)
      return std::unexpected(s.error());
  if (auto s = decoder.Finish(); !s) return std::unexpected(s.error());
  return out;
}

TEST(Lzf, StreamDecoderGivesLiblzfsOutputInBoundedPiecesWhateverTheChunking) {
  // Long enough that the window turns over many times, with references across its edges: runs
  // of repeats (overlapping references), far references (up to 8 KiB back) and random literals.
  std::string s;
  std::mt19937 rng(7);
  while (s.size() < (size_t{1} << 20)) {
    switch (rng() % 3) {
      case 0: s.append(1 + rng() % 300, static_cast<char>('a' + rng() % 26)); break;
      case 1: if (s.size() > 8192) s += s.substr(s.size() - 8000 - rng() % 192, 100 + rng() % 200); break;
      default: for (int i = 0; i < 64; ++i) s += static_cast<char>(rng()); break;
    }
  }
  auto c = Compress(s);
  ASSERT_FALSE(c.empty());
  for (size_t chunk : std::vector<size_t>{1, 7, 4096, c.size()}) {
    size_t largest = 0;
    auto out = StreamDecode(c, s.size(), chunk, &largest);
    ASSERT_TRUE(out) << chunk << ": " << out.error().ToString();
    EXPECT_TRUE(*out == s) << chunk;
    EXPECT_LE(largest, LzfStreamDecoder::kHistory + LzfStreamDecoder::kSpan);
  }
}

TEST(Lzf, StreamDecoderRefusesWhatTheCheckerRefuses) {
  std::string s = Sample();
  auto c = Compress(s);
  EXPECT_FALSE(StreamDecode(c, s.size() + 1, 100));
  EXPECT_FALSE(StreamDecode(c, s.size() - 1, 100));
  auto r = StreamDecode({0x20, 0x00}, 3, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("before the start"), std::string::npos);
  EXPECT_FALSE(StreamDecode(std::vector<uint8_t>(c.begin(), c.end() - 1), s.size(), 100));  // truncated
}

}  // namespace
}  // namespace tidemark
