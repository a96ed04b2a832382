// The backup metadata file: BackupMetadata (core/backup/metadata.h) as JSON, written next to
// each backup's data as "<name>.json" and published last, so a listing only shows complete
// backups. Format "tidemark.dev/backup/v1":
//
//   {"apiVersion": "tidemark.dev/backup/v1", "name": "20261128T021500Z-1a2b3c4d",
//    "createdAt": "2026-11-28T02:15:00Z", "snapshotAt": "2026-11-28T02:14:59Z" | null,
//    "sizeBytes": 1234, "sha256": "<64 hex>", "rdbVersion": 10, "redisVersion": "7.0.15",
//    "keys": 3, "dbs": [{"db": 0, "keys": 3, "expires": 0}], "sourcePod": "cache-0",
//    "policyGeneration": 4 | null, "replication": {"id": "<40 hex>", "offset": 0} | null,
//    "verified": true, "datasetDigest": {"value": "<40 hex>", "for": "redis<7.2"} | null,
//    "encryption": {"algorithm": "aes-256-gcm-framed/v1", "keyId": "k1"} | null}
//
// datasetDigest and encryption may be absent (metadata written before them): read as null.
//
// Parsing is strict (a metadata file that does not parse means the backup is not listed): the
// apiVersion must be known, the name must be a generated name, the sha256 64 hex digits, and
// "keys" the sum of the per-db counts. cpprestsdk's JSON stays inside metadata_json.cc.
#pragma once

#include <string>
#include <string_view>

#include "core/backup/metadata.h"
#include "core/base/error.h"

namespace tidemark::sidecar {

inline constexpr std::string_view kBackupMetadataApiVersion = "tidemark.dev/backup/v1";
// encryption.algorithm: the format of docs/formats.md, "Encrypted backups".
inline constexpr std::string_view kEncryptionAlgorithm = "aes-256-gcm-framed/v1";

std::string RenderBackupMetadata(const backup::BackupMetadata& metadata);

// `where` names the file in errors (kCorrupt, saying which member is wrong).
Result<backup::BackupMetadata> ParseBackupMetadata(std::string_view text, const std::string& where);

}  // namespace tidemark::sidecar
