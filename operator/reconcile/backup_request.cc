#include "operator/reconcile/backup_request.h"

namespace tidemark::reconcile {

namespace {

// Times are RFC 3339 UTC of one fixed width, so text order is time order.
bool CompletedSince(const SidecarReport& r, const std::string& since) {
  return r.last_backup_time && r.last_backup_name && *r.last_backup_time >= since;
}

}  // namespace

std::optional<BackupRequest> AdvanceBackupRequest(std::optional<BackupRequest> recorded,
                                                  const SidecarReport* primary) {
  if (!recorded || primary == nullptr) return recorded;
  BackupRequest& r = *recorded;
  const bool open = r.phase == kRequestRequested || r.phase == kRequestAccepted;
  if (open && CompletedSince(*primary, r.time)) {
    r.phase = std::string(kRequestSucceeded);
    r.message = "backup " + *primary->last_backup_name + " completed at " +
                *primary->last_backup_time;
    if (primary->last_backup_result == "partial")
      r.message += ", partial (not on every destination): " +
                   primary->last_backup_error.value_or("a destination missed it");
  } else if (r.phase == kRequestRequested && primary->backup_pending) {
    // Only a POST sets `pending`: an earlier request of ours arrived.
    r.phase = std::string(kRequestAccepted);
    r.message = "the sidecar of " + r.pod + " has the request queued";
  } else if (r.phase == kRequestAccepted && !primary->backup_pending &&
             !primary->backup_running && primary->last_backup_result == "failure") {
    r.phase = std::string(kRequestFailed);
    r.message = "the backup failed: " + primary->last_backup_error.value_or("no reason given");
  }
  return recorded;
}

bool BackupRequestNeeded(const std::string& annotation,
                         const std::optional<BackupRequest>& advanced) {
  if (annotation.empty()) return false;
  return !advanced || advanced->value != annotation || advanced->phase == kRequestRequested;
}

BackupRequest AfterBackupPost(BackupRequest request, const BackupPost& post) {
  const std::string who = "the sidecar of " + request.pod;
  if (!post.answered) {
    request.phase = std::string(kRequestRequested);
    request.message = who + " could not be asked (" + post.detail + "); asking again";
  } else if (post.http_status == 202) {
    request.phase = std::string(kRequestAccepted);
    request.message = who + " accepted the request";
  } else if (post.http_status == 409) {
    request.phase = std::string(kRequestRequested);
    request.message = who + " is busy with another backup; asking again when it is done";
  } else {
    request.phase = std::string(kRequestFailed);
    request.message = who + " refused the request: HTTP " + std::to_string(post.http_status) +
                      (post.detail.empty() ? "" : ": " + post.detail);
  }
  return request;
}

}  // namespace tidemark::reconcile
