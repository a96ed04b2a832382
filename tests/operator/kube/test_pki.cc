#include "tests/operator/kube/test_pki.h"

#include <cstdio>

namespace tidemark::kube::testing {
namespace {

bool Run(const std::string& cmd) {
  int rc = tidemark::testing::RunCommand(cmd + " 2>/dev/null");
  if (rc != 0) std::fprintf(stderr, "failed (%d): %s\n", rc, cmd.c_str());
  return rc == 0;
}

const char kKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

bool MakeCa(const std::string& base, const std::string& cn) {
  return Run("openssl req -x509 " + std::string(kKey) + " -keyout " + base + ".key -out " + base +
             ".crt -days 2 -subj /CN=" + cn +
             " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
}

bool MakeLeaf(const std::string& base, const std::string& ca, const std::string& cn,
              const std::string& ext) {
  std::string ext_file = base + ".ext";
  tidemark::testing::WriteFile(ext_file, ext);
  return Run("openssl req -new " + std::string(kKey) + " -keyout " + base + ".key -out " + base +
             ".csr -subj /CN=" + cn) &&
         Run("openssl x509 -req -in " + base + ".csr -CA " + ca + ".crt -CAkey " + ca +
             ".key -CAcreateserial -out " + base + ".crt -days 2 -extfile " + ext_file);
}

}  // namespace

bool TestPki::Generate() {
  std::string d = dir.path() + "/";
  ca_crt = d + "ca.crt";
  ca_key = d + "ca.key";
  server_crt = d + "server.crt";
  server_key = d + "server.key";
  client_crt = d + "client.crt";
  client_key = d + "client.key";
  other_ca_crt = d + "other-ca.crt";
  other_server_crt = d + "other-server.crt";
  other_server_key = d + "other-server.key";
  const std::string server_ext =
      "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n";
  return MakeCa(d + "ca", "tidemark-test-ca") &&
         MakeLeaf(d + "server", d + "ca", "127.0.0.1", server_ext) &&
         MakeLeaf(d + "client", d + "ca", client_user,
                  "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n") &&
         MakeCa(d + "other-ca", "someone-elses-ca") &&
         MakeLeaf(d + "other-server", d + "other-ca", "127.0.0.1", server_ext);
}

std::string Base64File(const std::string& path) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string data = tidemark::testing::ReadFile(path);
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace tidemark::kube::testing
