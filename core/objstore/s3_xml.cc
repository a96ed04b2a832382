#include "core/objstore/s3_xml.h"

#include <charconv>

#include "core/objstore/xml.h"

namespace tidemark::objstore {

namespace {

std::unexpected<Error> Unexpected(std::string_view what, std::string message) {
  return MakeError(ErrorCode::kCorrupt, std::move(message), -1, std::string(what));
}

Result<XmlElement> Root(std::string_view body, std::string_view what, std::string_view name) {
  auto root = ParseXml(body, what);
  if (!root) return root;
  if (root->name == "Error") {
    auto e = ParseErrorBody(body);
    return MakeError(ErrorCode::kIo,
                     "S3 error " + e->code + ": " + e->message + " (request id " + e->request_id + ")",
                     -1, std::string(what));
  }
  if (root->name != name)
    return Unexpected(what, "expected a <" + std::string(name) + "> document, found <" + root->name + ">");
  return root;
}

}  // namespace

std::string UnquoteEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.starts_with('"') && etag.ends_with('"'))
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::optional<S3ErrorBody> ParseErrorBody(std::string_view body) {
  auto root = ParseXml(body, "error body");
  if (!root || root->name != "Error") return std::nullopt;
  return S3ErrorBody{root->ChildText("Code"), root->ChildText("Message"),
                     root->ChildText("RequestId"), root->ChildText("ServerTime")};
}

Result<ListPage> ParseListObjectsV2(std::string_view body) {
  constexpr std::string_view kWhat = "ListObjectsV2 response";
  auto root = Root(body, kWhat, "ListBucketResult");
  if (!root) return std::unexpected(root.error());
  ListPage page;
  page.is_truncated = root->ChildText("IsTruncated") == "true";
  page.next_continuation_token = root->ChildText("NextContinuationToken");
  if (page.is_truncated && page.next_continuation_token.empty())
    return Unexpected(kWhat, "IsTruncated is true but there is no NextContinuationToken");
  for (const auto& child : root->children) {
    if (child.name == "CommonPrefixes") {
      page.common_prefixes.push_back(child.ChildText("Prefix"));
      continue;
    }
    if (child.name != "Contents") continue;
    ListedObject object;
    const XmlElement* key = child.Child("Key");
    if (!key) return Unexpected(kWhat, "a <Contents> without a <Key>");
    object.key = key->text;
    std::string size = child.ChildText("Size");
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), object.size);
    if (ec != std::errc() || end != size.data() + size.size())
      return Unexpected(kWhat, "object " + object.key + ": expected a decimal <Size>, found '" + size + "'");
    object.etag = UnquoteEtag(child.ChildText("ETag"));
    object.last_modified = child.ChildText("LastModified");
    page.objects.push_back(std::move(object));
  }
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  constexpr std::string_view kWhat = "CreateMultipartUpload response";
  auto root = Root(body, kWhat, "InitiateMultipartUploadResult");
  if (!root) return std::unexpected(root.error());
  std::string id = root->ChildText("UploadId");
  if (id.empty()) return Unexpected(kWhat, "no <UploadId>");
  return id;
}

std::string CompleteMultipartUploadBody(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const auto& p : parts)
    out += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>" +
           XmlEscape(p.etag) + "</ETag></Part>";
  return out + "</CompleteMultipartUpload>";
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  auto root = Root(body, "CompleteMultipartUpload response", "CompleteMultipartUploadResult");
  if (!root) return std::unexpected(root.error());
  return UnquoteEtag(root->ChildText("ETag"));
}

Result<std::vector<OpenUpload>> ParseListMultipartUploads(std::string_view body) {
  auto root = Root(body, "ListMultipartUploads response", "ListMultipartUploadsResult");
  if (!root) return std::unexpected(root.error());
  std::vector<OpenUpload> uploads;
  for (const auto& child : root->children)
    if (child.name == "Upload") uploads.push_back({child.ChildText("Key"), child.ChildText("UploadId")});
  return uploads;
}

}  // namespace tidemark::objstore
