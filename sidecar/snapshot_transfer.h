// The wire format of `GET /v1/snapshot`, a replica's fresh snapshot sent to the restore step of
// pod 0 (docs/sidecar.md, "Sidecar-to-sidecar transfer"). Shared by the serving side
// (snapshot_serve.h) and the fetching side (peer_client.h).
//
//   headers  X-Tidemark-Digest-At-Ms   the "now" the receiver computes the dataset digest for
//            X-Tidemark-Repl-Id/-Offset the replica's INFO replication when asked (for logs; the
//                                      position that counts is the RDB's own repl-id/-offset)
//            Transfer-Encoding: chunked (the length is not known before Redis's child ends)
//   body     the RDB bytes, exactly as the replica's Redis sent them for an rdb-only SYNC
//            (rdb_sync.h), forwarded while its child still writes them
//            then the trailer: one JSON object padded with spaces to kTrailerBytes, last byte
//            '\n': {"sha256","sizeBytes"} — the SHA-256 and count of the RDB bytes sent.
// The sender only hashes and frames: it neither parses nor digests. The receiver verifies the
// RDB fully and computes the dataset digest in its own one pass (install.h), and the trailer's
// SHA-256 proves the bytes it verified are the ones the replica's Redis produced. The body is
// complete only when it ends in a trailer that parses and whose size and SHA-256 match the bytes
// before it: a cut stream (fewer bytes, no terminating chunk, or a sender that stopped and sent
// no trailer) is refused, whatever the HTTP framing said. The receiver holds the last
// kTrailerBytes back until the body ends, so it needs no length up front.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace tidemark::sidecar {

inline constexpr char kDigestAtHeader[] = "X-Tidemark-Digest-At-Ms";
inline constexpr char kReplIdHeader[] = "X-Tidemark-Repl-Id";
inline constexpr char kReplOffsetHeader[] = "X-Tidemark-Repl-Offset";
inline constexpr size_t kTrailerBytes = 1024;

struct SnapshotTrailer {
  std::string sha256;
  uint64_t size_bytes = 0;
};

// Exactly kTrailerBytes.
std::string RenderSnapshotTrailer(const SnapshotTrailer& trailer);
// kCorrupt naming `where` when the text is not a trailer.
Result<SnapshotTrailer> ParseSnapshotTrailer(std::string_view text, const std::string& where);

}  // namespace tidemark::sidecar
