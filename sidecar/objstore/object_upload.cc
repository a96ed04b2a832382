#include <string>

#include "sidecar/objstore/s3_call.h"
#include "sidecar/objstore/s3_client.h"

namespace tidemark::objstore {

namespace {
constexpr size_t kMaxParts = 10'000;
}  // namespace

ObjectUpload::ObjectUpload(S3Client& client, std::string key, UserMetadata metadata,
                           std::optional<uint64_t> streamed_length)
    : client_(client),
      key_(std::move(key)),
      metadata_(std::move(metadata)),
      streamed_length_(streamed_length) {}

ObjectUpload::~ObjectUpload() {
  if (!done_) (void)Abort();
}

Status ObjectUpload::Fail(Error error) {
  if (auto aborted = Abort(); !aborted)
    error.message += "; and aborting upload " + upload_id_ + " failed too: " + aborted.error().message;
  return std::unexpected(std::move(error));
}

Status ObjectUpload::Update(std::span<const uint8_t> chunk) {
  if (done_) return MakeError(ErrorCode::kInvalidArgument, "upload already finished or aborted", -1, client_.Url(key_));
  if (streamed_length_) return StreamUpdate(chunk);
  const size_t part_size = client_.config().part_size;
  while (!chunk.empty()) {
    if (part_.capacity() < part_size) part_.reserve(part_size);
    size_t n = std::min(chunk.size(), part_size - part_.size());
    part_.insert(part_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    chunk = chunk.subspan(n);
    bytes_ += n;
    // A full part is sent only once more bytes follow, so an object of exactly one part is
    // still a single PutObject.
    if (part_.size() == part_size && !chunk.empty())
      if (auto s = SendPart(); !s) return s;
  }
  return {};
}

Status ObjectUpload::SendPart() {
  auto& impl = *client_.impl_;
  if (upload_id_.empty()) {
    S3Call create{"POST", key_};
    create.query = {{"uploads", ""}};
    for (const auto& [name, value] : metadata_) create.headers.emplace_back("x-amz-meta-" + name, value);
    auto reply = impl.ExecuteRead(create);
    if (!reply) return Fail(reply.error());
    auto id = ParseInitiateMultipartUpload(*reply);
    if (!id) return Fail(id.error());
    upload_id_ = *id;
  }
  if (parts_.size() >= kMaxParts)
    return Fail(Error{ErrorCode::kInvalidArgument, client_.Url(key_), -1,
                      "more than 10,000 parts of " + std::to_string(client_.config().part_size) +
                          " bytes: raise the part size"});
  int number = static_cast<int>(parts_.size()) + 1;
  S3Call put{"PUT", key_};
  put.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}};
  put.body = part_;
  auto head = impl.Execute(put);
  if (!head) return Fail(head.error());
  std::string etag = head->Header("ETag");
  auto rest = impl.connection->ReadBodyString(64 << 10);
  if (etag.empty())
    return Fail(Error{ErrorCode::kIo, client_.Url(key_), -1,
                      "UploadPart " + std::to_string(number) + ": the reply has no ETag"});
  if (!rest) impl.connection->Close();
  parts_.push_back({number, etag});
  part_.clear();
  return {};
}

Result<std::string> ObjectUpload::Finish() {
  if (done_) return MakeError(ErrorCode::kInvalidArgument, "upload already finished or aborted", -1, client_.Url(key_));
  if (streamed_length_) return StreamFinish();
  auto& impl = *client_.impl_;
  if (upload_id_.empty()) {
    S3Call put{"PUT", key_};
    put.body = part_;
    for (const auto& [name, value] : metadata_) put.headers.emplace_back("x-amz-meta-" + name, value);
    auto head = impl.Execute(put);
    if (!head) {
      done_ = true;
      return std::unexpected(head.error());
    }
    std::string etag = head->Header("ETag");
    if (!impl.connection->ReadBodyString(64 << 10)) impl.connection->Close();
    done_ = true;
    if (etag.size() >= 2 && etag.front() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
  }
  if (!part_.empty())
    if (auto s = SendPart(); !s) return std::unexpected(s.error());
  std::string body = CompleteMultipartUploadBody(parts_);
  S3Call complete{"POST", key_};
  complete.query = {{"uploadId", upload_id_}};
  complete.body = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  auto reply = impl.ExecuteRead(complete);
  if (!reply) return std::unexpected(Fail(reply.error()).error());
  auto etag = ParseCompleteMultipartUpload(*reply);
  if (!etag) return std::unexpected(Fail(etag.error()).error());
  done_ = true;
  part_ = {};
  return etag;
}

Status ObjectUpload::Abort() {
  if (done_) return {};
  done_ = true;
  part_ = {};
  if (head_sent_) {
    // A PUT cut short: S3 and MinIO discard it, but a server that writes the body straight to
    // its final place (s3rver) keeps what arrived. The key is this upload's alone.
    client_.impl_->connection->Close();
    return client_.DeleteObject(key_);
  }
  if (upload_id_.empty()) return {};
  return client_.AbortMultipartUpload(key_, upload_id_);
}

S3Call ObjectUpload::StreamedPut() const {
  S3Call put{"PUT", key_};
  put.streamed_length = streamed_length_;
  for (const auto& [name, value] : metadata_) put.headers.emplace_back("x-amz-meta-" + name, value);
  return put;
}

Status ObjectUpload::StreamUpdate(std::span<const uint8_t> chunk) {
  auto& impl = *client_.impl_;
  if (bytes_ + chunk.size() > *streamed_length_)
    return Fail(Error{ErrorCode::kInvalidArgument, client_.Url(key_), -1,
                      "more bytes than the " + std::to_string(*streamed_length_) + " declared"});
  if (!head_sent_) {
    if (auto s = impl.SendStreamedHead(StreamedPut()); !s) {
      done_ = true;  // nothing of the body went: no object to remove
      return s;
    }
    head_sent_ = true;
  }
  if (chunk.empty()) return {};
  if (auto s = impl.connection->SendMore(chunk); !s)
    return Fail(Error{ErrorCode::kIo, client_.Url(key_), -1,
                      "PUT after " + std::to_string(bytes_) + " of " +
                          std::to_string(*streamed_length_) + " bytes: " + s.error().message +
                          " (a streamed PUT is not retried: its bytes are not kept)"});
  bytes_ += chunk.size();
  return {};
}

Result<std::string> ObjectUpload::StreamFinish() {
  if (bytes_ != *streamed_length_)
    return std::unexpected(
        Fail(Error{ErrorCode::kInvalidArgument, client_.Url(key_), -1,
                   std::to_string(bytes_) + " bytes written, " +
                       std::to_string(*streamed_length_) + " declared"})
            .error());
  if (!head_sent_)
    if (auto s = StreamUpdate({}); !s) return std::unexpected(s.error());
  auto& impl = *client_.impl_;
  auto head = impl.FinishStreamed(StreamedPut());
  if (!head) return std::unexpected(Fail(head.error()).error());
  std::string etag = head->Header("ETag");
  if (!impl.connection->ReadBodyString(64 << 10)) impl.connection->Close();
  done_ = true;
  if (etag.size() >= 2 && etag.front() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

}  // namespace tidemark::objstore
