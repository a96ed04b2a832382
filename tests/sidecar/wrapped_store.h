// A DirBackupStore whose writers a test wraps, to inject faults into the copy of a backup (a
// medium that flips a bit, writes that fail mid-stream) while everything else is the real store.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sidecar/backup_store.h"
#include "sidecar/dir_backup_store.h"

namespace tidemark::testing {

// Forwards every call to the real writer; a test overrides what it breaks.
class ForwardingWriter : public sidecar::BackupWriter {
 public:
  explicit ForwardingWriter(std::unique_ptr<sidecar::BackupWriter> w) : w_(std::move(w)) {}
  Status Update(std::span<const uint8_t> c) override { return w_->Update(c); }
  Result<std::unique_ptr<ByteSource>> ReadBack() override { return w_->ReadBack(); }
  Status Publish(const backup::BackupMetadata& m) override { return w_->Publish(m); }
  Status ExpectBytes(uint64_t bytes) override { return w_->ExpectBytes(bytes); }
  void Abort() override { w_->Abort(); }
  const std::string& name() const override { return w_->name(); }

 private:
  std::unique_ptr<sidecar::BackupWriter> w_;
};

class WrappedStore final : public sidecar::BackupStore {
 public:
  using Wrap = std::function<std::unique_ptr<sidecar::BackupWriter>(std::unique_ptr<sidecar::BackupWriter>)>;
  WrappedStore(sidecar::DirBackupStore& inner, Wrap wrap) : inner_(inner), wrap_(std::move(wrap)) {}
  Result<std::unique_ptr<sidecar::BackupWriter>> BeginPut(const std::string& name) override {
    auto w = inner_.BeginPut(name);
    if (!w) return std::unexpected(w.error());
    return wrap_(std::move(*w));
  }
  Result<sidecar::BackupListing> List() override { return inner_.List(); }
  Result<std::unique_ptr<ByteSource>> OpenForRead(const std::string& n) override { return inner_.OpenForRead(n); }
  Status Delete(const std::string& n) override { return inner_.Delete(n); }
  Result<sidecar::CleanupReport> CleanupStale() override { return inner_.CleanupStale(); }
  std::string DataLocation(const std::string& n) const override { return inner_.DataLocation(n); }
  std::string MetadataLocation(const std::string& n) const override { return inner_.MetadataLocation(n); }

 private:
  sidecar::DirBackupStore& inner_;
  Wrap wrap_;
};

}  // namespace tidemark::testing
