// AWS Signature Version 4 for S3 requests sent with an Authorization header (the payload in a
// single chunk, signed as its SHA-256 or as UNSIGNED-PAYLOAD). Pure: the caller passes the
// time, so tests sign with a fixed clock and compare with AWS's published examples and botocore.
//
// The S3 flavour of SigV4 differs from the generic one in two ways that matter here: the path
// is URI-encoded once (each segment; '/' kept; no second encoding and no '.'/'..' folding), and
// the x-amz-content-sha256 header is always sent and signed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::objstore {

// The literal S3 accepts instead of a payload hash (TLS protects the body in transit).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; empty otherwise
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

// A request as the signer sees it. `path` and the query are NOT encoded (a key is the object's
// key as the user wrote it, UTF-8); the signer encodes them the way the request line must carry
// them (CanonicalUri, CanonicalQuery), so what is signed is what is sent.
struct SignableRequest {
  std::string method;         // GET, PUT, ...
  std::string path;           // "/bucket/key" or "/key", starting with '/'
  QueryList query;            // in any order; a flag like "uploads" has an empty value
  HeaderList headers;         // must include "host"; names in any case
  std::string payload_hash;   // 64 lowercase hex digits, or kUnsignedPayload
};

// RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) stay; every other byte becomes %XX
// (upper-case hex). '/' stays when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);
// The path as sent on the request line and signed: UriEncode(path, keep_slash=true).
std::string CanonicalUri(std::string_view path);
// Names and values encoded, pairs sorted by encoded name then value, joined with '&'.
std::string CanonicalQuery(const QueryList& query);

// "20130524T000000Z" for a Unix time.
std::string AmzDate(int64_t unix_seconds);

struct SigningInput {
  const Credentials& credentials;
  std::string_view region;          // "us-east-1"
  std::string_view service = "s3";
  int64_t unix_seconds = 0;         // the request's time (x-amz-date)
};

// Adds x-amz-date, x-amz-content-sha256 and (with a session token) x-amz-security-token to
// `request.headers`, replacing any present, then returns the Authorization header's value.
// Every header of the request is signed; the caller must not add headers afterwards.
std::string Sign(SignableRequest& request, const SigningInput& input);

// The intermediate strings, exposed for tests and for the error message of a
// SignatureDoesNotMatch (S3 returns its own canonical request to compare with).
std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// Lowercase hex SHA-256 of `data` (the payload hash of a body held in memory).
std::string Sha256Hex(std::string_view data);

}  // namespace tidemark::objstore
