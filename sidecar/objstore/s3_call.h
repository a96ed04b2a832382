// Inside S3Client: one S3 request with its retries. Private to sidecar/objstore.
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>

#include "core/objstore/endpoint.h"
#include "core/objstore/sigv4.h"
#include "sidecar/objstore/http_connection.h"
#include "sidecar/objstore/s3_client.h"

namespace tidemark::objstore {

struct S3Call {
  S3Call(std::string m, std::string k) : method(std::move(m)), key(std::move(k)) {}
  std::string method;
  std::string key;  // object key; ignored when bucket_level
  bool bucket_level = false;
  QueryList query;
  HeaderList headers;  // besides host and the x-amz-* the signer adds
  std::span<const uint8_t> body;
  // Set: the body is not in `body` but streamed by the caller after SendStreamedHead, this many
  // bytes, as UNSIGNED-PAYLOAD (its hash is not known when the head is signed).
  std::optional<uint64_t> streamed_length;
};

struct S3Client::Impl {
  S3Client* client = nullptr;
  Endpoint endpoint;
  std::string host_header;
  std::string path_prefix;  // "/bucket" (path-style) or "" (virtual-hosted)
  std::unique_ptr<HttpConnection> connection;
  // What a second connection needs (ObjectReader keeps its own, so a download stays open while
  // other calls use `connection`).
  HttpPeer peer;
  std::shared_ptr<TlsContext> tls;
  std::mt19937_64 rng;
  // Server time minus local time, learnt from a RequestTimeTooSkewed answer.
  int64_t skew_seconds = 0;

  // Sends `call` until it gets a 2xx response or gives up (see the retry rules in s3_client.h).
  // On success the body is still on the connection: the caller reads it (ReadBody). 404 is
  // ErrorCode::kNotFound; other failures kIo (transport, 5xx) or kInvalidArgument (4xx).
  Result<HttpResponseHead> Execute(const S3Call& call) { return Execute(call, *connection); }
  Result<HttpResponseHead> Execute(const S3Call& call, HttpConnection& conn);
  std::unique_ptr<HttpConnection> NewConnection() const;
  // Execute, then the whole body (an XML reply, at most 16 MiB).
  Result<std::string> ExecuteRead(const S3Call& call);
  // A request whose body the caller streams (call.streamed_length): the head is sent, retried
  // while no byte of the body has gone; then the caller writes exactly that many bytes with
  // connection->SendMore and calls FinishStreamed for the answer. Nothing is retried once body
  // bytes are on the wire: they are not kept.
  Status SendStreamedHead(const S3Call& call);
  Result<HttpResponseHead> FinishStreamed(const S3Call& call);
  void Backoff(int attempt);

 private:
  struct Refusal {
    Error error;
    bool retryable = false;
  };
  std::string RequestHead(const S3Call& call, const std::string& payload_hash);
  Result<HttpResponseHead> Attempt(const S3Call& call, const std::string& payload_hash,
                                   HttpConnection& conn);
  // The error for a non-2xx answer (its XML body read from `conn`), and whether it is worth
  // another try.
  Refusal Refused(const S3Call& call, const HttpResponseHead& response, HttpConnection& conn);
  std::string Where(const S3Call& call) const;
};

}  // namespace tidemark::objstore
