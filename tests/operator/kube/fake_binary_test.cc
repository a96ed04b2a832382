// The fake API server as a process (tidemark-fake-apiserver), the way the operator binary's
// end-to-end tests will use it: it prints its URL, serves the client, and stops on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "operator/kube/http_client.h"

namespace tidemark::kube {
namespace {

TEST(FakeApiServerBinary, PrintsItsUrlServesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::execl(TIDEMARK_FAKE_APISERVER, TIDEMARK_FAKE_APISERVER, "--token", "bin-token",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr);
  std::string text = line;
  ASSERT_EQ(text.rfind("listening on http://127.0.0.1:", 0), 0u) << text;
  Config config;
  config.server = text.substr(13, text.find('\n') - 13);
  config.token = TokenSource::Fixed("bin-token");
  auto client = MakeHttpKubeClient(config);
  ASSERT_TRUE(client);
  auto made = (*client)->Create(resources::Leases(), "rec",
                                R"({"metadata":{"name":"leader"},"spec":{"holderIdentity":"a"}})");
  EXPECT_TRUE(made) << made.error().ToString();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 500 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::fclose(f);
}

}  // namespace
}  // namespace tidemark::kube
