#include "sidecar/redis_client.h"

#include <hiredis/hiredis.h>

#include <charconv>

#include "io/file_source.h"

namespace tidemark::sidecar {

namespace {

RedisReply Copy(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

timeval Tv(int ms) { return timeval{ms / 1000, (ms % 1000) * 1000}; }

}  // namespace

std::string RedisEndpoint::ToString() const {
  return unix_socket ? "unix:" + path : "tcp://" + host + ":" + std::to_string(port);
}

Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text) {
  RedisEndpoint e;
  if (text.starts_with("unix:") && text.size() > 5) {
    e.unix_socket = true;
    e.path = std::string(text.substr(5));
    return e;
  }
  if (text.starts_with("tcp://")) {
    std::string_view rest = text.substr(6);
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && colon > 0) {
      int port = 0;
      auto p = rest.substr(colon + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
      if (ec == std::errc() && end == p.data() + p.size() && port > 0 && port < 65536) {
        e.host = std::string(rest.substr(0, colon));
        e.port = port;
        return e;
      }
    }
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "--redis '" + std::string(text) +
                       "': expected unix:/path/to/redis.sock or tcp://host:port");
}

Result<std::string> ReadPasswordFile(const std::string& path) {
  auto text = ReadSmallFile(path, 4096);
  if (!text) return std::unexpected(text.error());
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return *text;
}

Result<RedisClient> RedisClient::Connect(const RedisEndpoint& endpoint,
                                         const std::optional<std::string>& password,
                                         int timeout_ms) {
  redisContext* ctx = endpoint.unix_socket
                          ? redisConnectUnixWithTimeout(endpoint.path.c_str(), Tv(timeout_ms))
                          : redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
                                                    Tv(timeout_ms));
  if (!ctx) return MakeError(ErrorCode::kIo, "cannot allocate a Redis connection", -1, endpoint.ToString());
  if (ctx->err) {
    std::string why = ctx->errstr;
    redisFree(ctx);
    return MakeError(ErrorCode::kIo,
                     "cannot connect to Redis: " + why + " (is redis-server running there?)", -1,
                     endpoint.ToString());
  }
  redisSetTimeout(ctx, Tv(timeout_ms));
  RedisClient client(ctx, endpoint.ToString(), timeout_ms);
  if (password) {
    auto r = client.Command({"AUTH", *password});
    if (!r) return std::unexpected(r.error());
    if (r->type == RedisReply::Type::kError)
      return MakeError(ErrorCode::kIo,
                       "AUTH refused: " + r->str + " (check the password file's Secret)", -1,
                       endpoint.ToString());
  }
  return client;
}

RedisClient::RedisClient(RedisClient&& o) noexcept
    : ctx_(o.ctx_), endpoint_(std::move(o.endpoint_)), timeout_ms_(o.timeout_ms_) {
  o.ctx_ = nullptr;
}

RedisClient::~RedisClient() {
  if (ctx_) redisFree(ctx_);
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (!ctx_ || ctx_->err)
    return MakeError(ErrorCode::kIo, "the Redis connection is broken; reconnect", -1, endpoint_);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (!r) {
    return MakeError(ErrorCode::kIo,
                     std::string("Redis command ") + (args.empty() ? "" : args[0]) +
                         " failed: " + ctx_->errstr,
                     -1, endpoint_);
  }
  RedisReply out = Copy(r);
  freeReplyObject(r);
  return out;
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args, int timeout_ms) {
  if (ctx_ && !ctx_->err) redisSetTimeout(ctx_, Tv(timeout_ms));
  auto reply = Command(args);
  if (ctx_ && !ctx_->err) redisSetTimeout(ctx_, Tv(timeout_ms_));
  return reply;
}

int RedisClient::RawDescriptor() const { return ctx_ && !ctx_->err ? ctx_->fd : -1; }

}  // namespace tidemark::sidecar
