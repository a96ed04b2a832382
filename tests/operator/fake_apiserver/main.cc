// tidemark-fake-apiserver: the test fake of kube-apiserver as a process, for running the real
// operator binary against it. NOT a Kubernetes API server; see fake_apiserver.h.
//   tidemark-fake-apiserver [--token T]... [--tls-cert F --tls-key F [--client-ca F]]
//                           [--no-auth]
// Prints "listening on URL" and serves until SIGTERM/SIGINT.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/operator/fake_apiserver/fake_apiserver.h"

int main(int argc, char** argv) {
  tidemark::fake::FakeApiServerOptions options;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--token")
      tokens.push_back(next());
    else if (arg == "--tls-cert")
      options.tls_files.cert_file = next(), options.tls = true;
    else if (arg == "--tls-key")
      options.tls_files.key_file = next();
    else if (arg == "--client-ca")
      options.tls_files.client_ca_file = next();
    else if (arg == "--no-auth")
      options.require_auth = false;
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::string error;
  auto server = tidemark::fake::FakeApiServer::Start(options, &error);
  if (!server) {
    std::fprintf(stderr, "fake apiserver: %s\n", error.c_str());
    return 1;
  }
  for (const auto& t : tokens) server->AddAdminToken(t);
  std::printf("listening on %s\n", server->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
