#include "tests/objstore/s3rver.h"

#include <unistd.h>

#include <stdexcept>

namespace tidemark::testing {

S3rver::S3rver(const std::string& bucket) {
  std::string script = std::string(TIDEMARK_SOURCE_DIR) + "/tools/node_modules/s3rver/bin/s3rver.js";
  if (access(script.c_str(), R_OK) != 0)
    throw std::runtime_error("s3rver is not installed (" + script + "): run make setup");
  // s3rver encrypts continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  // The CLI prints "S3rver listening on 127.0.0.1:PORT" once bound.
  server_ = SpawnServer({"node", "--openssl-legacy-provider", script, "-d", dir_.path(), "-a",
                         "127.0.0.1", "-p", "0", "--silent", "--configure-bucket", bucket},
                        "listening on");
}

S3rver::~S3rver() { StopServer(server_); }

}  // namespace tidemark::testing
