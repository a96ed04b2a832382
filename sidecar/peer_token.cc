#include "sidecar/peer_token.h"

#include <openssl/crypto.h>

#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

namespace {
constexpr size_t kMinSecret = 16;
constexpr std::string_view kBearer = "Bearer ";
}  // namespace

std::string PeerTokenSet(const std::string& token) {
  auto colon = token.rfind(':');
  return colon == std::string::npos ? "" : token.substr(0, colon);
}

Result<std::string> LoadPeerToken(const std::string& path) {
  // Same reading rules as a password file: a mounted Secret, trailing newline tolerated.
  auto text = ReadPasswordFile(path);
  if (!text) return std::unexpected(text.error());
  auto colon = text->rfind(':');
  if (colon == std::string::npos || colon == 0 || text->size() - colon - 1 < kMinSecret)
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected \"<namespace>/<name>:<secret>\" with a secret of at least " +
                         std::to_string(kMinSecret) + " characters",
                     -1, path);
  return *text;
}

PeerAuth CheckPeerAuthorization(const std::optional<std::string>& authorization,
                                const std::string& token) {
  if (!authorization || !authorization->starts_with(kBearer)) return PeerAuth::kNoCredentials;
  const std::string_view presented = std::string_view(*authorization).substr(kBearer.size());
  if (presented.empty()) return PeerAuth::kNoCredentials;
  // Lengths are not secret (the format fixes most of it); the bytes are compared in constant time.
  if (presented.size() != token.size() ||
      CRYPTO_memcmp(presented.data(), token.data(), token.size()) != 0)
    return PeerAuth::kWrongToken;
  return PeerAuth::kAllowed;
}

}  // namespace tidemark::sidecar
