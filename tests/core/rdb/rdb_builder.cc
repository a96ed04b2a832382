#include "tests/core/rdb/rdb_builder.h"

#include <cstdio>
#include <cstring>

#include "core/format/crc64.h"

namespace tidemark::testing {

namespace {
void PutLe(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
}  // namespace

Bytes Listpack(const std::vector<Element>& elements) {
  Bytes body;
  for (const auto& e : elements) {
    Bytes entry;
    if (auto* s = std::get_if<std::string>(&e)) {
      if (s->size() < 64) entry.push_back(static_cast<uint8_t>(0x80 | s->size()));
      else if (s->size() < 4096) { entry.push_back(static_cast<uint8_t>(0xe0 | (s->size() >> 8))); entry.push_back(s->size() & 0xff); }
      else { entry.push_back(0xf0); PutLe(entry, s->size(), 4); }
      entry.insert(entry.end(), s->begin(), s->end());
    } else {
      int64_t v = std::get<int64_t>(e);
      if (v >= 0 && v <= 127) entry.push_back(static_cast<uint8_t>(v));
      else if (v >= -4096 && v <= 4095) { uint64_t u = static_cast<uint64_t>(v) & 0x1fff; entry.push_back(static_cast<uint8_t>(0xc0 | (u >> 8))); entry.push_back(u & 0xff); }
      else { entry.push_back(0xf4); PutLe(entry, static_cast<uint64_t>(v), 8); }
    }
    uint64_t l = entry.size();
    Bytes back;
    if (l <= 127) back = {static_cast<uint8_t>(l)};
    else if (l < 16383) back = {static_cast<uint8_t>(l >> 7), static_cast<uint8_t>((l & 127) | 128)};
    else back = {static_cast<uint8_t>(l >> 14), static_cast<uint8_t>(((l >> 7) & 127) | 128), static_cast<uint8_t>((l & 127) | 128)};
    body.insert(body.end(), entry.begin(), entry.end());
    body.insert(body.end(), back.begin(), back.end());
  }
  Bytes lp;
  PutLe(lp, 6 + body.size() + 1, 4);
  PutLe(lp, elements.size(), 2);
  lp.insert(lp.end(), body.begin(), body.end());
  lp.push_back(0xff);
  return lp;
}

Bytes Ziplist(const std::vector<Element>& elements) {
  Bytes body;
  uint64_t prev = 0, last = 10;
  for (const auto& e : elements) {
    Bytes entry;
    if (prev < 254) entry.push_back(static_cast<uint8_t>(prev));
    else { entry.push_back(0xfe); PutLe(entry, prev, 4); }
    if (auto* s = std::get_if<std::string>(&e)) {
      if (s->size() < 64) entry.push_back(static_cast<uint8_t>(s->size()));
      else { entry.push_back(static_cast<uint8_t>(0x40 | (s->size() >> 8))); entry.push_back(s->size() & 0xff); }
      entry.insert(entry.end(), s->begin(), s->end());
    } else {
      int64_t v = std::get<int64_t>(e);
      if (v >= 0 && v <= 12) entry.push_back(static_cast<uint8_t>(0xf1 + v));
      else { entry.push_back(0xe0); PutLe(entry, static_cast<uint64_t>(v), 8); }
    }
    last = 10 + body.size();
    body.insert(body.end(), entry.begin(), entry.end());
    prev = entry.size();
  }
  Bytes zl;
  PutLe(zl, 10 + body.size() + 1, 4);
  PutLe(zl, last, 4);
  PutLe(zl, elements.size(), 2);
  zl.insert(zl.end(), body.begin(), body.end());
  zl.push_back(0xff);
  return zl;
}

Bytes Intset(const std::vector<int64_t>& values, int width) {
  Bytes b;
  PutLe(b, width, 4);
  PutLe(b, values.size(), 4);
  for (int64_t v : values) PutLe(b, static_cast<uint64_t>(v), width);
  return b;
}

Bytes Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  Bytes b = {static_cast<uint8_t>(pairs.size())};
  for (const auto& [k, v] : pairs) {
    b.push_back(static_cast<uint8_t>(k.size()));
    b.insert(b.end(), k.begin(), k.end());
    b.push_back(static_cast<uint8_t>(v.size()));
    b.push_back(0);  // free
    b.insert(b.end(), v.begin(), v.end());
  }
  b.push_back(0xff);
  return b;
}

RdbBuilder::RdbBuilder(int version) : version_(version) {
  char header[10];
  std::snprintf(header, sizeof header, "REDIS%04d", version);
  out_.assign(header, header + 9);
}

RdbBuilder& RdbBuilder::Len(uint64_t n) {
  if (n < 64) out_.push_back(static_cast<uint8_t>(n));
  else if (n < 16384) { out_.push_back(static_cast<uint8_t>(0x40 | (n >> 8))); out_.push_back(n & 0xff); }
  else { out_.push_back(0x80); for (int i = 3; i >= 0; --i) out_.push_back(static_cast<uint8_t>(n >> (8 * i))); }
  return *this;
}

RdbBuilder& RdbBuilder::Str(const std::string& s) {
  Len(s.size());
  out_.insert(out_.end(), s.begin(), s.end());
  return *this;
}

RdbBuilder& RdbBuilder::Le(uint64_t v, int bytes) {
  PutLe(out_, v, bytes);
  return *this;
}

Bytes RdbBuilder::Finish(bool checksum) {
  Bytes b = out_;
  b.push_back(0xff);
  if (version_ >= 5) PutLe(b, checksum ? Crc64(0, b) : 0, 8);
  return b;
}

uint64_t ModuleTypeId(const std::string& name, int encoding_version) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint64_t id = 0;
  for (char c : name) id = (id << 6) | alphabet.find(c);
  return (id << 10) | static_cast<uint64_t>(encoding_version);
}

}  // namespace tidemark::testing
