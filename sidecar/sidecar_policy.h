// Reading the sidecar policy file the operator renders (core/policy/render_sidecar_policy.h,
// format "tidemark.dev/sidecar-policy/v1", documented in docs/policy.md): the parts the backup
// and restore commands act on. An unknown apiVersion is refused, as the format requires.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/backup/retention.h"
#include "sidecar/aof_rewrite_plan.h"
#include "core/base/error.h"

namespace tidemark::sidecar {

// restore.maxAofTailRepairBytes when neither the policy nor a flag says: the model's default
// (core/policy/model.h, "1Mi").
inline constexpr uint64_t kDefaultMaxAofTailRepairBytes = uint64_t{1} << 20;

// backup.objectStore: the bucket and the files holding its secrets (mounted by the operator).
struct ObjectStorePolicy {
  std::string endpoint;
  std::string bucket;
  std::string prefix;  // "" or segments without a trailing '/'
  std::string region = "us-east-1";
  bool virtual_hosted = false;  // addressing: path (false) | virtual
  std::string access_key_id_file;
  std::string secret_access_key_file;
  std::optional<std::string> session_token_file;
  std::optional<std::string> ca_bundle_file;
  std::optional<std::string> encryption_key_id;  // with encryption_key_file: encrypt uploads
  std::optional<std::string> encryption_key_file;
  backup::RetentionRules retention;  // allow_empty follows backup.allowEmpty
};

struct SidecarPolicy {
  std::string resource_namespace;
  std::string resource_name;
  std::string mode;  // rdb | aof | hybrid | none
  std::string rdb_file_name = "dump.rdb";
  bool aof_enabled = false;
  std::string aof_dir_name = "appendonlydir";
  AofRewritePolicy aof_rewrite;  // aof.rewrite (managed is false when the section is null)
  // backup: null in the file -> no retention (and no scheduled backups).
  std::optional<backup::RetentionRules> retention;
  std::optional<std::string> backup_schedule;  // backup.schedule: 5-field cron, UTC
  bool verify_after_copy = true;
  bool allow_empty = false;  // backup.allowEmpty: the refuse-empty guard
  // backup.destinations (absent in older files: local). Restores read every store configured.
  bool backup_local = true;
  bool backup_object_store = false;
  std::optional<ObjectStorePolicy> object_store;  // backup.objectStore
  // backup.drill (null or absent: no scheduled drills). what: "newest" | "everyNew".
  struct Drill {
    std::string schedule;  // 5-field cron, UTC
    std::optional<uint64_t> memory_budget_bytes;
    bool every_new = false;
  };
  std::optional<Drill> drill;
  bool restore_enabled = true;                     // restore.when: auto (true) | never
  std::optional<std::string> restore_backup_name;  // restore.source.backupName
  std::optional<std::string> restore_point_in_time;  // restore.source.pointInTime (RFC 3339)
  bool allow_aof_tail_repair = false;              // restore.allowAofTailRepair
  // restore.maxAofTailRepairBytes; absent in policies rendered before it: the model's default.
  uint64_t max_aof_tail_repair_bytes = kDefaultMaxAofTailRepairBytes;
  bool force_empty_start = false;                  // restore.forceEmptyStart (absent: false)
  std::optional<std::string> from_instance;        // restore.fromInstance (absent: null)
};

// kInvalidArgument naming the member and what was expected; `where` is the file.
Result<SidecarPolicy> ParseSidecarPolicy(std::string_view text, const std::string& where);
Result<SidecarPolicy> LoadSidecarPolicy(const std::string& path);

}  // namespace tidemark::sidecar
