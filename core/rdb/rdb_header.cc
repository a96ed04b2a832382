#include "core/rdb/rdb_header.h"

#include <algorithm>

#include "core/rdb/rdb_format.h"
#include "core/rdb/rdb_reader.h"

namespace tidemark {

std::optional<std::string> RdbHeader::Aux(std::string_view key) const {
  for (const auto& [k, v] : aux)
    if (k == key) return v;
  return std::nullopt;
}

namespace rdb {

Status ParseRdbMagic(const RdbInput& in, const uint8_t (&magic)[9], uint32_t max_version,
                     uint32_t& version) {
  if (std::string_view(reinterpret_cast<const char*>(magic), 5) != "REDIS")
    return in.Corrupt("not an RDB file: expected \"REDIS\", found \"" + Printable(magic, 5) + "\"", 0);
  uint32_t v = 0;
  for (int i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9')
      return in.Corrupt("RDB version is not 4 digits: \"" + Printable(magic + 5, 4) + "\"", 5);
    v = v * 10 + static_cast<uint32_t>(magic[i] - '0');
  }
  version = v;
  if (v < kMinVersion) return in.Corrupt("RDB version 0 does not exist", 5);
  const uint32_t max = std::min(max_version, kMaxKnownVersion);
  if (v > max)
    return MakeError(ErrorCode::kUnsupported,
                     "RDB version " + std::to_string(v) + " is newer than the highest this check accepts (" +
                         std::to_string(max) + "); a server that writes it is needed to load it",
                     5, in.name());
  return {};
}

}  // namespace rdb

Result<RdbHeader> ReadRdbHeader(ByteSource& source, const std::string& name, uint32_t max_version) {
  using namespace rdb;
  RdbInput in(source, name);
  RdbHeader header;
  uint8_t magic[9];
  if (auto s = in.Raw(magic, sizeof magic); !s) return std::unexpected(s.error());
  if (auto s = ParseRdbMagic(in, magic, max_version, header.rdb_version); !s)
    return std::unexpected(s.error());
  StringValue key, value;
  for (;;) {
    auto op = in.Byte();
    if (!op) return std::unexpected(op.error());
    if (*op != kOpAux) return header;
    if (auto s = in.ReadString(StringUse::kKeep, key, 1 << 20); !s) return std::unexpected(s.error());
    if (auto s = in.ReadString(StringUse::kKeep, value, 1 << 20); !s) return std::unexpected(s.error());
    header.aux.emplace_back(std::string(key.bytes.begin(), key.bytes.end()),
                            std::string(value.bytes.begin(), value.bytes.end()));
  }
}

}  // namespace tidemark
