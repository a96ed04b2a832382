// The one-pass snapshot backup (DESIGN.md, "One pass over a snapshot"):
//
//   snapshot bytes -> PrefetchSource -> { SHA-256, the stores' writers }  (reader thread)
//                                   `-> lent in place to VerifyRdb + the dataset digest (caller)
//                                         `-> the digest's batched SHA-1s (BackgroundThread)
//   CRC-64: on the reader thread or the caller's, whichever has time (io/prefetch_source.h)
//
// The RDB verifier pulls every byte once; each chunk is hashed and written to the store on the
// read-ahead thread before the verifier sees it, so the two halves of the work use two cores
// with a fixed ring of buffers between them (io/prefetch_source.h: 8 x 256 KiB). The backup is published (data, then metadata) only when the verifier found the whole
// snapshot valid, every write succeeded and — with verify_after_copy — the bytes read back from
// the store have the same CRC-64 as the snapshot. On any failure the put is aborted: nothing becomes visible
// and the store's other backups are untouched. Three threads while the bytes pass (the caller's,
// the read-ahead one and the digest's, joined before anything is published); memory is the ring
// and the digest's two half-size batches (docs/digest.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backup/metadata.h"
#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "core/backup/lineage.h"
#include "core/rdb/rdb_verifier.h"
#include "sidecar/backup_store.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

struct SnapshotBackupContext {
  int64_t now_unix = 0;       // the backup's time (its name and createdAt)
  uint32_t name_suffix = 0;   // the random part of the name
  // The same time to the millisecond (createdAtMillis), within now_unix's second; unset: only
  // the second is recorded.
  std::optional<int64_t> now_unix_ms = std::nullopt;
  std::string source_pod;
  std::optional<int64_t> policy_generation = std::nullopt;
  backup::Lineage lineage = {};  // recorded in the metadata (core/backup/lineage.h)
  bool verify_after_copy = true;
  uint32_t max_rdb_version = 12;
  bool check_duplicate_keys = true;  // see CheckDuplicateKeys
  // The snapshot's size when known before the pass (a file's), told to each writer
  // (BackupWriter::ExpectBytes).
  std::optional<uint64_t> snapshot_bytes = std::nullopt;
};

// `snapshot_name` names the source in errors (the dump.rdb path). Errors: kCorrupt/kTruncated/
// kUnsupported when the snapshot does not verify (where/offset name the snapshot), kIo when the
// store could not take the bytes (ENOSPC names the store's temporary file), kInvalidArgument when
// another backup holds the store. The error message ends with what happened to the put.
Result<backup::BackupMetadata> BackupSnapshot(ByteSource& snapshot,
                                              const std::string& snapshot_name, BackupStore& store,
                                              const SnapshotBackupContext& context);

// The same pass to several stores at once (the backup volume and the object store: the bytes
// are read, verified and hashed once, and each chunk goes to every store). A store that fails
// (cannot begin, write, read back or publish) is aborted alone and the others still publish;
// `stores[i]` holds each one's outcome. An error when the snapshot does not verify (every put
// aborted) or when no store published (the first store's error).
struct MultiBackupResult {
  backup::BackupMetadata metadata;  // as published (a store may add its own fields: key id)
  std::vector<Status> stores;       // per store, in the order given
};
Result<MultiBackupResult> BackupSnapshotToStores(ByteSource& snapshot,
                                                 const std::string& snapshot_name,
                                                 const std::vector<BackupStore*>& stores,
                                                 const SnapshotBackupContext& context);

// Fills the RDB-derived fields of `metadata` (version, redis-ver, ctime, dbs, replication) from
// a verification report.
void FillFromRdbReport(const RdbReport& report, backup::BackupMetadata& metadata);

}  // namespace tidemark::sidecar
