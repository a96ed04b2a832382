// Small valid RDB files (version 10, string keys in db 0) for tests that need real snapshot bytes
// without a server.
#pragma once

#include <cstdint>
#include <string>

#include "core/format/crc64.h"

namespace tidemark::testing {

// Appends the EOF opcode and the CRC-64 of everything before it.
inline std::string EndTestRdb(std::string b) {
  b += '\xff';
  uint64_t crc = Crc64(0, {reinterpret_cast<const uint8_t*>(b.data()), b.size()});
  for (int i = 0; i < 8; ++i) b += static_cast<char>(crc >> (8 * i));
  return b;
}

// `keys` string keys "k0".."k<n-1>" (n < 64) with values "v0".., an AUX redis-ver and ctime.
inline std::string MakeTestRdb(int keys, int64_t ctime = 1795832100) {
  std::string b = "REDIS0010";
  auto str = [&](const std::string& s) {
    b += static_cast<char>(s.size());
    b += s;
  };
  b += '\xfa';
  str("redis-ver");
  str("7.0.15");
  b += '\xfa';
  str("ctime");
  str(std::to_string(ctime));
  b += '\xfe';
  b += '\0';
  b += '\xfb';
  b += static_cast<char>(keys);
  b += '\0';
  for (int i = 0; i < keys; ++i) {
    b += '\0';  // string type
    str("k" + std::to_string(i));
    str("v" + std::to_string(i));
  }
  return EndTestRdb(b);
}

// `keys` string keys (n < 64) of `value_bytes` each (32-bit length encoding), value i filled
// with the byte 'a' + i % 26: a snapshot of many read-ahead slots for the threaded pass.
inline std::string MakeLargeTestRdb(int keys, uint32_t value_bytes) {
  std::string b = "REDIS0010";
  b += "\xfa\x09redis-ver\x06" "7.0.15";
  b += "\xfe";
  b += '\0';
  for (int i = 0; i < keys; ++i) {
    b += '\0';  // string type
    const std::string key = "big" + std::to_string(i);
    b += static_cast<char>(key.size());
    b += key;
    b += '\x80';  // 32-bit length, big-endian
    for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>(value_bytes >> shift);
    b.append(value_bytes, static_cast<char>('a' + i % 26));
  }
  return EndTestRdb(b);
}

}  // namespace tidemark::testing
