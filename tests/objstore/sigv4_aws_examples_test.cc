// The signer against the worked examples of AWS's S3 API reference ("Signature Calculations for
// the Authorization Header: Transferring Payload in a Single Chunk"): same credentials, time and
// requests, the published Authorization headers.
#include <gtest/gtest.h>

#include "core/objstore/sigv4.h"

namespace tidemark::objstore {
namespace {

const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr int64_t k20130524 = 1369353600;  // 2013-05-24T00:00:00Z
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string SignExample(SignableRequest request) {
  return Sign(request, SigningInput{kCreds, "us-east-1", "s3", k20130524});
}

TEST(SigV4AwsExamples, GetObjectWithRange) {
  EXPECT_EQ(SignExample({"GET", "/test.txt", {},
                         {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}},
                         kEmptyHash}),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4AwsExamples, PutObjectEncodesTheDollarInTheKey) {
  std::string body = "Welcome to Amazon S3.";
  ASSERT_EQ(Sha256Hex(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SignableRequest request{"PUT", "/test$file.text", {},
                          {{"Host", "examplebucket.s3.amazonaws.com"},
                           {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                           {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                          Sha256Hex(body)};
  EXPECT_EQ(CanonicalUri(request.path), "/test%24file.text");
  EXPECT_EQ(SignExample(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4AwsExamples, GetBucketLifecycleSubresource) {
  EXPECT_EQ(SignExample({"GET", "/", {{"lifecycle", ""}},
                         {{"Host", "examplebucket.s3.amazonaws.com"}}, kEmptyHash}),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4AwsExamples, ListObjectsQuerySorted) {
  SignableRequest request{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}},
                          {{"Host", "examplebucket.s3.amazonaws.com"}}, kEmptyHash};
  EXPECT_EQ(CanonicalQuery(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(SignExample(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  Credentials temp = kCreds;
  temp.session_token = "token/with+odd=chars";
  SignableRequest request{"GET", "/k", {}, {{"host", "h"}}, kEmptyHash};
  std::string auth = Sign(request, SigningInput{temp, "us-east-1", "s3", k20130524});
  EXPECT_NE(auth.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  bool found = false;
  for (const auto& [n, v] : request.headers) found |= n == "x-amz-security-token" && v == temp.session_token;
  EXPECT_TRUE(found);
}

TEST(SigV4, UriEncodingKeepsUnreservedAndSlashOnlyInPaths) {
  EXPECT_EQ(CanonicalUri("/a b/c~d+e=f/é"), "/a%20b/c~d%2Be%3Df/%C3%A9");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  // Already-encoded text is encoded again: S3 keys are literal, '%' is a character of the key.
  EXPECT_EQ(CanonicalUri("/100%"), "/100%25");
}

}  // namespace
}  // namespace tidemark::objstore
