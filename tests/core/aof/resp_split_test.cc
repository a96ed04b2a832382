// The reader parses a command that is whole in its buffer on a fast path and everything else
// (a record cut by a refill, any syntax error) on its careful path. These tests pin down that
// both give the same records and the same first error, wherever the input is split and
// whatever byte is damaged.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/aof/resp.h"
#include "tests/core/aof/resp_cmd.h"
#include "tests/testing/chunked_source.h"

namespace tidemark::aof {
namespace {

// Everything the reader reports for `data` handed out `chunk` bytes at a time, as text: each
// record's fields, then the end or the error (code, offset, message) and what RestIsZero says
// after it. With chunk 1 the reader never holds a whole record when it starts one, so every
// record takes the careful path.
std::string Transcript(const std::string& data, size_t chunk) {
  testing::ChunkedSource src(data, chunk);
  RespReader reader(src, 1000, "f");
  std::string out;
  for (;;) {
    auto r = reader.Next();
    if (!r) {
      out += "error " + r.error().ToString();
      if (r.error().code == ErrorCode::kCorrupt) {
        auto zero = reader.RestIsZero();
        out += zero ? (*zero ? " zero-tail" : " data-after") : " " + zero.error().ToString();
      }
      return out;
    }
    if (!*r) return out + "end at " + std::to_string(reader.offset());
    const AofRecord& rec = **r;
    out += (rec.kind == RecordKind::kCommand ? "cmd " : "note ") + std::to_string(rec.offset) +
           ".." + std::to_string(rec.end) + " argc " + std::to_string(rec.argc) + " [" +
           std::string(rec.name) + "] [" + std::string(rec.arg1) + "] payload " +
           std::to_string(rec.payload_bytes) + " [" + rec.annotation + "] ts " +
           (rec.timestamp ? std::to_string(*rec.timestamp) : "-") + "\n";
  }
}

// Commands of the shapes Redis writes (one argument, many, empty, a name longer than what is
// kept, a payload holding CR LF and '*'), with annotations between them.
const std::string kStream =
    Cmd({"SELECT", "0"}) + "#TS:1700000000\r\n" + Cmd({"SET", "k", std::string(70, 'v')}) +
    Cmd({"MULTI"}) + Cmd({"RPUSH", "l", "", "a\r\n*1\r\n", "b"}) + Cmd({"EXEC"}) +
    Cmd({std::string(80, 'N'), std::string(65, 'k')}) + "#note\n" + Cmd({"DEL", "k"});

TEST(RespReaderSplit, EveryChunkSizeGivesTheRecordsOfTheWholeBuffer) {
  const std::string whole = Transcript(kStream, kStream.size());
  ASSERT_NE(whole.find("end at"), std::string::npos) << whole;
  for (size_t chunk = 1; chunk <= kStream.size(); ++chunk)
    EXPECT_EQ(Transcript(kStream, chunk), whole) << "chunk " << chunk;
}

TEST(RespReaderSplit, RecordsAcrossFullBufferRefillsMatchTheCarefulPath) {
  // Several buffers' worth of records of varied sizes, so records straddle every refill of a
  // full buffer (the buffer moves its unread tail to the front and reads on).
  std::string data;
  for (size_t i = 0; data.size() < 3 * RespReader::kBufferBytes + 1000; ++i) {
    data += Cmd({"SET", "key:" + std::to_string(i), std::string(i * 37 % 700, 'v')});
    if (i % 5 == 0) data += Cmd({"HSET", "h", "f", std::to_string(i), "g", "x"});
    if (i % 11 == 0) data += "#TS:" + std::to_string(1700000000 + i) + "\r\n";
    if (i % 97 == 0) data += Cmd({"SET", "big", std::string(RespReader::kBufferBytes / 3, 'b')});
  }
  const std::string careful = Transcript(data, 1);
  ASSERT_NE(careful.find("end at"), std::string::npos);
  for (size_t chunk : {data.size(), RespReader::kBufferBytes - 1, size_t{4093}})
    EXPECT_EQ(Transcript(data, chunk), careful) << "chunk " << chunk;
}

TEST(RespReaderSplit, EveryCutGivesTheSameTruncationOnBothPaths) {
  for (size_t cut = 0; cut < kStream.size(); ++cut) {
    const std::string data = kStream.substr(0, cut);
    const std::string careful = Transcript(data, 1);
    EXPECT_EQ(Transcript(data, data.size() + 1), careful) << "cut at " << cut;
    EXPECT_EQ(Transcript(data, 5), careful) << "cut at " << cut;
  }
}

TEST(RespReaderSplit, EveryDamagedByteGivesTheSameErrorOnBothPaths) {
  const char kBad[] = {'x', '\0', '\r', '\n', '*', '$', '#', '0', '9', '-', ' '};
  for (size_t at = 0; at < kStream.size(); ++at) {
    for (char bad : kBad) {
      std::string data = kStream;
      if (data[at] == bad) continue;
      data[at] = bad;
      const std::string careful = Transcript(data, 1);
      EXPECT_EQ(Transcript(data, data.size()), careful) << "byte " << at << " = " << int(bad);
      EXPECT_EQ(Transcript(data, 7), careful) << "byte " << at << " = " << int(bad);
    }
  }
}

TEST(RespReaderSplit, CountLinesAtTheDigitLimitAgreeOnBothPaths) {
  const std::string max19 = "$9999999999999999999\r\n";  // 19 digits: a length, then truncated
  const std::string over = "$10000000000000000000\r\n";  // 20 digits: corrupt
  for (const std::string& data : std::vector<std::string>{
           "*1\r\n" + max19 + "x", "*1\r\n" + over, "*9999999999999999999\r\n",
           "*2147483648\r\n$1\r\n", "*2147483647\r\n$1\r\nx\r\n", "*01\r\n$03\r\nSET\r\n"}) {
    EXPECT_EQ(Transcript(data, data.size()), Transcript(data, 1)) << data;
  }
}

}  // namespace
}  // namespace tidemark::aof
