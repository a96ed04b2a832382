#include <cstring>

#include "core/objstore/s3_xml.h"
#include "sidecar/objstore/http_connection.h"
#include "sidecar/objstore/s3_call.h"
#include "sidecar/objstore/s3_client.h"

namespace tidemark::objstore {

namespace {

// The first byte of "bytes FIRST-LAST/TOTAL".
std::optional<uint64_t> ContentRangeFirst(std::string_view value) {
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  uint64_t first = 0;
  size_t i = 0;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i)
    first = first * 10 + static_cast<uint64_t>(value[i] - '0');
  if (i == 0 || i >= value.size() || value[i] != '-') return std::nullopt;
  return first;
}

}  // namespace

ObjectReader::ObjectReader(S3Client& client, std::unique_ptr<HttpConnection> own,
                           HttpConnection& conn, std::string key, std::optional<ByteRange> range,
                           std::string etag)
    : client_(client),
      own_(std::move(own)),
      conn_(conn),
      key_(std::move(key)),
      range_(range),
      etag_(UnquoteEtag(etag)) {
  if (range_ && range_->length) remaining_ = *range_->length;
}

ObjectReader::~ObjectReader() {
  // A body not read to its end would be read as the next answer's start.
  if (in_body_) conn_.Close();
}

Status ObjectReader::Fail(Error error) {
  if (in_body_) conn_.Close();
  in_body_ = false;
  if (error.where.empty()) error.where = client_.Url(key_);
  failed_ = error;
  return std::unexpected(std::move(error));
}

Status ObjectReader::Request() {
  S3Call call{"GET", key_};
  const uint64_t first = (range_ ? range_->first : 0) + delivered_;
  if (range_ || delivered_ > 0) {
    std::string value = "bytes=" + std::to_string(first) + "-";
    if (range_ && range_->length) value += std::to_string(range_->first + *range_->length - 1);
    call.headers.emplace_back("range", value);
  }
  // A resumed read must continue the same object, not whatever replaced it meanwhile.
  if (!etag_.empty()) call.headers.emplace_back("if-match", "\"" + etag_ + "\"");
  auto head = client_.impl_->Execute(call, conn_);
  if (!head) {
    Error e = head.error();
    if (!etag_.empty() && e.message.find("HTTP 412") != std::string::npos)
      e.message = "the object is no longer the one being read (ETag " + etag_ +
                  "), refused rather than spliced after " + std::to_string(delivered_) +
                  " bytes: " + e.message;
    return Fail(std::move(e));
  }
  ++requests_;
  in_body_ = true;
  const std::string etag = UnquoteEtag(head->Header("ETag"));
  if (!etag_.empty() && etag != etag_)
    return Fail(Error{ErrorCode::kCorrupt, client_.Url(key_), static_cast<int64_t>(first),
                      "the object was replaced while it was read (ETag " + etag_ + ", now '" +
                          etag + "'): refused rather than spliced after " +
                          std::to_string(delivered_) + " bytes"});
  if (etag_.empty() && requests_ > 1)
    return Fail(Error{ErrorCode::kIo, client_.Url(key_), static_cast<int64_t>(first),
                      "cannot resume the read: the server gave no ETag to prove it is the same "
                      "object"});
  etag_ = etag;
  whole_answer_ = head->status != 206;
  if (whole_answer_) {
    // HTTP lets a server ignore Range and send the whole object with 200 (s3rver does for
    // "bytes=0-0"): the same object (its ETag checked above), so its first bytes are dropped.
    skip_ = first;
  } else {
    skip_ = 0;
    const std::string content_range = head->Header("Content-Range");
    auto starts = ContentRangeFirst(content_range);
    if (!starts || *starts != first)
      return Fail(Error{ErrorCode::kCorrupt, client_.Url(key_), static_cast<int64_t>(first),
                        "asked for the bytes from " + std::to_string(first) +
                            ", the answer holds '" + content_range + "'"});
  }
  return {};
}

Status ObjectReader::Interrupted(const Error& error) {
  in_body_ = false;
  ++interruptions_;
  if (interruptions_ >= client_.config().retry.max_attempts)
    return Fail(Error{ErrorCode::kIo, client_.Url(key_), -1,
                      "GET failed after " + std::to_string(delivered_) + " bytes and " +
                          std::to_string(interruptions_) + " attempts: " + error.message});
  client_.impl_->Backoff(interruptions_);
  return {};
}

Result<size_t> ObjectReader::Read(std::span<uint8_t> out) {
  if (failed_) return std::unexpected(*failed_);
  if (done_ || out.empty()) return size_t{0};
  for (;;) {
    if (!in_body_) {
      if (remaining_ && *remaining_ == 0) {
        done_ = true;
        return size_t{0};
      }
      if (auto s = Request(); !s) return std::unexpected(s.error());
    }
    auto n = conn_.ReadBody(out);
    if (!n) {
      if (auto s = Interrupted(n.error()); !s) return std::unexpected(s.error());
      continue;
    }
    if (*n == 0) {
      in_body_ = false;
      if (remaining_ && *remaining_ > 0)
        return std::unexpected(Fail(Error{ErrorCode::kTruncated, client_.Url(key_), -1,
                                          "the object ended " + std::to_string(*remaining_) +
                                              " bytes before the end of the requested range"})
                                   .error());
      done_ = true;
      return size_t{0};
    }
    const size_t dropped = static_cast<size_t>(std::min<uint64_t>(skip_, *n));
    skip_ -= dropped;
    size_t got = *n - dropped;
    if (remaining_ && got > *remaining_) got = static_cast<size_t>(*remaining_);
    if (got == 0) continue;
    if (dropped > 0) std::memmove(out.data(), out.data() + dropped, got);
    delivered_ += got;
    if (remaining_) {
      *remaining_ -= got;
      if (*remaining_ == 0 && whole_answer_) {
        conn_.Close();  // the rest of an ignored range is not worth reading
        in_body_ = false;
        done_ = true;
      }
    }
    return got;
  }
}

std::unique_ptr<ObjectReader> S3Client::OpenObject(std::string_view key, std::string etag,
                                                   std::optional<ByteRange> range) {
  auto own = impl_->NewConnection();
  HttpConnection& conn = *own;
  return std::unique_ptr<ObjectReader>(
      new ObjectReader(*this, std::move(own), conn, std::string(key), range, std::move(etag)));
}

Status S3Client::GetObject(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  ObjectReader reader(*this, nullptr, *impl_->connection, std::string(key), range, "");
  std::vector<uint8_t> buf(256 << 10);
  for (;;) {
    auto n = reader.Read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return {};
    if (auto s = sink.Update(std::span<const uint8_t>(buf).first(*n)); !s) return s;
  }
}

}  // namespace tidemark::objstore
