#include "sidecar/snapshot_transfer.h"

#include <cpprest/json.h>

#include "core/format/sha256.h"
#include "sidecar/json_log.h"

namespace tidemark::sidecar {

namespace json = web::json;

std::string RenderSnapshotTrailer(const SnapshotTrailer& t) {
  std::string out = "{\"sha256\":" + JsonQuote(t.sha256) +
                    ",\"sizeBytes\":" + std::to_string(t.size_bytes) + "}";
  // A hex digest and an integer: far below.
  out.resize(kTrailerBytes - 1, ' ');
  return out + "\n";
}

Result<SnapshotTrailer> ParseSnapshotTrailer(std::string_view text, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kCorrupt, "snapshot trailer: " + what, -1, where);
  };
  if (text.size() != kTrailerBytes || text.back() != '\n')
    return bad("expected " + std::to_string(kTrailerBytes) + " bytes ending in a newline");
  // cpprestsdk reports bad JSON and wrong member types by throwing: converted here.
  try {
    json::value v = json::value::parse(std::string(text));
    SnapshotTrailer t;
    t.sha256 = v.at("sha256").as_string();
    if (!IsSha256Hex(t.sha256)) return bad("sha256 is not 64 lowercase hex digits");
    t.size_bytes = v.at("sizeBytes").as_number().to_uint64();
    return t;
  } catch (const std::exception& e) {
    return bad(std::string("does not read: ") + e.what());
  }
}

}  // namespace tidemark::sidecar
