// The one place hiredis is used: a synchronous connection to the local Redis, over a unix
// socket or TCP, authenticated with a password read from a file (a mounted Secret; never argv,
// where `ps` would show it). Replies are copied into plain values so hiredis types stay here.
// Not thread-safe; one connection per object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

struct redisContext;

namespace tidemark::sidecar {

struct RedisEndpoint {
  bool unix_socket = false;
  std::string path;  // unix socket
  std::string host;  // TCP
  int port = 0;
  std::string ToString() const;
};

// "unix:/path/redis.sock" or "tcp://host:port"; kInvalidArgument otherwise.
Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text);

// The file's content without trailing newlines (Secrets mounted from `kubectl create secret
// --from-file` often end with one). kIo/kNotFound naming the file.
Result<std::string> ReadPasswordFile(const std::string& path);

struct RedisReply {
  enum class Type { kString, kStatus, kInteger, kNil, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;
};

class RedisClient {
 public:
  // Connects, then AUTHs when a password is given. Errors are kIo naming the endpoint and
  // saying what to check.
  static Result<RedisClient> Connect(const RedisEndpoint& endpoint,
                                     const std::optional<std::string>& password,
                                     int timeout_ms = 5000);
  RedisClient(RedisClient&& other) noexcept;
  RedisClient& operator=(RedisClient&&) = delete;
  ~RedisClient();

  // Sends one command (each argument binary-safe). A Redis error reply is returned as a reply
  // of type kError, not as an Error; a connection failure is kIo.
  Result<RedisReply> Command(const std::vector<std::string>& args);
  // The same with its own reply timeout, for commands whose time grows with the dataset
  // (DEBUG DIGEST walks every key: minutes on a large one). A timed-out connection is broken.
  Result<RedisReply> Command(const std::vector<std::string>& args, int timeout_ms);

  // The connected descriptor, for a protocol hiredis does not parse (the payload of SYNC,
  // rdb_sync.h). Valid between commands only (hiredis holds no unread bytes then); still owned
  // and closed by this object. After raw reads on it, Command must not be called again. -1 when
  // the connection is broken.
  int RawDescriptor() const;

 private:
  RedisClient(redisContext* ctx, std::string endpoint, int timeout_ms)
      : ctx_(ctx), endpoint_(std::move(endpoint)), timeout_ms_(timeout_ms) {}
  redisContext* ctx_ = nullptr;
  std::string endpoint_;
  int timeout_ms_;
};

}  // namespace tidemark::sidecar
