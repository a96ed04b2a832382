// The wire format of `GET /v1/snapshot`, a replica's fresh snapshot sent to the restore step of
// pod 0 (docs/sidecar.md, "Sidecar-to-sidecar transfer"). Shared by the serving side
// (snapshot_serve.h) and the fetching side (peer_client.h).
//
//   headers  X-Tidemark-Rdb-Size       bytes of the RDB that open the body
//            X-Tidemark-Digest-At-Ms   the "now" the dataset digest is computed for (expiries)
//            X-Tidemark-Repl-Id/-Offset the replica's INFO replication after its BGSAVE
//            Content-Length            Rdb-Size + kTrailerBytes
//   body     the RDB bytes, exactly as the replica's BGSAVE wrote them
//            then the trailer: one JSON object padded with spaces to kTrailerBytes, last byte
//            '\n': {"sha256","sizeBytes","rdbVersion","keys","replication":{id,offset}|null,
//            "datasetDigest":hex|null} — what the sender computed in its one pass over the file.
// A fixed-size trailer keeps Content-Length known before the first byte, so the receiver tells a
// cut stream (fewer bytes) from a complete one without chunked encoding, and the checksum still
// comes from the same pass that sent the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::sidecar {

inline constexpr char kRdbSizeHeader[] = "X-Tidemark-Rdb-Size";
inline constexpr char kDigestAtHeader[] = "X-Tidemark-Digest-At-Ms";
inline constexpr char kReplIdHeader[] = "X-Tidemark-Repl-Id";
inline constexpr char kReplOffsetHeader[] = "X-Tidemark-Repl-Offset";
inline constexpr size_t kTrailerBytes = 1024;

struct SnapshotTrailer {
  std::string sha256;
  uint64_t size_bytes = 0;
  uint32_t rdb_version = 0;
  uint64_t keys = 0;
  std::optional<std::string> repl_id;  // the RDB's repl-id / repl-offset AUX fields
  std::optional<uint64_t> repl_offset;
  std::optional<std::string> dataset_digest;
};

// Exactly kTrailerBytes.
std::string RenderSnapshotTrailer(const SnapshotTrailer& trailer);
// kCorrupt naming `where` when the text is not a trailer.
Result<SnapshotTrailer> ParseSnapshotTrailer(std::string_view text, const std::string& where);

}  // namespace tidemark::sidecar
