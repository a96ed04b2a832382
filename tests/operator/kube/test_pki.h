// Throw-away certificates for TLS tests, made by the openssl command line in a temp directory:
// a CA, a server certificate for 127.0.0.1 (IP SAN) signed by it, a client certificate
// (CN = the user name) signed by it, and a second, unrelated CA with its own server certificate.
#pragma once

#include <string>

#include "tests/testing/temp_dir.h"

namespace tidemark::kube::testing {

struct TestPki {
  tidemark::testing::TempDir dir;
  std::string ca_crt, ca_key;                      // file paths
  std::string server_crt, server_key;              // signed by ca
  std::string client_crt, client_key;              // signed by ca, CN = client_user
  std::string other_ca_crt;                        // unrelated CA
  std::string other_server_crt, other_server_key;  // signed by the other CA
  std::string client_user = "tidemark-operator";

  // Runs openssl; false (and a message on stderr) when any step fails.
  bool Generate();
};

// Base64 of a file's bytes, as kubeconfig *-data fields want.
std::string Base64File(const std::string& path);

}  // namespace tidemark::kube::testing
