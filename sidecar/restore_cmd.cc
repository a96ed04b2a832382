// `tidemark-sidecar restore`: the init container's step (see restore.h).
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "core/policy/quantity.h"
#include "sidecar/commands.h"
#include "io/kill_point.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/flags.h"
#include "sidecar/install.h"
#include "sidecar/object_store_config.h"
#include "sidecar/peer_token.h"
#include "sidecar/restore.h"
#include "sidecar/sidecar_policy.h"

namespace tidemark::sidecar {

namespace {

constexpr const char* kUsage =
    "usage: tidemark-sidecar restore --data-dir DIR [--store DIR] [--policy FILE]\n"
    "  (a policy with backup.objectStore adds the bucket's backups to the candidates)\n"
    "         [--appendonly yes|no] [--appenddirname NAME] [--appendfilename NAME]\n"
    "         [--dbfilename NAME] [--allow-empty] [--allow-aof-tail-repair\n"
    "          [--max-aof-tail-repair-bytes N (a quantity: 1Mi by default, 0 never cuts)]]\n"
    "         [--max-rdb-version N] [--point-in-time RFC3339 [--allow-older-snapshot]]\n"
    "         [--peers http(s)://HOST:PORT,... --peer-token-file FILE [--peer-attempts N]]\n"
    "         [--peer-tls-ca FILE (verifies https peers) [--peer-tls-cert FILE --peer-tls-key FILE\n"
    "          (a client certificate: accepted by the peers in place of the token)]]\n"
    "         [--instance NAMESPACE/NAME [--instance-uid UID]] [--accept-lineage NS/NAME,...]\n"
    "         [--force-empty] [--replica-unless-pod-0]\n"
    "  Flags override the policy file; without either: appendonly no, dump.rdb.\n"
    "  --point-in-time T rewinds the local AOF to T (aof-timestamp-enabled); when it cannot,\n"
    "  --allow-older-snapshot installs the newest verified snapshot taken at or before T.\n"
    "  --peers: the replicas' sidecars (pod 0 of a replicated set): when the local data is\n"
    "  missing, unusable or empty, the freshest replica competes with the backups.\n"
    "  --allow-empty starts a new instance empty; not one that once held data (a backup in\n"
    "  any store, local files that do not verify, a .tidemark-lineage.json marker): that\n"
    "  needs --force-empty. --instance: backups of other instances are refused unless\n"
    "  --accept-lineage names them. --replica-unless-pod-0: a pod whose $POD_NAME does not\n"
    "  end in -0 is a replica (it syncs from pod 0) and may always start empty.\n";

// "a,b,,c" -> {a, b, c}
std::vector<std::string> SplitCommas(const std::string& list) {
  std::vector<std::string> items;
  for (size_t pos = 0; pos <= list.size();) {
    size_t comma = std::min(list.find(',', pos), list.size());
    if (comma > pos) items.push_back(list.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return items;
}

int Usage(const std::string& why) {
  std::cerr << "tidemark-sidecar restore: " << why << "\n" << kUsage;
  return kExitUsage;
}

}  // namespace

int RunRestoreCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"--data-dir", "--store", "--policy", "--appendonly", "--appenddirname",
                             "--appendfilename", "--dbfilename", "--max-rdb-version",
                             "--point-in-time", "--peers", "--peer-token-file", "--peer-attempts",
                             "--peer-tls-ca", "--peer-tls-cert", "--peer-tls-key",
                             "--instance", "--instance-uid", "--accept-lineage",
                             "--max-aof-tail-repair-bytes"},
                            {"--allow-empty", "--allow-aof-tail-repair", "--allow-older-snapshot",
                             "--force-empty", "--replica-unless-pod-0"});
  if (!flags) return Usage(flags.error().message);
  if (!flags->Has("--data-dir")) return Usage("--data-dir is required");
  auto appendonly = flags->Get("--appendonly");
  if (appendonly && *appendonly != "yes" && *appendonly != "no")
    return Usage("--appendonly takes yes or no");
  std::optional<PointInTime> pit;
  if (auto t = flags->Get("--point-in-time")) {
    auto p = ParsePointInTime(*t, "--point-in-time");
    if (!p) return Usage(p.error().message);
    pit = *p;
    pit->allow_older_snapshot = flags->Has("--allow-older-snapshot");
  } else if (flags->Has("--allow-older-snapshot")) {
    return Usage("--allow-older-snapshot goes with --point-in-time");
  }
  std::optional<uint64_t> max_tail_cut;
  if (auto v = flags->Get("--max-aof-tail-repair-bytes")) {
    auto bytes = policy::ParseByteQuantity(*v);
    if (!bytes) return Usage("--max-aof-tail-repair-bytes: " + bytes.error().message);
    max_tail_cut = static_cast<uint64_t>(*bytes);
  }
  uint32_t max_version = 12;
  if (auto v = flags->Get("--max-rdb-version")) {
    try {
      max_version = static_cast<uint32_t>(std::stoul(*v));
    } catch (const std::exception&) {
      return Usage("--max-rdb-version takes a number");
    }
  }

  JsonLog log(std::cout, RealClock(), PodName());
  RestoreOptions o;
  o.layout.data_dir = *flags->Get("--data-dir");
  while (o.layout.data_dir.size() > 1 && o.layout.data_dir.back() == '/') o.layout.data_dir.pop_back();
  std::optional<ObjectStorePolicy> object_store_policy;
  if (auto path = flags->Get("--policy")) {
    auto p = LoadSidecarPolicy(*path);
    if (!p) {
      log.Error("policy file refused", {LogField::Str("error", p.error().ToString())});
      return kExitFailed;
    }
    if (p->restore_point_in_time && !pit) {
      auto policy_pit = ParsePointInTime(*p->restore_point_in_time, *path);
      if (!policy_pit) {
        log.Error("policy file refused", {LogField::Str("error", policy_pit.error().ToString())});
        return kExitFailed;
      }
      pit = *policy_pit;
      // The CRD's meaning of restore.source.pointInTime: the newest verified backup taken at or
      // before it, so the policy accepts an older snapshot; once per volume, not at every start.
      pit->allow_older_snapshot = true;
      pit->once_per_volume = true;
    }
    o.layout.appendonly = p->aof_enabled;
    o.layout.appenddirname = p->aof_dir_name;
    o.layout.dbfilename = p->rdb_file_name;
    o.allow_empty_data = p->allow_empty;
    o.allow_aof_tail_repair = p->allow_aof_tail_repair;
    o.max_aof_tail_repair_bytes = p->max_aof_tail_repair_bytes;
    o.backups_allowed = p->restore_enabled;
    o.pinned_backup = p->restore_backup_name;
    o.force_empty = p->force_empty_start;
    if (p->from_instance) o.accepted_lineages.push_back(*p->from_instance);
    object_store_policy = p->object_store;  // its backups are candidates, whatever destinations
  }
  if (appendonly) o.layout.appendonly = *appendonly == "yes";
  if (auto v = flags->Get("--appenddirname")) o.layout.appenddirname = *v;
  if (auto v = flags->Get("--appendfilename")) o.layout.appendfilename = *v;
  if (auto v = flags->Get("--dbfilename")) o.layout.dbfilename = *v;
  if (flags->Has("--allow-aof-tail-repair")) o.allow_aof_tail_repair = true;
  if (max_tail_cut) o.max_aof_tail_repair_bytes = *max_tail_cut;
  o.allow_start_empty = flags->Has("--allow-empty");
  o.max_rdb_version = max_version;
  o.point_in_time = pit;
  if (flags->Has("--force-empty")) o.force_empty = true;
  if (auto v = flags->Get("--instance")) {
    if (v->find('/') == std::string::npos) return Usage("--instance takes NAMESPACE/NAME");
    o.lineage.instance = *v;
  } else if (flags->Has("--instance-uid")) {
    return Usage("--instance-uid goes with --instance");
  }
  if (auto v = flags->Get("--instance-uid")) o.lineage.uid = *v;
  if (auto v = flags->Get("--accept-lineage"))
    for (auto& item : SplitCommas(*v)) o.accepted_lineages.push_back(std::move(item));
  if (flags->Has("--replica-unless-pod-0")) o.is_replica = ReplicaByPodName();

  if (auto peers = flags->Get("--peers")) {
    PeerTlsFiles tls{flags->Get("--peer-tls-cert").value_or(""),
                     flags->Get("--peer-tls-key").value_or(""), flags->Get("--peer-tls-ca").value_or("")};
    if (tls.cert.empty() != tls.key.empty())
      return Usage("--peer-tls-cert and --peer-tls-key go together");
    if (!flags->Has("--peer-token-file") && tls.cert.empty())
      return Usage("--peers needs --peer-token-file or a client certificate (--peer-tls-cert)");
    bool any_https = false;
    for (const auto& item : SplitCommas(*peers)) {
      auto peer = ParsePeerUrl(item);
      if (!peer) return Usage("--peers: " + peer.error().ToString());
      any_https = any_https || peer->tls;
      o.peers.peers.push_back(*peer);
    }
    if (!tls.ca.empty() || !tls.cert.empty()) {
      // Set up for TLS: a plain peer would carry the data (and the token) unencrypted.
      for (const auto& peer : o.peers.peers)
        if (!peer.tls) return Usage("--peers: " + peer.url + " is plain http while --peer-tls-* are given");
      if (tls.ca.empty()) return Usage("--peer-tls-cert needs --peer-tls-ca to verify the peers");
      if (auto s = CheckPeerTlsFiles(tls, false); !s) return Usage(s.error().ToString());
      o.peers.tls = tls;
    } else if (any_https) {
      return Usage("https peers need --peer-tls-ca to verify them");
    }
    if (auto path = flags->Get("--peer-token-file")) {
      auto token = LoadPeerToken(*path);
      if (!token) return Usage("--peer-token-file: " + token.error().ToString());
      o.peers.token = *token;
    }
    if (auto n = flags->Get("--peer-attempts")) {
      try {
        o.peers.attempts = std::max(1, std::stoi(*n));
      } catch (const std::exception&) {
        return Usage("--peer-attempts takes a number");
      }
    }
  } else if (flags->Has("--peer-tls-ca") || flags->Has("--peer-tls-cert")) {
    return Usage("--peer-tls-* go with --peers");
  }

  std::optional<DirBackupStore> store;
  if (auto dir = flags->Get("--store")) {
    auto s = DirBackupStore::Open(*dir);
    if (!s) {
      log.Error("cannot open the backup store", {LogField::Str("error", s.error().ToString())});
      return kExitFailed;
    }
    store.emplace(std::move(*s));
    // What a killed backup or restore left in the store (the lineage marker's temporary file);
    // under the store's lock, so never a live writer's files.
    auto cleanup = store->CleanupStale();
    if (!cleanup)
      log.Warn("cannot clean up the backup store", {LogField::Str("error", cleanup.error().ToString())});
    else
      for (const auto& path : cleanup->removed)
        log.Info("removed what an interrupted writer left in the backup store",
                 {LogField::Str("path", path)});
  }
  std::unique_ptr<ObjectBackupStore> object_store;
  if (object_store_policy) {
    auto s = OpenObjectStore(*object_store_policy, RealClock());
    if (!s) {
      log.Error("cannot open the object store", {LogField::Str("error", s.error().ToString())});
      return kExitFailed;
    }
    object_store = std::move(*s);
  }
  std::vector<BackupStore*> stores;
  if (store) stores.push_back(&*store);
  if (store) o.marker_dir = store->dir();
  if (object_store) stores.push_back(object_store.get());
  log.Info("restore started",
           {LogField::Str("data_dir", o.layout.data_dir), LogField::Bool("appendonly", o.layout.appendonly),
            LogField::Str("store", store ? store->dir() : ""),
            LogField::Str("object_store", object_store ? object_store->Location() : "")});
  // Held to the end of the command, the restore record included. A missing data directory is
  // left for RunRestore to report in its own words.
  auto lock = LockDataDirForRestore(o.layout.data_dir);
  if (!lock && lock.error().code != ErrorCode::kNotFound) {
    log.Error("restore refused", {LogField::Str("error", lock.error().ToString())});
    return kExitFailed;
  }
  auto outcome = RunRestore(o, stores, log, RealClock());
  if (!outcome) {
    log.Error("restore failed: Redis must not start on this volume",
              {LogField::Str("error", outcome.error().ToString())});
    return kExitFailed;
  }
  log.Info("restore done", {LogField::Str("action", RestoreActionName(outcome->action)),
                            LogField::Str("source", outcome->source),
                            LogField::Str("installed", outcome->installed)});
  // Every run replaces the record, so it always describes the data Redis starts from: `run`
  // shows it in /v1/status and proves an installed backup with it.
  const RestoreRecord record = RestoreRecordFor(*outcome, RealClock().NowUnix());
  KillPoint("restore-installed", outcome->installed);
  log.Info("restore decision", {LogField{"record", RenderRestoreRecord(record)}});
  if (auto s = WriteRestoreRecord(o.layout.data_dir, record); !s)
    log.Warn("cannot write the restore record: the restore stays unreported and unverified",
             {LogField::Str("error", s.error().ToString())});
  return kExitOk;
}

}  // namespace tidemark::sidecar
