#include "sidecar/restore_check.h"

#include <string>

namespace tidemark::sidecar {

namespace {

std::string Duration(int timeout_ms) {
  if (timeout_ms % 60000 == 0) return std::to_string(timeout_ms / 60000) + " min";
  return std::to_string(timeout_ms) + " ms";
}

}  // namespace

std::optional<Error> AskDatasetDigest(RedisClient& redis, int timeout_ms, RestoreCheck& check) {
  auto digest = redis.Command({"DEBUG", "DIGEST"}, timeout_ms);
  if (!digest) {
    check.result = "unverifiable";
    check.reason = "DEBUG DIGEST gave no answer within " + Duration(timeout_ms) + ": " +
                   digest.error().ToString() + " (not asked again: the server may still be busy with it)";
    return digest.error();
  }
  if (digest->type == RedisReply::Type::kError) {
    check.result = "unverifiable";
    check.reason = digest->str.find("not allowed") != std::string::npos
                       ? "DEBUG command disabled (enable-debug-command): cannot compare the dataset digest"
                       : "DEBUG DIGEST failed: " + digest->str;
    return std::nullopt;
  }
  check.actual = digest->str;
  return std::nullopt;
}

}  // namespace tidemark::sidecar
