// A fresh RDB snapshot read from Redis the way a replica's first sync reads it — what
// `redis-cli --rdb` does: on a connection of its own, `REPLCONF capa eof`, `REPLCONF rdb-only 1`,
// then `SYNC`. Redis forks and its child writes the snapshot; the bytes are handed on while the
// child is still writing them, with no dump file in between when the server syncs diskless.
//
// What Redis 7.0 sends back (replication.c, syncCommand and friends): newlines ("\n") as
// keepalives while the save has not started or, for a disk-based sync, has not finished; a
// `+FULLRESYNC <replid> <offset>` line only to PSYNC (skipped if it ever comes); then either
//   `$<length>\r\n` and exactly that many bytes (disk-based: the dump file, once written), or
//   `$EOF:<40 characters>\r\n`, the payload, and the same 40 characters (diskless: the length
//   is not known until the child ends).
// An error line (`-NOMASTERLINK ...` from a replica whose link to its primary is down) ends it.
// With rdb-only, Redis closes the connection after the payload instead of streaming commands.
//
// The snapshot carries its replication position in its own repl-id / repl-offset AUX fields (a
// replica with a connected or cached primary writes them for a replication save): the receiver
// reads them while verifying. Memory: one read buffer, whatever the size. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/error.h"
#include "sidecar/redis_client.h"

namespace tidemark::sidecar {

struct RdbSyncOptions {
  // Until the payload's first byte (a disk-based sync writes the whole dump before it).
  int64_t start_timeout_ms = 30 * 60 * 1000;
  // Each read once the payload flows.
  int read_timeout_ms = 60000;
};

class RdbSync final : public ByteSource {
 public:
  static constexpr size_t kEofMarkBytes = 40;

  // Sends the commands on `client` (connected and authenticated; consumed) and reads up to the
  // payload's first byte. kIo naming `where`: a refusal (Redis's error line, e.g. NOMASTERLINK),
  // no payload within the timeout, the connection closed, or an answer that is not the protocol.
  static Result<std::unique_ptr<RdbSync>> Start(RedisClient client, const std::string& where,
                                                const RdbSyncOptions& options);

  // The payload, exactly: the RDB bytes without the length line or end mark. 0 at its end.
  // kTruncated when Redis closes the connection before the end (a killed child, a restart),
  // kIo on a read timeout or error.
  Result<size_t> Read(std::span<uint8_t> out) override;

  bool diskless() const { return !length_; }
  uint64_t bytes_read() const { return read_; }

 private:
  RdbSync(RedisClient client, std::string where, int read_timeout_ms)
      : client_(std::move(client)), where_(std::move(where)), read_timeout_ms_(read_timeout_ms) {}
  Status RawWrite(std::string_view text);
  Status ReadPreamble(int64_t timeout_ms);
  // Up to out.size() bytes from the socket within `timeout_ms`; 0 when Redis closed it.
  Result<size_t> RawRead(std::span<uint8_t> out, int64_t timeout_ms);
  Result<size_t> ReadUntilMark(std::span<uint8_t> out);

  RedisClient client_;
  std::string where_;
  int read_timeout_ms_;
  std::optional<uint64_t> length_;  // disk-based; nullopt: diskless, ends with mark_
  std::array<uint8_t, kEofMarkBytes> mark_{};
  std::vector<uint8_t> buf_;  // diskless: the last kEofMarkBytes received are held back here
  size_t held_ = 0;
  bool done_ = false;
  uint64_t read_ = 0;
};

}  // namespace tidemark::sidecar
