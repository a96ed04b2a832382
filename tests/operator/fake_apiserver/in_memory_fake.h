// A fixture for tests of the fake API server itself: the fake without a socket (requests go
// straight to Handle(), so a test needs no port and no HTTP client) and with anonymous requests
// treated as admin (the tests are about the API's behaviour, not about authorisation).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/operator/fake_apiserver/fake_apiserver.h"

namespace tidemark::fake {

class InMemoryFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    FakeApiServerOptions options;
    options.require_auth = false;
    server_ = FakeApiServer::Start(options, &error, /*serve_http=*/false);
    ASSERT_NE(server_, nullptr) << error;
  }
  // `content_type` "": the request carries no content-type header.
  FakeResponse Send(const std::string& method, const std::string& path,
                    const std::string& content_type, const std::string& body) {
    std::map<std::string, std::string> headers;
    if (!content_type.empty()) headers["content-type"] = content_type;
    return server_->Handle(method, path, headers, body);
  }
  std::unique_ptr<FakeApiServer> server_;
};

}  // namespace tidemark::fake
