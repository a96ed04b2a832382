// SHA-256 as a pipeline stage: a ByteSink that hashes every chunk it is handed, so the bytes of a
// backup are hashed in the same pass that copies and verifies them. OpenSSL's EVP does the work
// (with the CPU's SHA extensions where present). Not thread-safe; one stream per object.
#pragma once

#include <memory>
#include <string>

#include "core/base/byte_source.h"

namespace tidemark {

class Sha256 final : public ByteSink {
 public:
  Sha256();
  ~Sha256() override;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Status Update(std::span<const uint8_t> chunk) override;
  // The digest of everything handed in, as 64 lowercase hex digits. Call once; afterwards
  // Update is an error.
  Result<std::string> FinishHex();
  uint64_t bytes() const { return bytes_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  uint64_t bytes_ = 0;
  bool finished_ = false;
};

// True for 64 lowercase hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace tidemark
