// Where backups live: one small interface, so an object store can implement it later.
//
// A backup is its data (the RDB bytes) plus its metadata (metadata_json.h). Contract for every
// implementation:
//   - names are generated (core/backup/backup_name.h); every method refuses any other name, so
//     nothing a caller passes can reach outside the store;
//   - a put is written through a BackupWriter and becomes visible only at Publish, which makes
//     the data durable first and the metadata last: a listing never shows a backup whose bytes
//     are incomplete, and a writer that dies (crash, kill -9, ENOSPC) leaves nothing visible;
//   - List() shows only backups whose metadata exists and parses (the rest are reported as
//     problems, never deleted by listing);
//   - one writer at a time per store: BeginPut fails (kInvalidArgument, "in progress") while
//     another put holds the store, in this process or another.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/backup/metadata.h"
#include "core/base/byte_source.h"
#include "core/base/error.h"

namespace tidemark::sidecar {

// The bytes of one put. Destroying it without Publish aborts the put (nothing visible).
class BackupWriter : public ByteSink {
 public:
  // Appends bytes to the unpublished data. I/O errors (ENOSPC) come back as kIo.
  Status Update(std::span<const uint8_t> chunk) override = 0;
  // Reads the bytes written so far back from the store's medium (for verify-after-copy).
  virtual Result<std::unique_ptr<ByteSource>> ReadBack() = 0;
  // Makes the data durable and visible under metadata.name, metadata last. On error nothing is
  // visible.
  virtual Status Publish(const backup::BackupMetadata& metadata) = 0;
  // The exact number of bytes Update will receive, when the caller knows it before the first
  // (a snapshot file's size): a store may choose how to write by it (the object store sends one
  // streamed PUT instead of parts). Call before any Update; a different count then fails the put.
  virtual Status ExpectBytes(uint64_t bytes) {
    (void)bytes;
    return {};
  }
  virtual void Abort() = 0;
  virtual const std::string& name() const = 0;
};

struct BackupListing {
  std::vector<backup::BackupMetadata> backups;  // newest first
  std::vector<std::string> problems;  // entries skipped: unreadable or unparsable metadata
};

struct CleanupReport {
  std::vector<std::string> removed;  // leftovers of writers that died
  bool skipped_busy = false;         // a put was in progress: nothing was touched
};

class BackupStore {
 public:
  virtual ~BackupStore() = default;
  // Starts a put of a backup named `name` (a generated name).
  virtual Result<std::unique_ptr<BackupWriter>> BeginPut(const std::string& name) = 0;
  virtual Result<BackupListing> List() = 0;
  // The data of a listed backup, from its first byte.
  virtual Result<std::unique_ptr<ByteSource>> OpenForRead(const std::string& name) = 0;
  // Removes a backup: metadata first (it leaves the listing), then its data.
  virtual Status Delete(const std::string& name) = 0;
  // Removes what dead writers left: the store's own temporary files, and the data of a backup
  // whose metadata never became durable (a publish or delete cut short; it was never listed).
  virtual Result<CleanupReport> CleanupStale() = 0;
  // Where a backup's data and metadata are, for people ("/backups/<name>.rdb").
  virtual std::string DataLocation(const std::string& name) const = 0;
  virtual std::string MetadataLocation(const std::string& name) const = 0;
};

}  // namespace tidemark::sidecar
