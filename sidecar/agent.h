// `tidemark-sidecar run`: the long-running loop next to Redis.
//
// One thread runs the loop; it alone talks to Redis, writes the store and logs. Each tick:
//   - re-reads the policy files (sidecar policy, redis.conf fragment) when their content
//     changed; a file that does not parse is refused with a log line and the previous policy
//     stays in force;
//   - connects to Redis when not connected, with backoff (1 s doubling to 30 s), and PINGs it
//     each second; a new connection (Redis restarted) re-applies the policy;
//   - reads INFO replication and the key count each second (replication_state.h); on a guarded
//     replica each tick instead, one read shared by the guard and the status;
//   - watches INFO persistence while AOF is on, triggers BGREWRITEAOF by the policy's
//     thresholds and window (aof_rewrite_plan.h), and verifies the bytes appended to the AOF
//     since the last check (aof_watch.h), reporting the first problem;
//   - applies the redis.conf fragment (live_config.h) after a change and re-checks it
//     periodically, reporting drift;
//   - runs a backup (backup_job.h) when the policy's cron schedule fires or one was requested
//     over HTTP; a failed scheduled backup is retried (30 s later, up to 3 times);
//   - on a replica with --primary-peer, each tick: holds its Redis back while the link to pod 0
//     is down and re-points it once pod 0 is known not to be older (replica_guard.h);
//   - in a replicated set (--primary-peer, --peer-token-file or --peer-listen) with AOF on: keeps
//     `shutdown-on-sigterm save` set, so a clean shutdown records the replication position;
//   - once per process, when --data-dir is given and the restore step left a record of the backup
//     it installed (restore_record.h): waits until Redis finished loading, then compares
//     DEBUG DIGEST with the backup's digest and reports verified / mismatch / unverifiable
//     (DEBUG disabled, writes before the check, no digest), storing the result in the record;
//   - runs a restore drill (drill.h) when the policy's backup.drill schedule fires or one was
//     requested over HTTP (`POST /v1/drills`), on this thread: the scratch server gets the
//     parent-death signal of the thread that forks it, and this thread lives as long as the
//     process. The loop waits while a drill loads (as during a backup's copy).
// The HTTP side (Handle, called on the listener's threads) only reads a snapshot of the status
// under a mutex and sets the "backup requested" flag; one backup runs at a time, a second
// request while one is pending or running is answered 409.
//
// Endpoints: GET /healthz, GET /readyz (503 until Redis answers and the policy applied),
// GET /metrics, GET /v1/status (JSON for the operator), GET /v1/backups, POST /v1/backups,
// POST /v1/drills (202 queued, 409 when a drill is pending or running).
// GET /v1/replication (the replication state read now), GET /v1/snapshot (a replica's fresh
// snapshot for a peer holding the set's token or a client certificate: snapshot_serve.h,
// peer_token.h; 404 when neither is configured; with --peer-listen only on the peer port).
// POST /v1/verify (the data files verified now, on the request's thread: verify_files.h).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "core/backup/cron_schedule.h"
#include "core/backup/lineage.h"
#include "core/backup/metadata.h"
#include "sidecar/aof_watch.h"
#include "sidecar/clock.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/http_server.h"
#include "sidecar/json_log.h"
#include "sidecar/live_config.h"
#include "sidecar/metrics.h"
#include "sidecar/redis_client.h"
#include "sidecar/redis_persistence.h"
#include "sidecar/replica_guard.h"
#include "sidecar/replication_state.h"
#include "sidecar/sidecar_policy.h"
#include "sidecar/snapshot_serve.h"

namespace tidemark::sidecar {

struct AgentOptions {
  RedisEndpoint endpoint;
  std::optional<std::string> password_file;
  std::optional<std::string> policy_path;    // sidecar policy JSON
  std::optional<std::string> conf_path;      // redis.conf fragment
  std::optional<std::string> data_dir;       // where Redis's dir is seen from the sidecar
  std::string pod;
  std::optional<int64_t> policy_generation;
  backup::Lineage lineage;  // --instance, --instance-uid: recorded in each backup's metadata
  int64_t tick_ms = 200;
  int64_t files_check_ms = 1000;
  int64_t drift_check_ms = 10000;
  std::string redis_server = "redis-server";  // for drills: the pod's Redis binary
  std::string work_dir = "/tmp";              // drills' scratch directories
  std::optional<std::string> peer_token;  // the set's shared token (peer_token.h)
  // --peer-listen: /v1/snapshot is served on the peer port (HandlePeer) and no longer here.
  bool peer_port = false;
  // --peer-tls-ca on the peer port: client certificates are checked (an alternative to the token).
  bool peer_client_ca = false;
  // A replica's hold-back while pod 0 is away (replica_guard.h); none on pod 0 or a set of one.
  std::optional<ReplicaGuardOptions> replica_guard;
};

class Agent final : public HttpHandler {
 public:
  // `store`, `log`, `clock` and `metrics` must outlive the agent.
  Agent(AgentOptions options, DirBackupStore& store, JsonLog& log, Clock& clock, Metrics& metrics);

  // Loops until `stop` is set; a backup in progress is finished first.
  void Run(const std::atomic<bool>& stop);

  HttpResponse Handle(const std::string& method, const std::string& path) override;
  HttpResponse Handle(const HttpRequest& request) override;
  // The peer port's requests (peer_server.h): /v1/replication and /v1/snapshot only. A request
  // whose connection presented a verified client certificate needs no token.
  HttpResponse HandlePeer(const HttpRequest& request);

 private:
  struct Status {
    bool redis_up = false;
    bool policy_applied = false;
    std::string policy_error;
    std::vector<std::string> drift;
    bool backup_pending = false;
    bool backup_running = false;
    std::string last_backup_result;  // "", "success", "partial" (some destinations), "failure"
    std::string last_backup_error;
    std::string last_backup_name;
    // The last backup per destination of the policy: name, "" when it got it or why not.
    std::vector<std::pair<std::string, std::string>> last_backup_destinations;
    int64_t last_success_unix = 0;
    int64_t next_scheduled_unix = -1;
    std::string aof_problem;  // the first problem the AOF watcher found, "" when none
    bool drill_pending = false;
    bool drill_running = false;
    std::string last_drill_json;  // DrillReport::ToJson of the last drill, "" before one
    int64_t next_drill_unix = -1;
    std::string last_restore_json;  // the restore record (restore_record.h), "" when none
    std::optional<ReplicationState> replication;  // read each second while Redis answers
    std::string hold_back;  // ReplicaGuard::StatusJson, "" without a guard
  };

  void Tick();
  void ReloadFiles();
  void Connect();
  void Disconnect(const Error& why);
  void Apply(const char* reason);
  void Backup();
  // The last-backup gauges, from a backup just published or the newest found in the store.
  void ExportLastBackup(const backup::BackupMetadata& metadata, int64_t at_unix);
  // tidemark_backup_destination_*: the last backup's outcome per destination.
  void ExportDestinations(const std::vector<std::pair<std::string, std::string>>& destinations,
                          int64_t now);
  void Drill();
  void CheckRestore();
  void CheckAof();
  // INFO replication and the key count into the status; nullopt (disconnected) on failure.
  std::optional<ReplicationState> ReadReplication();
  void GuardReplica();
  // `shutdown-on-sigterm save` while AOF is on in a replicated set: a clean shutdown then writes
  // dump.rdb with the final replication position (aof_position.h), which Redis forgets when it
  // loads the AOF. Drift is re-applied like the policy's settings; a refusal is logged once.
  bool WantsShutdownSave() const;
  void ApplyShutdownSave(const char* reason);
  HttpResponse ServeSnapshot(const HttpRequest& request);
  void WatchAof();
  std::string StatusJson();
  std::string BackupsJson();

  AgentOptions options_;
  DirBackupStore& store_;
  JsonLog& log_;
  Clock& clock_;
  Metrics& metrics_;

  // Loop-thread state.
  std::optional<RedisClient> redis_;
  std::optional<PersistenceConfig> config_;  // per connection
  AofWatcher aof_watcher_;
  int64_t next_connect_ms_ = 0;
  int64_t backoff_ms_ = 1000;
  int64_t next_files_check_ms_ = 0;
  int64_t next_drift_check_ms_ = 0;
  std::string policy_text_, conf_text_;
  std::optional<SidecarPolicy> policy_;
  std::optional<ConfigDirectives> conf_;
  std::optional<backup::CronSchedule> schedule_;
  std::optional<backup::CronSchedule> drill_schedule_;
  // The newest backup drilled (what: everyNew drills the ones newer than it).
  std::optional<backup::BackupMetadata> last_drilled_;
  bool restore_checked_ = false;
  bool needs_apply_ = false;
  bool shutdown_save_refused_logged_ = false;
  bool recorded_position_read_ = false;  // per connection: the guard's recorded position
  int retries_left_ = 0;
  int64_t retry_at_unix_ = -1;

  SnapshotServer snapshots_;
  std::optional<ReplicaGuard> replica_guard_;

  std::mutex mu_;  // guards status_
  std::atomic<bool> verifying_{false};  // a POST /v1/verify is running
  Status status_;
};

}  // namespace tidemark::sidecar
