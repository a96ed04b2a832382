#include "core/format/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace tidemark {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  // Out of memory or a broken OpenSSL: nothing sensible to continue with.
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256::~Sha256() = default;

Status Sha256::Update(std::span<const uint8_t> chunk) {
  if (finished_) return MakeError(ErrorCode::kInvalidArgument, "sha256: update after finish");
  if (EVP_DigestUpdate(ctx_->md, chunk.data(), chunk.size()) != 1)
    return MakeError(ErrorCode::kIo, "sha256: EVP_DigestUpdate failed");
  bytes_ += chunk.size();
  return {};
}

Result<std::string> Sha256::FinishHex() {
  if (finished_) return MakeError(ErrorCode::kInvalidArgument, "sha256: finished twice");
  finished_ = true;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, digest, &len) != 1 || len != 32)
    return MakeError(ErrorCode::kIo, "sha256: EVP_DigestFinal_ex failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (unsigned i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace tidemark
