// The signer against botocore's (the AWS SDK for Python's) on generated requests: methods, keys
// with spaces, unicode, '~', '+', '=', '%', query strings, odd header values, signed and
// unsigned payloads, session tokens, several regions; one fixed clock. botocore_sign.py generates
// the cases and botocore's Authorization header for each; both must be identical.
#include <gtest/gtest.h>

#include <cpprest/json.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "core/objstore/sigv4.h"

namespace tidemark::objstore {
namespace {

std::string RunScript(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << command << " failed (is python3-botocore installed? make setup)";
  return out;
}

// botocore separates the Authorization header's parts with ", ", AWS's examples (and Tidemark)
// with ","; S3 accepts both, the parts themselves must be equal.
std::string Normalized(std::string auth) {
  for (size_t at; (at = auth.find(", ")) != std::string::npos;) auth.erase(at + 1, 1);
  return auth;
}

TEST(SigV4Botocore, IdenticalAuthorizationOnGeneratedRequests) {
  std::string out = RunScript("/usr/bin/python3 " TIDEMARK_SOURCE_DIR
                              "/tests/objstore/botocore_sign.py 400 10");
  std::istringstream lines(out);
  std::string line;
  int compared = 0, unsigned_payloads = 0, tokens = 0, with_query = 0;
  while (std::getline(lines, line)) {
    auto c = web::json::value::parse(line);
    SignableRequest request;
    request.method = c.at("method").as_string();
    request.path = c.at("path").as_string();
    for (const auto& q : c.at("query").as_array())
      request.query.emplace_back(q.at(0).as_string(), q.at(1).as_string());
    for (const auto& h : c.at("headers").as_array())
      request.headers.emplace_back(h.at(0).as_string(), h.at(1).as_string());
    bool signed_payload = c.at("signed_payload").as_bool();
    request.payload_hash = signed_payload ? Sha256Hex(c.at("body").as_string())
                                          : std::string(kUnsignedPayload);
    Credentials creds{c.at("access_key").as_string(), c.at("secret_key").as_string(),
                      c.at("session_token").as_string()};
    std::string region = c.at("region").as_string();
    std::string ours = Sign(request, SigningInput{creds, region, "s3", c.at("unix_time").as_number().to_int64()});
    std::string theirs = Normalized(c.at("authorization").as_string());
    EXPECT_EQ(ours, theirs) << "case " << c.at("index").as_integer() << ": " << line;
    ++compared;
    unsigned_payloads += !signed_payload;
    tokens += !creds.session_token.empty();
    with_query += !request.query.empty();
  }
  EXPECT_EQ(compared, 400);
  // The generator must actually cover the variants the test claims.
  EXPECT_GT(unsigned_payloads, 50);
  EXPECT_GT(tokens, 50);
  EXPECT_GT(with_query, 50);
}

}  // namespace
}  // namespace tidemark::objstore
