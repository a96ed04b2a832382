#include "sidecar/objstore/s3_call.h"

#include <thread>

#include "core/objstore/retry.h"
#include "core/objstore/s3_xml.h"

namespace tidemark::objstore {

namespace {

constexpr size_t kMaxXmlReply = 16 << 20;
constexpr size_t kMaxErrorBody = 64 << 10;

}  // namespace

std::string S3Client::Impl::Where(const S3Call& call) const {
  return call.bucket_level ? "s3://" + client->config().bucket : client->Url(call.key);
}

void S3Client::Impl::Backoff(int attempt) {
  double draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  client->clock_.SleepMillis(BackoffDelay(client->config().retry, attempt, draw).count());
}

std::string S3Client::Impl::RequestHead(const S3Call& call, const std::string& payload_hash) {
  SignableRequest request;
  request.method = call.method;
  request.path = call.bucket_level ? (path_prefix.empty() ? "/" : path_prefix)
                                   : path_prefix + "/" + call.key;
  request.query = call.query;
  request.headers = call.headers;
  request.headers.emplace_back("host", host_header);
  request.payload_hash = payload_hash;
  int64_t now = client->clock_.NowUnix() + skew_seconds;
  std::string authorization =
      Sign(request, SigningInput{client->config().credentials, client->config().region, "s3", now});

  std::string target = CanonicalUri(request.path);
  if (!request.query.empty()) target += "?" + CanonicalQuery(request.query);
  std::string head = request.method + " " + target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : request.headers) head += name + ": " + value + "\r\n";
  head += "authorization: " + authorization + "\r\n";
  if (call.streamed_length)
    head += "content-length: " + std::to_string(*call.streamed_length) + "\r\n";
  else if (!call.body.empty() || call.method == "PUT" || call.method == "POST")
    head += "content-length: " + std::to_string(call.body.size()) + "\r\n";
  head += "user-agent: tidemark\r\n\r\n";
  return head;
}

Result<HttpResponseHead> S3Client::Impl::Attempt(const S3Call& call, const std::string& payload_hash,
                                                 HttpConnection& conn) {
  auto sent = conn.Send(RequestHead(call, payload_hash), call.body);
  if (!sent) return std::unexpected(sent.error());
  return conn.ReadHead(call.method == "HEAD");
}

std::unique_ptr<HttpConnection> S3Client::Impl::NewConnection() const {
  const S3Config& config = client->config();
  return std::make_unique<HttpConnection>(peer, tls,
                                          HttpTimeouts{config.connect_timeout, config.io_timeout});
}

Status S3Client::Impl::SendStreamedHead(const S3Call& call) {
  const std::string payload_hash(kUnsignedPayload);
  for (int attempt = 1;; ++attempt) {
    auto sent = connection->Send(RequestHead(call, payload_hash), {});
    if (sent) return {};
    if (sent.error().code == ErrorCode::kInvalidArgument || attempt >= client->config().retry.max_attempts)
      return MakeError(sent.error().code,
                       call.method + " failed after " + std::to_string(attempt) +
                           " attempts: " + sent.error().message + " (" + sent.error().where + ")",
                       -1, Where(call));
    Backoff(attempt);
  }
}

Result<HttpResponseHead> S3Client::Impl::FinishStreamed(const S3Call& call) {
  auto response = connection->ReadHead(false);
  if (!response)
    return MakeError(ErrorCode::kIo, call.method + ": " + response.error().message + " (" + response.error().where + ")",
                     -1, Where(call));
  if (response->status >= 200 && response->status < 300) return response;
  return std::unexpected(Refused(call, *response, *connection).error);
}

S3Client::Impl::Refusal S3Client::Impl::Refused(const S3Call& call, const HttpResponseHead& response,
                                                HttpConnection& conn) {
  std::string body;
  if (call.method != "HEAD") {
    auto read = conn.ReadBodyString(kMaxErrorBody);
    if (read) body = std::move(*read);
    else conn.Close();
  }
  auto parsed = ParseErrorBody(body);
  S3ErrorBody error = parsed ? *parsed : S3ErrorBody{};
  std::string message = call.method + ": HTTP " + std::to_string(response.status) + " " + response.reason;
  if (!error.code.empty()) message += ": " + error.code;
  if (!error.message.empty()) message += ": " + error.message;
  if (!error.request_id.empty()) message += " (request id " + error.request_id + ")";

  if (error.code == "RequestTimeTooSkewed") {
    int64_t local = client->clock_.NowUnix();
    auto server = ParseServerTime(error.server_time);
    if (!server) server = ParseServerTime(response.Header("Date"));
    message = "clock skew: server time " + (server ? FormatIsoTime(*server) : "unknown") +
              ", local " + FormatIsoTime(local) + " (" + message + ")";
    // Sign the next attempt with the server's clock, as the SDKs do.
    if (server) skew_seconds = *server - local;
  }
  const bool retryable = IsRetryableStatus(response.status, error.code);
  ErrorCode code = response.status == 404 ? ErrorCode::kNotFound
                   : response.status >= 500 || retryable ? ErrorCode::kIo
                                                         : ErrorCode::kInvalidArgument;
  return {Error{code, Where(call), -1, std::move(message)}, retryable};
}

Result<HttpResponseHead> S3Client::Impl::Execute(const S3Call& call, HttpConnection& conn) {
  const S3Config& config = client->config();
  std::string payload_hash = config.sign_payload || call.body.empty()
                                 ? Sha256Hex(std::string_view(reinterpret_cast<const char*>(call.body.data()), call.body.size()))
                                 : std::string(kUnsignedPayload);
  for (int attempt = 1;; ++attempt) {
    bool last = attempt >= config.retry.max_attempts;
    auto response = Attempt(call, payload_hash, conn);
    if (!response) {
      if (response.error().code == ErrorCode::kInvalidArgument)
        return MakeError(ErrorCode::kInvalidArgument,
                         call.method + ": " + response.error().message + " (" + response.error().where + ")",
                         -1, Where(call));
      if (last)
        return MakeError(ErrorCode::kIo,
                         call.method + " failed after " + std::to_string(attempt) +
                             " attempts: " + response.error().message + " (" + response.error().where + ")",
                         -1, Where(call));
      Backoff(attempt);
      continue;
    }
    if (response->status >= 200 && response->status < 300) return response;

    Refusal refused = Refused(call, *response, conn);
    if (refused.retryable && !last) {
      Backoff(attempt);
      continue;
    }
    if (refused.retryable) refused.error.message += " (after " + std::to_string(attempt) + " attempts)";
    return std::unexpected(std::move(refused.error));
  }
}

Result<std::string> S3Client::Impl::ExecuteRead(const S3Call& call) {
  // A reply cut off mid-body is retried like one that never came (every call here is
  // idempotent: PUT and DELETE of the same bytes, GET of a listing).
  for (int attempt = 1;; ++attempt) {
    auto head = Execute(call);
    if (!head) return std::unexpected(head.error());
    auto body = connection->ReadBodyString(kMaxXmlReply);
    if (body) return body;
    if (attempt >= client->config().retry.max_attempts)
      return MakeError(ErrorCode::kIo, call.method + ": reading the reply: " + body.error().message,
                       -1, Where(call));
    Backoff(attempt);
  }
}

}  // namespace tidemark::objstore
