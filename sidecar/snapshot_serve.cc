#include "sidecar/snapshot_serve.h"

#include <memory>

#include <vector>

#include "core/format/sha256.h"
#include "sidecar/bgsave_follow.h"
#include "sidecar/rdb_sync.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/replication_state.h"
#include "sidecar/restore_record.h"
#include "sidecar/snapshot_transfer.h"

namespace tidemark::sidecar {

namespace {

HttpResponse JsonError(int status, const std::string& message) {
  return {status, "application/json", "{\"error\":" + JsonQuote(message) + "}\n"};
}

// What Redis hands over per read, forwarded as one piece (one HTTP chunk on the wire).
constexpr size_t kForwardChunkBytes = 256 * 1024;

// Releases the one-snapshot-at-a-time flag when the response (and its stream) is gone.
struct BusyGuard {
  std::atomic<bool>* flag;
  ~BusyGuard() { flag->store(false); }
};

}  // namespace

Result<RedisClient> SnapshotServer::Connect() {
  std::optional<std::string> password;
  if (options_.password_file) {
    auto pw = ReadPasswordFile(*options_.password_file);
    if (!pw) return std::unexpected(pw.error());
    password = *pw;
  }
  return RedisClient::Connect(options_.endpoint, password, 5000);
}

HttpResponse SnapshotServer::Replication() {
  auto redis = Connect();
  if (!redis) return JsonError(503, redis.error().ToString());
  auto state = ReadReplicationState(*redis);
  if (!state) return JsonError(503, state.error().ToString());
  // Pod 0's data descends from what its restore step installed, whatever Redis remembers of it
  // (with AOF on, nothing): the replicas' hold-back judges by this too.
  if (options_.data_dir) {
    auto record = ReadRestoreRecord(*options_.data_dir);
    if (record && *record && (*record)->repl_offset) {
      state->restored_replid = (*record)->repl_id;
      state->restored_offset = static_cast<int64_t>(*(*record)->repl_offset);
    }
  }
  return {200, "application/json", "{\"replication\":" + RenderReplicationJson(*state) + "}\n"};
}

Result<std::unique_ptr<SnapshotServer::SnapshotSource>> SnapshotServer::OpenSnapshot(
    RedisClient redis, bool link_up) {
  auto out = std::make_unique<SnapshotSource>();
  if (link_up) {
    auto sync = RdbSync::Start(std::move(redis), options_.endpoint.ToString(),
                               RdbSyncOptions{.start_timeout_ms = options_.bgsave_timeout_ms});
    if (sync) {
      out->kind = (*sync)->diskless() ? "sync-diskless" : "sync-disk";
      out->bytes = std::move(*sync);
      return out;
    }
    // The link went down since INFO (Redis answers NOMASTERLINK then): a BGSAVE still works.
    log_.Warn("rdb-only SYNC refused; falling back to BGSAVE",
              {LogField::Str("error", sync.error().ToString())});
    auto again = Connect();
    if (!again) return std::unexpected(again.error());
    return OpenSavedSnapshot(std::move(*again));
  }
  return OpenSavedSnapshot(std::move(redis));
}

Result<std::unique_ptr<SnapshotServer::SnapshotSource>> SnapshotServer::OpenSavedSnapshot(
    RedisClient redis) {
  auto config = GetPersistenceConfig(redis);
  if (!config) return std::unexpected(config.error());
  BgsaveOptions bo;
  bo.timeout_ms = options_.bgsave_timeout_ms;
  auto saved = FollowBgsave(std::move(redis), clock_, options_.data_dir.value_or(config->dir),
                            config->dbfilename, bo, [this](const std::string& s) {
                              log_.Info("snapshot: " + s);
                            });
  if (!saved) return std::unexpected(saved.error());
  auto out = std::make_unique<SnapshotSource>();
  out->kind = saved->growing ? "bgsave-streamed" : "bgsave";
  out->growing = saved->growing;
  out->bytes = std::move(saved->bytes);
  if (out->growing)
    log_.Info("snapshot: streaming the BGSAVE child's file while it is written",
              {LogField::Str("file", saved->file)});
  return out;
}

HttpResponse SnapshotServer::Serve() {
  if (busy_.exchange(true))
    return JsonError(409, "a snapshot is already being sent; try again when it finishes");
  auto guard = std::make_shared<BusyGuard>(BusyGuard{&busy_});

  auto redis = Connect();
  if (!redis) return JsonError(503, redis.error().ToString());
  auto state = ReadReplicationState(*redis);
  if (!state) return JsonError(503, state.error().ToString());
  if (!state->replica())
    return JsonError(409, "this Redis is a primary (role " + state->role +
                              "): snapshots are served by replicas only, a snapshot would fork a "
                              "serving primary");
  log_.Info("snapshot requested by a peer",
            {LogField::Str("replid", state->replid),
             LogField::Int("offset", static_cast<int64_t>(state->offset)),
             LogField::Str("link", state->link_status)});
  const int64_t started_ms = clock_.NowMillis();
  auto source = OpenSnapshot(std::move(*redis), state->link_status == "up");
  if (!source) return JsonError(source.error().code == ErrorCode::kIo ? 503 : 500,
                                "no fresh snapshot: " + source.error().ToString());
  std::shared_ptr<SnapshotSource> sync = std::move(*source);

  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.headers[kDigestAtHeader] = std::to_string(clock_.NowMillis());
  r.headers[kReplIdHeader] = state->replid;
  r.headers[kReplOffsetHeader] = std::to_string(state->offset);
  r.stream = [this, sync, guard, started_ms](
                 const std::function<Status(std::span<const uint8_t>)>& send) -> Status {
    Sha256 sha;
    std::vector<uint8_t> buf(kForwardChunkBytes);
    Status failed;
    for (;;) {
      auto n = sync->bytes->Read(buf);
      if (!n) {
        failed = std::unexpected(n.error());
        break;
      }
      if (*n == 0) break;
      const std::span<const uint8_t> chunk(buf.data(), *n);
      if (auto s = sha.Update(chunk); !s) return s;
      if (auto s = send(chunk); !s) {
        log_.Warn("snapshot transfer: the peer went away", {LogField::Str("error", s.error().ToString())});
        return s;
      }
    }
    if (!failed) {
      log_.Error("snapshot transfer stopped; the peer sees no trailer and does not install it",
                 {LogField::Str("error", failed.error().ToString())});
      return failed;
    }
    auto hex = sha.FinishHex();
    if (!hex) return std::unexpected(hex.error());
    const std::string trailer = RenderSnapshotTrailer({*hex, sha.bytes()});
    if (auto s = send(std::span(reinterpret_cast<const uint8_t*>(trailer.data()), trailer.size()));
        !s) {
      log_.Warn("snapshot transfer: the peer went away", {LogField::Str("error", s.error().ToString())});
      return s;
    }
    std::vector<LogField> fields = {
        LogField::Int("bytes", static_cast<int64_t>(sha.bytes())), LogField::Str("sha256", *hex),
        LogField::Str("source", sync->kind), LogField::Int("ms", clock_.NowMillis() - started_ms)};
    // Proof that the bytes left while Redis wrote them (the point of following its file).
    if (sync->growing)
      fields.push_back(LogField::Int("bytes_sent_while_saving",
                                     static_cast<int64_t>(sync->growing->bytes_while_writing())));
    log_.Info("snapshot sent to a peer", fields);
    return {};
  };
  return r;
}

}  // namespace tidemark::sidecar
