// Rendering the sidecar's policy file: the settings the sidecar enforces beyond what Redis does
// itself (AOF rewrite window and maximum size, backup schedule and retention, verification, the
// refuse-empty guard, restore policy), as JSON.
//
// Format "tidemark.dev/sidecar-policy/v1", documented in docs/policy.md. Members always appear,
// in a fixed order; an optional setting that is off is `null` (never omitted), sizes are bytes,
// times of day "HH:MM" UTC. A reader must refuse an apiVersion it does not know. Deterministic:
// the same spec gives the same bytes. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/policy/model.h"

namespace tidemark::policy {

inline constexpr std::string_view kSidecarPolicyApiVersion = "tidemark.dev/sidecar-policy/v1";

// Where the pod has the object store's Secret and ConfigMap keys as files (one projected volume,
// mounted read-only into the sidecar and the restore container by the operator's pod template);
// the policy names these paths, never the values.
inline constexpr std::string_view kObjectStoreDir = "/etc/tidemark/object-store";
inline constexpr std::string_view kAccessKeyIdFile = "access-key-id";
inline constexpr std::string_view kSecretAccessKeyFile = "secret-access-key";
inline constexpr std::string_view kSessionTokenFile = "session-token";
inline constexpr std::string_view kCaBundleFile = "ca.crt";
inline constexpr std::string_view kEncryptionKeyFile = "encryption-key";

// Precondition: `resource` passed Validate and ApplyDefaults (else: a bug; aborts).
std::string RenderSidecarPolicy(const RedisPersistence& resource);

}  // namespace tidemark::policy
