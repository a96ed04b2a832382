// The on-demand backup: a new value of the annotation tidemark.dev/backup-now on a
// RedisPersistence asks pod 0's sidecar for one backup (POST /v1/backups; the sidecar runs it
// and reports it in /v1/status). status.backupRequest (status.h) remembers which value was
// handled, so each value gives at most one request that the sidecar accepted, across passes,
// relists, operator restarts and leader changes:
//
//   annotation V, status has no record of V  -> claim: write status {V, Requested} first, with
//                                               the resource's resourceVersion as precondition
//                                               (a second operator loses with 409), then POST
//   record {V, Requested}                    -> POST again (not known to have reached the
//                                               sidecar: unreachable, busy, or the operator
//                                               stopped between claim and POST), unless pod 0
//                                               shows it arrived (a pending backup, or a backup
//                                               completed since)
//   record {V, Accepted}                     -> Succeeded when pod 0 reports a backup completed
//                                               at or after the request, Failed when it reports
//                                               its backup failed
//   record {V, Succeeded | Failed}           -> nothing; a new value asks again
//
// The controller performs the claim and the POST; everything here is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "operator/reconcile/sidecar_report.h"
#include "operator/reconcile/status.h"

namespace tidemark::reconcile {

inline constexpr std::string_view kBackupNowAnnotation = "tidemark.dev/backup-now";

inline constexpr std::string_view kRequestRequested = "Requested";
inline constexpr std::string_view kRequestAccepted = "Accepted";
inline constexpr std::string_view kRequestSucceeded = "Succeeded";
inline constexpr std::string_view kRequestFailed = "Failed";

// The record moved on by what pod 0's sidecar reports now (`primary`: nullptr when it did not
// answer). nullopt stays nullopt.
std::optional<BackupRequest> AdvanceBackupRequest(std::optional<BackupRequest> recorded,
                                                  const SidecarReport* primary);

// Whether the sidecar must be asked this pass: `annotation` is set and the (advanced) record is
// of another value, or of this value and still Requested.
bool BackupRequestNeeded(const std::string& annotation,
                         const std::optional<BackupRequest>& advanced);

// What POST /v1/backups gave: answered false when no HTTP answer came (`detail` says why).
struct BackupPost {
  bool answered = false;
  int http_status = 0;
  std::string detail;
};

// The record after asking `request.pod`'s sidecar: 202 Accepted; 409 (a backup already pending
// or running) and no answer stay Requested, to be asked again; any other answer Failed.
BackupRequest AfterBackupPost(BackupRequest request, const BackupPost& post);

}  // namespace tidemark::reconcile
