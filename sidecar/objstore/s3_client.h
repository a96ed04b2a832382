// A client for S3 and S3-compatible object stores (AWS, MinIO, Ceph RGW, R2, GCS interop): the
// few calls a backup store needs, signed with SigV4 (core/objstore/sigv4.h), over HTTP/1.1 or
// HTTPS with a verified certificate, retried with backoff on the failures that are worth it.
//
// Memory is bounded: request bodies are sent from the caller's memory, an upload keeps one part
// in memory (S3Config::part_size), a download streams into a ByteSink in small chunks, and XML
// replies are capped. Errors are values: Error::where names the object ("s3://bucket/key"),
// Error::message the HTTP status, S3's code and message and its request id.
//
// Retries (see docs/object-store.md): on connection failures (refused, reset, timed out, closed
// early), 5xx (500, 502, 503 SlowDown, 504) and RequestTimeTooSkewed, with exponential backoff and
// full jitter, up to RetryPolicy::max_attempts. Never on other 4xx. A clock-skew refusal re-signs
// with the server's time and, if the attempts run out, says "clock skew: server time X, local Y".
//
// Thread-safety: none; one client per thread. A client keeps one connection open between calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "core/objstore/retry.h"
#include "core/objstore/s3_xml.h"
#include "core/objstore/sigv4.h"
#include "sidecar/clock.h"

namespace tidemark::objstore {

enum class Addressing {
  kPath,           // https://endpoint/bucket/key (MinIO, Ceph, s3rver, most private endpoints)
  kVirtualHosted,  // https://bucket.endpoint/key (AWS's default)
};

struct S3Config {
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string bucket;
  std::string region = "us-east-1";
  Addressing addressing = Addressing::kPath;
  Credentials credentials;
  // PEM file of the CAs to trust for an https endpoint; empty: the system's trust store. The
  // peer's certificate and host name are always verified; there is no way to turn that off.
  std::string ca_bundle_file;
  // false: bodies are sent as UNSIGNED-PAYLOAD (saves one SHA-256 pass over every byte; the
  // bytes are still protected by TLS on https and by the caller's own checksums).
  bool sign_payload = true;
  // Bytes per multipart part, held in memory once per upload. S3's minimum is 5 MiB (except
  // the last part), its maximum 5 GiB, and an upload has at most 10,000 parts.
  size_t part_size = 8 << 20;
  // An upload whose size is declared up front (StartUpload's `size`) and is larger than one part
  // but at most this goes as one PutObject streamed as the bytes come, instead of a multipart
  // upload: no part in memory, no CompleteMultipartUpload (which some servers pay for with a
  // copy of every byte), the send overlapped with whatever produces the bytes. Its body is
  // UNSIGNED-PAYLOAD (the hash is not known when the head is signed) and a failure after the
  // first body byte is not retried: the caller starts over. S3's limit for one PUT is 5 GiB.
  // 0: always multipart. docs/object-store.md, "One PUT or a multipart upload".
  uint64_t stream_put_max = uint64_t{5} << 30;
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10'000};
  // Longest wait for any one read or write on the socket.
  std::chrono::milliseconds io_timeout{60'000};
  // Connect here ("127.0.0.1:9000") instead of resolving the endpoint's host; Host, SNI and
  // certificate checks still use the endpoint's name. For tests and split-horizon DNS.
  std::string connect_to;
};

// User metadata: names without the "x-amz-meta-" prefix, lower case; ASCII values.
using UserMetadata = std::vector<std::pair<std::string, std::string>>;

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string last_modified;
  UserMetadata metadata;  // sorted by name
};

// Bytes [first, first + length) of an object; length nullopt: to the end.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> length;
};

class S3Client;
struct S3Call;
class HttpConnection;

// One object being written: a ByteSink fed in order. Up to one part of bytes it stays in
// memory and Finish sends a single PutObject; beyond, it becomes a multipart upload that sends
// each full part as it fills. Any failure (or destroying it unfinished) aborts the multipart
// upload so no parts stay billed and invisible; the object appears only when Finish succeeds.
// With a declared size between one part and S3Config::stream_put_max it is instead one PutObject
// whose body is written to the socket as Update receives it; a count of bytes other than the
// declared one fails, the connection is dropped (the server discards the incomplete PUT) and the
// key is deleted in case the server kept what arrived.
class ObjectUpload final : public ByteSink {
 public:
  ~ObjectUpload() override;
  ObjectUpload(const ObjectUpload&) = delete;
  ObjectUpload& operator=(const ObjectUpload&) = delete;

  Status Update(std::span<const uint8_t> chunk) override;
  // Sends what is left and completes the object; returns its ETag (without quotes). After an
  // error the upload is aborted and further calls fail.
  Result<std::string> Finish();
  // Gives up: aborts the multipart upload if one was started. Idempotent.
  Status Abort();

  uint64_t bytes() const { return bytes_; }
  // True when the bytes go as one streamed PutObject (see above).
  bool streamed() const { return streamed_length_.has_value(); }
  // The multipart upload's id once one is open (tests use it to check that none is left).
  const std::string& upload_id() const { return upload_id_; }

 private:
  friend class S3Client;
  ObjectUpload(S3Client& client, std::string key, UserMetadata metadata,
               std::optional<uint64_t> streamed_length);
  Status SendPart();
  Status Fail(Error error);
  Status StreamUpdate(std::span<const uint8_t> chunk);
  S3Call StreamedPut() const;
  Result<std::string> StreamFinish();

  S3Client& client_;
  std::string key_;
  UserMetadata metadata_;
  std::vector<uint8_t> part_;
  std::string upload_id_;
  std::vector<CompletedPart> parts_;
  uint64_t bytes_ = 0;
  bool done_ = false;  // finished or aborted
  std::optional<uint64_t> streamed_length_;
  bool head_sent_ = false;  // streamed: the PutObject's head is on the wire
};

// One object (or a range of it) read front to back as ONE streamed GET: Read hands out the
// response body as it arrives, straight into the caller's buffer (the connection's read buffer
// is the only other memory). A connection that breaks or stalls (S3Config::io_timeout) mid-body
// is resumed with "Range: bytes=N-" from the first byte not yet handed out and "If-Match" the
// ETag of the first answer (or the one given up front), so a replaced object is refused (412,
// or a different ETag from a server that ignores If-Match), never spliced. An answer that
// ignores Range (200) is used only when its ETag is the one being read (its first N bytes are
// dropped); a 206 whose Content-Range starts at another byte is refused. Each interruption
// counts against RetryPolicy::max_attempts and waits its backoff; each request keeps the
// client's usual retries of 5xx and failed connects. Errors are final: Read fails from then on.
class ObjectReader final : public ByteSource {
 public:
  ~ObjectReader() override;
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;
  // Bytes handed out so far.
  uint64_t bytes() const { return delivered_; }
  // GETs answered so far: 1 for a read that was never interrupted.
  int requests() const { return requests_; }

 private:
  friend class S3Client;
  ObjectReader(S3Client& client, std::unique_ptr<HttpConnection> own, HttpConnection& conn,
               std::string key, std::optional<ByteRange> range, std::string etag);
  Status Request();
  Status Interrupted(const Error& error);
  Status Fail(Error error);

  S3Client& client_;
  std::unique_ptr<HttpConnection> own_;  // null when reading on the client's connection
  HttpConnection& conn_;
  std::string key_;
  std::optional<ByteRange> range_;
  std::string etag_;  // without quotes; empty until known
  std::optional<uint64_t> remaining_;  // of a range with a length
  uint64_t delivered_ = 0;
  uint64_t skip_ = 0;  // bytes of the current answer before the next one wanted (a 200)
  bool in_body_ = false;  // an answer's body is being read
  bool whole_answer_ = false;  // the current answer is a 200 (Range ignored)
  int interruptions_ = 0;
  int requests_ = 0;
  std::optional<Error> failed_;
  bool done_ = false;
};

class S3Client {
 public:
  // Checks the configuration (endpoint URL, bucket name for the addressing, part size, CA file
  // readable) and sets up TLS; connects lazily. `clock` signs requests and paces retries; it must
  // outlive the client.
  static Result<std::unique_ptr<S3Client>> Create(S3Config config, sidecar::Clock& clock);
  ~S3Client();

  Status PutObject(std::string_view key, std::span<const uint8_t> body,
                   const UserMetadata& metadata = {});
  // Streams an object of any size: see ObjectUpload. `size`: the exact number of bytes that will
  // be written, when known (it chooses a streamed PutObject, see S3Config::stream_put_max). The
  // upload must not outlive the client.
  std::unique_ptr<ObjectUpload> StartUpload(std::string_view key, UserMetadata metadata = {},
                                            std::optional<uint64_t> size = std::nullopt);
  // Reads `source` to its end into an object (one part of memory).
  Result<std::string> UploadFrom(std::string_view key, ByteSource& source,
                                 UserMetadata metadata = {});

  // Streams the object's bytes (or a range of them) into `sink`, on the client's connection, as
  // an ObjectReader does (resumed mid-body, never spliced). NotFound for a missing key.
  Status GetObject(std::string_view key, ByteSink& sink, std::optional<ByteRange> range = {});
  // A reader of the object on a connection of its own, so the client can make other calls while
  // it is open; nothing is sent before the first Read. `etag` (without quotes; from HeadObject):
  // the object read must be that one, from the first byte. Must not outlive the client.
  std::unique_ptr<ObjectReader> OpenObject(std::string_view key, std::string etag = {},
                                           std::optional<ByteRange> range = {});
  // nullopt when the object does not exist.
  Result<std::optional<ObjectInfo>> HeadObject(std::string_view key);
  // Deleting a missing key succeeds (S3's semantics).
  Status DeleteObject(std::string_view key);

  // One page of ListObjectsV2; `continuation_token` empty for the first.
  Result<ListPage> ListObjectsPage(std::string_view prefix, std::string_view continuation_token,
                                   int max_keys = 1000, std::string_view delimiter = {});
  // Every object under `prefix`, following continuation tokens.
  Result<std::vector<ListedObject>> ListObjects(std::string_view prefix, int page_size = 1000);

  Result<std::vector<OpenUpload>> ListMultipartUploads(std::string_view prefix);
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id);

  const S3Config& config() const { return config_; }
  // "s3://bucket/key", for messages.
  std::string Url(std::string_view key) const;

 private:
  friend class ObjectUpload;
  friend class ObjectReader;
  struct Impl;
  S3Client(S3Config config, sidecar::Clock& clock, std::unique_ptr<Impl> impl);

  S3Config config_;
  sidecar::Clock& clock_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::objstore
