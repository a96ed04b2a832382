// The HTTP implementation of KubeClient, on cpprestsdk's http_client with OpenSSL for the CA and
// client certificates. The only file that includes cpprestsdk for talking to the API server.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "operator/kube/client.h"
#include "operator/kube/config.h"

namespace tidemark::kube {

struct RetryPolicy {
  int max_attempts = 5;  // in all, the first try included
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10000};
};

struct HttpClientOptions {
  std::chrono::milliseconds request_timeout{30000};
  RetryPolicy retry;
  // How the client waits between retries (tests record instead of sleeping).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::string user_agent = "tidemark-operator";
};

// Retries: 429 and 5xx on every verb (a retried create that had gone through answers 409
// AlreadyExists, which the caller handles), transport failures on GET only. The delay before
// try n (n >= 1) is uniform in [d/2, d] with d = min(max_delay, base_delay * 2^(n-1)), and never
// shorter than a Retry-After the server sent (capped at max_delay).
// kConfig when the certificates or key in `config` do not parse.
KubeResult<std::unique_ptr<KubeClient>> MakeHttpKubeClient(const Config& config,
                                                           const HttpClientOptions& options = {});

}  // namespace tidemark::kube
