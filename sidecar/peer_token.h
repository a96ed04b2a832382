// The shared token the sidecars of one set present to each other (`Authorization: Bearer`),
// from a Secret the operator creates per set. Its text is "<set>:<secret>", <set> being
// "<namespace>/<name>" of the RedisPersistence: a token is bound to its set, so a sidecar of
// another set is told apart (403) from a caller without credentials (401). The comparison of
// the whole token is constant-time.
#pragma once

#include <optional>
#include <string>

#include "core/base/error.h"

namespace tidemark::sidecar {

enum class PeerAuth { kAllowed, kNoCredentials, kWrongToken };

// The file's content without trailing newlines. kInvalidArgument when it is not "<set>:<secret>"
// with a secret of at least 16 characters.
Result<std::string> LoadPeerToken(const std::string& path);

// `authorization`: the request's Authorization header, if any.
PeerAuth CheckPeerAuthorization(const std::optional<std::string>& authorization,
                                const std::string& token);

// The "<set>" part of a token ("" when there is none): for logs, never the secret.
std::string PeerTokenSet(const std::string& token);

}  // namespace tidemark::sidecar
