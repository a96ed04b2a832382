// A real S3-compatible server for tests: s3rver (npm, installed by scripts/setup.sh into
// tools/node_modules) on 127.0.0.1 with a port it picks, its storage in a temp directory, one
// bucket created at start. It does not check SigV4 signatures (sigv4_*_test cover the signer);
// it accepts only the access key "S3RVER". Stopped when the object goes away.
#pragma once

#include <string>

#include "tests/objstore/spawn_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

class S3rver {
 public:
  explicit S3rver(const std::string& bucket = "backups");
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  int port() const { return server_.port; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_.port); }
  // Where s3rver keeps the bucket's files (objects, and open multipart uploads under
  // "<bucket>/._S3rver_uploads/<upload id>/").
  const std::string& storage_dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  SpawnedServer server_;
};

}  // namespace tidemark::testing
