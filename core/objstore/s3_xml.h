// The S3 XML documents the client reads and writes, as plain structs. Pure; the XML itself is
// read by xml.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace tidemark::objstore {

// <Error><Code/><Message/><RequestId/></Error>: every failed S3 call's body.
struct S3ErrorBody {
  std::string code;        // "NoSuchKey", "SlowDown", "RequestTimeTooSkewed", ...
  std::string message;
  std::string request_id;
  std::string server_time;  // <ServerTime>, sent with RequestTimeTooSkewed
};
// nullopt when `body` is not an S3 Error document (an HTML page from a proxy, empty, ...).
std::optional<S3ErrorBody> ParseErrorBody(std::string_view body);

// An ETag as S3 sends it, in quotes (in XML and in the ETag header), without them.
std::string UnquoteEtag(std::string_view etag);

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // with its quotes removed
  std::string last_modified;  // ISO 8601 as the server wrote it
};

struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter
  bool is_truncated = false;
  std::string next_continuation_token;  // set when is_truncated
};
Result<ListPage> ParseListObjectsV2(std::string_view body);

// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

struct CompletedPart {
  int number = 0;
  std::string etag;  // as the server returned it for UploadPart, quotes included
};
std::string CompleteMultipartUploadBody(const std::vector<CompletedPart>& parts);
// CompleteMultipartUpload can answer 200 with an Error document (S3 sends the status line
// before it has assembled the parts): an error then, the final ETag otherwise.
Result<std::string> ParseCompleteMultipartUpload(std::string_view body);

struct OpenUpload {
  std::string key;
  std::string upload_id;
};
Result<std::vector<OpenUpload>> ParseListMultipartUploads(std::string_view body);

}  // namespace tidemark::objstore
