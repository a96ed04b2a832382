// Any text as a kubeconfig: parsing must return a configuration or a kConfig error, never crash
// or hang, and whatever it accepts must name a server and be TLS-verifiable (a CA, or the system
// store) unless it is a loopback http:// server. File references are resolved against an empty
// directory, so only absolute paths reach the file system.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "operator/kube/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  tidemark::kube::KubeconfigOptions options;
  options.allow_insecure_flag = size % 2 == 0;
  auto config = tidemark::kube::ParseKubeconfig(text, "/nonexistent-fuzz-base", options);
  if (!config) return 0;
  if (config->server.empty()) std::abort();
  bool https = config->server.rfind("https://", 0) == 0;
  bool loopback = config->server.rfind("http://127.0.0.1:", 0) == 0 ||
                  config->server.rfind("http://localhost:", 0) == 0 ||
                  config->server.rfind("http://[::1]:", 0) == 0;
  if (!https && !loopback) std::abort();
  return 0;
}
