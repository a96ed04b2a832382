// What Tidemark records about each backup: the facts a restore ranks candidates by and checks
// the bytes against. Written by the sidecar when a backup is published (the JSON form is in
// sidecar/metadata_json.h) and read back from every listing. A plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::backup {

struct DbKeys {
  uint64_t db = 0;
  uint64_t keys = 0;
  uint64_t expires = 0;  // keys with an expiry
};

struct BackupMetadata {
  std::string name;           // ParseBackupName(name) succeeds
  int64_t created_unix = 0;   // when the backup was taken (seconds, UTC)
  // The same time to the millisecond (metadata createdAtMillis; within created_unix's second):
  // orders backups taken in the same second. Absent in metadata written before it existed.
  std::optional<int64_t> created_unix_ms;
  std::optional<int64_t> snapshot_unix;  // the RDB's own "ctime" AUX field, when present
  uint64_t size_bytes = 0;    // bytes of the RDB file
  std::string sha256;         // 64 lowercase hex digits over those bytes
  uint32_t rdb_version = 0;
  std::string redis_version;  // the RDB's "redis-ver" AUX field; empty when absent
  std::vector<DbKeys> dbs;    // in file order
  std::string source_pod;     // empty when unknown
  std::optional<int64_t> policy_generation;
  std::optional<std::string> repl_id;  // replication ID and offset the snapshot corresponds to
  std::optional<uint64_t> repl_offset;
  bool verified = false;  // the full RDB verification passed when the backup was taken
  // What DEBUG DIGEST returns once a server loaded the backup (docs/digest.md), computed in the
  // pass that copied and verified it, with the backup's creation time as "now"; for a server of
  // the family named in dataset_digest_for ("redis<7.2" / "redis>=7.2"). Absent when the file
  // holds module values (only the module can digest those) or for backups made before.
  std::optional<std::string> dataset_digest;
  std::string dataset_digest_for;
  // Set when the stored bytes are encrypted (framed AES-256-GCM, core/crypto/framed_aead.h):
  // the id of the key a restore needs. size_bytes and sha256 stay those of the plain RDB.
  std::optional<std::string> encryption_key_id;
  // Which instance took it (core/backup/lineage.h); empty in backups made before it was recorded
  // or by a sidecar not run by the operator.
  std::string instance;      // "namespace/name"
  std::string instance_uid;  // the resource's metadata.uid

  uint64_t total_keys() const {
    uint64_t n = 0;
    for (const auto& d : dbs) n += d.keys;
    return n;
  }
  // What "newer" means for backups: creation time to the millisecond where known (a backup
  // without it counts as made at the start of its second), then the name.
  int64_t created_order_ms() const { return created_unix_ms.value_or(created_unix * 1000); }
};

// For sorting listings newest first (stores, retention, restore, drills agree on one order).
inline bool NewerFirst(const BackupMetadata& a, const BackupMetadata& b) {
  if (a.created_order_ms() != b.created_order_ms()) return a.created_order_ms() > b.created_order_ms();
  return a.name > b.name;
}

}  // namespace tidemark::backup
