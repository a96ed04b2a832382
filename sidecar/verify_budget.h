// How much memory the sidecar's verifications may spend on duplicate checks.
#pragma once

#include <cstdint>
#include <optional>

#include "core/aof/aof_verifier.h"

namespace tidemark::sidecar {

// The RDB verifier's duplicate checks keep 8 bytes per key, and per member of a hashtable-encoded
// collection: the costs that grow with the dataset. Within the sidecar's memory budget (16 MB,
// docs/sidecar.md) they run for up to 2^18 keys, and for collections of up to 2^18 members (2 MB
// each at most); beyond, everything else is still verified (format, encodings, CRC-64, SHA-256)
// but duplicates are not looked for: a snapshot Redis wrote from its own keyspace cannot hold
// any, and the CRC-64 shows the bytes are the ones Redis wrote. `tidemark verify rdb` checks
// them at any size. `keys`: what the snapshot is expected to hold, when known.
inline constexpr uint64_t kDuplicateCheckMaxKeys = uint64_t{1} << 18;
inline constexpr uint64_t kDuplicateCheckMaxMembers = uint64_t{1} << 18;
inline bool CheckDuplicateKeys(std::optional<uint64_t> keys) {
  return keys && *keys <= kDuplicateCheckMaxKeys;
}

// The same bounds for an AOF directory Redis wrote (its RDB preamble's key count is not known
// before reading it, so its duplicate-key check is off, as for a local dump.rdb).
inline aof::AofVerifyOptions BoundedAofVerifyOptions(uint32_t max_rdb_version) {
  aof::AofVerifyOptions o;
  o.max_rdb_version = max_rdb_version;
  o.check_duplicate_keys = false;
  o.max_tracked_members = kDuplicateCheckMaxMembers;
  return o;
}

}  // namespace tidemark::sidecar
