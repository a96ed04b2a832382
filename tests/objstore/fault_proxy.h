// The fault-injecting proxy (fault_proxy.py) in front of an upstream server, for tests: which
// faults to inject next, and the log of the requests it saw. Stopped with the object.
#pragma once

#include <string>
#include <vector>

#include "tests/objstore/spawn_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

struct FaultProxyOptions {
  std::string tls_cert, tls_key;  // PEM files: terminate TLS
  std::string s3rver_storage;     // perform AbortMultipartUpload on s3rver's files
};

class FaultProxy {
 public:
  FaultProxy(int upstream_port, const FaultProxyOptions& options = {});
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return server_.port; }
  // Replaces the pending rules (see fault_proxy.py), one per line.
  void SetFaults(const std::string& rules);
  // "METHOD TARGET ACTION" per request seen so far.
  std::vector<std::string> Log() const;
  // The log's lines containing `needle`.
  std::vector<std::string> LogLinesWith(const std::string& needle) const;
  // Requests seen so far: the next one is number RequestsSeen() + 1 for a "#N" rule.
  int RequestsSeen() const;
  // Multipart uploads the server created and the client heard of that the server neither
  // completed nor aborted, by id (the proxy sees the server's replies).
  std::vector<std::string> UploadsLeftOpen() const { return OpenUploads(false); }
  // Those whose id the client never got (the Initiate reply cut off or too late): only
  // ListMultipartUploads (CleanupStale) or a bucket lifecycle rule can end them.
  std::vector<std::string> UploadsOrphanedByLostReplies() const { return OpenUploads(true); }
  // Upload ids the server created so far.
  std::vector<std::string> UploadsCreated() const;

 private:
  std::vector<std::string> OpenUploads(bool unanswered) const;
  TempDir dir_;
  SpawnedServer server_;
};

}  // namespace tidemark::testing
