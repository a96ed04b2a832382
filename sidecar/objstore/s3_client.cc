#include "sidecar/objstore/s3_client.h"

#include <algorithm>
#include <fstream>
#include <random>

#include "core/objstore/endpoint.h"
#include "core/objstore/s3_xml.h"
#include "sidecar/objstore/http_connection.h"
#include "sidecar/objstore/s3_call.h"

namespace tidemark::objstore {

namespace {

constexpr size_t kMinPartSize = 5 << 20;
constexpr size_t kMaxPartSize = size_t{5} << 30;
constexpr size_t kGetChunk = 256 << 10;

bool ValidMetadataName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

Result<std::unique_ptr<S3Client>> S3Client::Create(S3Config config, sidecar::Clock& clock) {
  auto endpoint = ParseEndpoint(config.endpoint);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto invalid = [](std::string field, std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), -1, std::move(field));
  };
  if (config.bucket.empty()) return invalid("objectStore.bucket", "a bucket name is required");
  if (config.addressing == Addressing::kVirtualHosted && !IsDnsCompatibleBucket(config.bucket))
    return invalid("objectStore.bucket",
                   "bucket '" + config.bucket +
                       "' cannot be part of a host name (virtual-hosted addressing): use path-style");
  if (config.bucket.find('/') != std::string::npos)
    return invalid("objectStore.bucket", "a bucket name cannot contain '/'");
  if (config.region.empty()) return invalid("objectStore.region", "a region is required");
  if (config.part_size < kMinPartSize || config.part_size > kMaxPartSize)
    return invalid("part_size", "expected 5 MiB to 5 GiB (S3's limits), found " +
                                    std::to_string(config.part_size));
  if (config.stream_put_max > kMaxPartSize)
    return invalid("stream_put_max", "expected at most 5 GiB (S3's limit for one PUT), found " +
                                         std::to_string(config.stream_put_max));
  if (config.retry.max_attempts < 1) return invalid("retry", "max_attempts must be at least 1");
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty())
    return invalid("objectStore.credentials", "an access key id and a secret access key are required");

  auto impl = std::make_unique<Impl>();
  impl->endpoint = *endpoint;
  std::string host = endpoint->host;
  if (config.addressing == Addressing::kVirtualHosted) {
    host = config.bucket + "." + endpoint->host;
  } else {
    impl->path_prefix = "/" + config.bucket;
  }
  impl->host_header = HostHeader(*endpoint, host);
  HttpPeer peer{endpoint->tls, host, endpoint->port, host, endpoint->port};
  if (!config.connect_to.empty()) {
    auto target = ParseEndpoint("http://" + config.connect_to);
    if (!target || !target->explicit_port)
      return invalid("connect_to", "expected host:port, found '" + config.connect_to + "'");
    peer.connect_host = target->host;
    peer.connect_port = target->port;
  }
  std::shared_ptr<TlsContext> tls;
  if (endpoint->tls) {
    if (!config.ca_bundle_file.empty() && !std::ifstream(config.ca_bundle_file))
      return invalid(config.ca_bundle_file, "cannot read the CA bundle file");
    auto made = MakeTlsContext(config.ca_bundle_file);
    if (!made) return std::unexpected(made.error());
    tls = *made;
  }
  impl->connection = std::make_unique<HttpConnection>(
      peer, tls, HttpTimeouts{config.connect_timeout, config.io_timeout});
  impl->peer = std::move(peer);
  impl->tls = std::move(tls);
  impl->rng.seed(std::random_device{}());
  return std::unique_ptr<S3Client>(new S3Client(std::move(config), clock, std::move(impl)));
}

S3Client::S3Client(S3Config config, sidecar::Clock& clock, std::unique_ptr<Impl> impl)
    : config_(std::move(config)), clock_(clock), impl_(std::move(impl)) {
  impl_->client = this;
}

S3Client::~S3Client() = default;

std::string S3Client::Url(std::string_view key) const {
  return "s3://" + config_.bucket + "/" + std::string(key);
}

Status S3Client::PutObject(std::string_view key, std::span<const uint8_t> body,
                           const UserMetadata& metadata) {
  S3Call call{"PUT", std::string(key)};
  call.body = body;
  for (const auto& [name, value] : metadata) {
    if (!ValidMetadataName(name))
      return MakeError(ErrorCode::kInvalidArgument,
                       "metadata name '" + name + "': expected lower-case letters, digits, - and _",
                       -1, Url(key));
    call.headers.emplace_back("x-amz-meta-" + name, value);
  }
  auto reply = impl_->ExecuteRead(call);
  if (!reply) return std::unexpected(reply.error());
  return {};
}

std::unique_ptr<ObjectUpload> S3Client::StartUpload(std::string_view key, UserMetadata metadata,
                                                   std::optional<uint64_t> size) {
  // At most one part still goes from memory, where a failed PUT can be retried whole.
  std::optional<uint64_t> streamed;
  if (size && *size > config_.part_size && *size <= config_.stream_put_max) streamed = size;
  return std::unique_ptr<ObjectUpload>(
      new ObjectUpload(*this, std::string(key), std::move(metadata), streamed));
}

Result<std::string> S3Client::UploadFrom(std::string_view key, ByteSource& source,
                                         UserMetadata metadata) {
  auto upload = StartUpload(key, std::move(metadata));
  std::vector<uint8_t> buf(kGetChunk);
  for (;;) {
    auto n = source.Read(buf);
    if (!n) {
      (void)upload->Abort();
      return std::unexpected(n.error());
    }
    if (*n == 0) break;
    if (auto s = upload->Update(std::span<const uint8_t>(buf).first(*n)); !s)
      return std::unexpected(s.error());
  }
  return upload->Finish();
}

Result<std::optional<ObjectInfo>> S3Client::HeadObject(std::string_view key) {
  S3Call call{"HEAD", std::string(key)};
  auto head = impl_->Execute(call);
  if (!head) {
    if (head.error().code == ErrorCode::kNotFound) return std::optional<ObjectInfo>();
    return std::unexpected(head.error());
  }
  ObjectInfo info;
  std::string length = head->Header("Content-Length");
  info.size = length.empty() ? 0 : std::stoull(length);
  info.etag = UnquoteEtag(head->Header("ETag"));
  info.last_modified = head->Header("Last-Modified");
  for (const auto& [name, value] : head->headers) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower.starts_with("x-amz-meta-")) info.metadata.emplace_back(lower.substr(11), value);
  }
  std::sort(info.metadata.begin(), info.metadata.end());
  return std::optional<ObjectInfo>(std::move(info));
}

Status S3Client::DeleteObject(std::string_view key) {
  S3Call call{"DELETE", std::string(key)};
  auto reply = impl_->ExecuteRead(call);
  if (!reply && reply.error().code != ErrorCode::kNotFound) return std::unexpected(reply.error());
  return {};
}

Result<ListPage> S3Client::ListObjectsPage(std::string_view prefix,
                                           std::string_view continuation_token, int max_keys,
                                           std::string_view delimiter) {
  S3Call call{"GET", ""};
  call.bucket_level = true;
  call.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) call.query.emplace_back("prefix", std::string(prefix));
  if (!continuation_token.empty())
    call.query.emplace_back("continuation-token", std::string(continuation_token));
  if (!delimiter.empty()) call.query.emplace_back("delimiter", std::string(delimiter));
  auto reply = impl_->ExecuteRead(call);
  if (!reply) return std::unexpected(reply.error());
  return ParseListObjectsV2(*reply);
}

Result<std::vector<ListedObject>> S3Client::ListObjects(std::string_view prefix, int page_size) {
  std::vector<ListedObject> all;
  std::string token;
  do {
    auto page = ListObjectsPage(prefix, token, page_size);
    if (!page) return std::unexpected(page.error());
    if (page->is_truncated && page->next_continuation_token == token)
      return MakeError(ErrorCode::kCorrupt, "ListObjectsV2 returned the same continuation token twice",
                       -1, Url(prefix));
    for (auto& o : page->objects) all.push_back(std::move(o));
    token = page->is_truncated ? page->next_continuation_token : "";
  } while (!token.empty());
  return all;
}

Result<std::vector<OpenUpload>> S3Client::ListMultipartUploads(std::string_view prefix) {
  S3Call call{"GET", ""};
  call.bucket_level = true;
  call.query = {{"uploads", ""}};
  if (!prefix.empty()) call.query.emplace_back("prefix", std::string(prefix));
  auto reply = impl_->ExecuteRead(call);
  if (!reply) return std::unexpected(reply.error());
  return ParseListMultipartUploads(*reply);
}

Status S3Client::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  S3Call call{"DELETE", std::string(key)};
  call.query = {{"uploadId", std::string(upload_id)}};
  auto reply = impl_->ExecuteRead(call);
  // NoSuchUpload: already aborted or completed; either way nothing is left open.
  if (!reply && reply.error().code != ErrorCode::kNotFound) return std::unexpected(reply.error());
  return {};
}

}  // namespace tidemark::objstore
