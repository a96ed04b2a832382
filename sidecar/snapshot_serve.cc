#include "sidecar/snapshot_serve.h"

#include <memory>

#include "core/backup/fan_out_sink.h"
#include "core/digest/dataset_digest.h"
#include "core/format/sha256.h"
#include "core/rdb/rdb_verifier.h"
#include "io/file_source.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/replication_state.h"
#include "sidecar/restore_record.h"
#include "sidecar/snapshot_backup.h"
#include "sidecar/snapshot_transfer.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

namespace {

HttpResponse JsonError(int status, const std::string& message) {
  return {status, "application/json", "{\"error\":" + JsonQuote(message) + "}\n"};
}

// Hands each chunk the verifier pulls to the HTTP body.
class FunctionSink final : public ByteSink {
 public:
  explicit FunctionSink(const std::function<Status(std::span<const uint8_t>)>& f) : f_(f) {}
  Status Update(std::span<const uint8_t> chunk) override { return f_(chunk); }

 private:
  const std::function<Status(std::span<const uint8_t>)>& f_;
};

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

HttpResponse SnapshotServer::Serve() {
  if (busy_.exchange(true))
    return JsonError(409, "a snapshot is already being sent; try again when it finishes");
  auto guard = std::make_shared<BusyGuard>(BusyGuard{&busy_});

  auto redis = Connect();
  if (!redis) return JsonError(503, redis.error().ToString());
  auto before = ReadReplicationState(*redis);
  if (!before) return JsonError(503, before.error().ToString());
  if (!before->replica())
    return JsonError(409, "this Redis is a primary (role " + before->role +
                              "): snapshots are served by replicas only, a BGSAVE would fork a "
                              "serving primary");
  auto config = GetPersistenceConfig(*redis);
  if (!config) return JsonError(503, config.error().ToString());
  log_.Info("snapshot requested by a peer: BGSAVE on this replica",
            {LogField::Str("replid", before->replid),
             LogField::Int("offset", static_cast<int64_t>(before->offset))});
  BgsaveOptions bo;
  bo.timeout_ms = options_.bgsave_timeout_ms;
  auto saved = RunBgsave(*redis, clock_, bo);
  if (!saved) return JsonError(500, "no fresh snapshot: " + saved.error().ToString());
  auto after = ReadReplicationState(*redis);
  if (!after) return JsonError(503, after.error().ToString());
  const std::string path = options_.data_dir.value_or(config->dir) + "/" + config->dbfilename;
  auto opened = FileSource::Open(path);
  if (!opened) return JsonError(500, opened.error().ToString());
  auto file = std::make_shared<FileSource>(std::move(*opened));
  const int64_t at_ms = clock_.NowMillis();
  const uint64_t keys = after->keys;

  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.headers[kRdbSizeHeader] = std::to_string(file->size());
  r.headers[kDigestAtHeader] = std::to_string(at_ms);
  r.headers[kReplIdHeader] = after->replid;
  r.headers[kReplOffsetHeader] = std::to_string(after->offset);
  r.stream_length = file->size() + kTrailerBytes;
  r.stream = [this, file, guard, at_ms, keys, path](
                 const std::function<Status(std::span<const uint8_t>)>& send) -> Status {
    Sha256 sha;
    FunctionSink out(send);
    backup::FanOutSink stages{&sha, &out};
    TeeSource tee(*file, stages);
    DatasetDigest digest(DigestOptions{.at_ms = at_ms, .fail_on_module = false});
    RdbReport report = VerifyRdb(tee, RdbVerifyOptions{.name = path,
                                                       .check_duplicate_keys = CheckDuplicateKeys(keys),
                                                       .max_tracked_members = kDuplicateCheckMaxMembers,
                                                       .visitor = &digest});
    Status failed;
    if (!report.valid()) failed = std::unexpected(*report.error);
    else if (sha.bytes() != file->size())
      failed = MakeError(ErrorCode::kTruncated,
                         "read " + std::to_string(sha.bytes()) + " of " +
                             std::to_string(file->size()) + " bytes",
                         -1, path);
    if (!failed) {
      log_.Error("snapshot transfer stopped; the peer sees a short body and does not install it",
                 {LogField::Str("error", failed.error().ToString())});
      return failed;
    }
    auto hex = sha.FinishHex();
    if (!hex) return std::unexpected(hex.error());
    backup::BackupMetadata m;
    FillFromRdbReport(report, m);
    SnapshotTrailer t{*hex, sha.bytes(), m.rdb_version, report.total_keys(), m.repl_id,
                      m.repl_offset, std::nullopt};
    if (!digest.unavailable()) t.dataset_digest = digest.Hex();
    const std::string trailer = RenderSnapshotTrailer(t);
    if (auto s = send(std::span(reinterpret_cast<const uint8_t*>(trailer.data()), trailer.size()));
        !s) {
      log_.Warn("snapshot transfer: the peer went away", {LogField::Str("error", s.error().ToString())});
      return s;
    }
    log_.Info("snapshot sent to a peer",
              {LogField::Int("bytes", static_cast<int64_t>(t.size_bytes)),
               LogField::Str("sha256", t.sha256), LogField::Int("keys", static_cast<int64_t>(t.keys)),
               LogField::Int("repl_offset", static_cast<int64_t>(t.repl_offset.value_or(0)))});
    return {};
  };
  return r;
}

}  // namespace tidemark::sidecar
