// From the sidecar policy's backup.objectStore (sidecar_policy.h) to a working ObjectBackupStore:
// the credentials, CA bundle and encryption key are read from the files the operator mounts
// (core/policy/render_sidecar_policy.h); errors name the file, never its contents.
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/crypto/framed_aead.h"
#include "sidecar/clock.h"
#include "sidecar/object_backup_store.h"
#include "sidecar/sidecar_policy.h"

namespace tidemark::sidecar {

// A 32-byte key from `file`: 64 hex digits or base64 (openssl rand -base64 32), surrounding
// whitespace ignored. kInvalidArgument naming the file and what was expected.
Result<crypto::AeadKey> LoadEncryptionKey(const std::string& key_id, const std::string& file);

// `connect_to` ("127.0.0.1:PORT", for tests; empty: resolve the endpoint). `clock` must outlive
// the store.
Result<std::unique_ptr<ObjectBackupStore>> OpenObjectStore(const ObjectStorePolicy& policy,
                                                           Clock& clock,
                                                           const std::string& connect_to = "");

}  // namespace tidemark::sidecar
