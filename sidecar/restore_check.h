// The first step of proving a restore (agent.h, "once per process"): ask the Redis that loaded
// the restored backup for DEBUG DIGEST. What the answer allows is filled into the check:
//   a digest               check.actual (result left empty: the caller compares it);
//   an error reply         result "unverifiable": the DEBUG command is disabled
//                          (enable-debug-command no) or the reply's text;
//   no answer in time      result "unverifiable", saying how long it waited; the connection's
//                          error is returned, for the caller to drop that connection (a
//                          timed-out hiredis connection is broken). The digest is not asked
//                          again: the server may still be busy with it.
// Not thread-safe beyond RedisClient's own rules.
#pragma once

#include <optional>

#include "core/base/error.h"
#include "sidecar/redis_client.h"
#include "sidecar/restore_record.h"

namespace tidemark::sidecar {

std::optional<Error> AskDatasetDigest(RedisClient& redis, int timeout_ms, RestoreCheck& check);

}  // namespace tidemark::sidecar
