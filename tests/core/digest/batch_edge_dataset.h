// A dataset shaped to reach the digest batch's edges (core/digest/digest_batch.h), written into
// a real redis-server by one EVAL: keys of more elements than a batch holds, for each kind of
// chain (their chains carried across flushes), elements of every padded length up to and past
// the longest a lane takes, expiring keys (PEXPIRE a day ahead), and two databases. Shared by
// the digest's tests and the backup pass's (tests/sidecar/snapshot_pipeline_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/digest/digest_batch.h"

namespace tidemark::testing {

// More elements in one key than a batch holds.
constexpr int kBatchEdgeBig = static_cast<int>(DigestBatch::kBatchElements) + 3000;
// Keys the script writes, per database.
constexpr uint64_t kBatchEdgeKeysDb0 = 5u + 1201u + 4u * 400u;
constexpr uint64_t kBatchEdgeKeysDb1 = 300u;

inline constexpr char kBatchEdgeFill[] = R"(
  local big = tonumber(ARGV[1])
  for i = 1, big do
    redis.call('RPUSH', 'biglist', 'item-' .. i)
    redis.call('HSET', 'bighash', 'f' .. i, string.rep('v', i % 700))
    redis.call('SADD', 'bigset', 'member-' .. i)
    redis.call('ZADD', 'bigzset', i * 0.25, 'zm-' .. i)
  end
  for i = 1, big / 4 do redis.call('XADD', 'bigstream', '*', 'sensor', i % 7, 'reading', string.rep('r', i % 90)) end
  for i = 0, 1200 do
    redis.call('SET', 's:' .. i, string.rep('x', i))
    if i % 3 == 0 then redis.call('PEXPIRE', 's:' .. i, 100000000) end
  end
  for i = 1, 400 do
    redis.call('HSET', 'h:' .. i, 'name', 'user' .. i, 'visits', i, 'bio', string.rep('b', i))
    redis.call('RPUSH', 'l:' .. i, 'a', i, string.rep('c', i * 2))
    redis.call('SADD', 'is:' .. i, i, i + 1, i * 3)
    redis.call('ZADD', 'z:' .. i, 1, 'a' .. i, 2.5, 'b' .. i, -i, string.rep('z', i))
  end
  redis.call('SELECT', 1)
  for i = 1, 300 do redis.call('SET', 'db1:' .. i, i) end
  return 1)";

// The arguments of the EVAL that writes the dataset (RedisServer::Cli).
inline std::vector<std::string> BatchEdgeFillCommand() {
  return {"EVAL", kBatchEdgeFill, "0", std::to_string(kBatchEdgeBig)};
}

}  // namespace tidemark::testing
