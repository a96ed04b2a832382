// The on-demand backup record (backup_request.h): which annotation values need the sidecar
// asked, what each answer of POST /v1/backups leaves, and how pod 0's reports move it on.
#include "operator/reconcile/backup_request.h"

#include <gtest/gtest.h>

namespace tidemark::reconcile {
namespace {

BackupRequest Record(std::string phase, std::string value = "v1") {
  return BackupRequest{std::move(value), std::move(phase), "2026-11-28T01:00:00Z", "catalog-0",
                       ""};
}

SidecarReport Report(bool pending, bool running, std::optional<std::string> result = {},
                     std::optional<std::string> at = {}) {
  SidecarReport r;
  r.backup_pending = pending;
  r.backup_running = running;
  r.last_backup_result = std::move(result);
  if (at) {
    r.last_backup_name = "catalog-backup";
    r.last_backup_time = *at;
  }
  return r;
}

TEST(BackupRequest, EachAnnotationValueIsAskedUntilTheSidecarHasIt) {
  EXPECT_FALSE(BackupRequestNeeded("", std::nullopt));
  EXPECT_TRUE(BackupRequestNeeded("v1", std::nullopt));
  EXPECT_TRUE(BackupRequestNeeded("v1", Record("Requested")));
  EXPECT_FALSE(BackupRequestNeeded("v1", Record("Accepted")));
  EXPECT_FALSE(BackupRequestNeeded("v1", Record("Succeeded")));
  EXPECT_FALSE(BackupRequestNeeded("v1", Record("Failed")));  // a new value asks again
  EXPECT_TRUE(BackupRequestNeeded("v2", Record("Failed")));
  EXPECT_TRUE(BackupRequestNeeded("v2", Record("Succeeded")));
}

TEST(BackupRequest, TheSidecarsAnswerDecidesThePhase) {
  EXPECT_EQ(AfterBackupPost(Record("Requested"), {true, 202, ""}).phase, "Accepted");
  auto busy = AfterBackupPost(Record("Requested"), {true, 409, "already running"});
  EXPECT_EQ(busy.phase, "Requested");
  EXPECT_NE(busy.message.find("busy"), std::string::npos);
  auto silent = AfterBackupPost(Record("Requested"), {false, 0, "connection refused"});
  EXPECT_EQ(silent.phase, "Requested");
  EXPECT_EQ(silent.message,
            "the sidecar of catalog-0 could not be asked (connection refused); asking again");
  auto refused = AfterBackupPost(Record("Requested"), {true, 404, "not found"});
  EXPECT_EQ(refused.phase, "Failed");
  EXPECT_EQ(refused.message, "the sidecar of catalog-0 refused the request: HTTP 404: not found");
}

TEST(BackupRequest, APartialBackupSucceedsSayingSo) {
  SidecarReport partial = Report(false, false, "partial", "2026-11-28T01:00:09Z");
  partial.last_backup_error = "backup catalog-backup is on local, not on objectStore (403)";
  auto done = AdvanceBackupRequest(Record("Accepted"), &partial);
  EXPECT_EQ(done->phase, "Succeeded");
  EXPECT_EQ(done->message,
            "backup catalog-backup completed at 2026-11-28T01:00:09Z, partial (not on every "
            "destination): backup catalog-backup is on local, not on objectStore (403)");
}

TEST(BackupRequest, PodZerosReportsMoveItOn) {
  // Requested, and the sidecar shows it queued: an earlier POST arrived (e.g. the operator
  // stopped before writing Accepted); it is not asked again.
  auto queued = AdvanceBackupRequest(Record("Requested"), nullptr);
  EXPECT_EQ(queued->phase, "Requested");  // no report: unchanged
  SidecarReport pending = Report(true, false);
  EXPECT_EQ(AdvanceBackupRequest(Record("Requested"), &pending)->phase, "Accepted");
  EXPECT_FALSE(BackupRequestNeeded("v1", AdvanceBackupRequest(Record("Requested"), &pending)));

  // A backup completed before the request does not count; one completed after does.
  SidecarReport older = Report(false, false, "success", "2026-11-28T00:59:59Z");
  EXPECT_EQ(AdvanceBackupRequest(Record("Accepted"), &older)->phase, "Accepted");
  SidecarReport newer = Report(false, false, "success", "2026-11-28T01:00:07Z");
  auto done = AdvanceBackupRequest(Record("Accepted"), &newer);
  EXPECT_EQ(done->phase, "Succeeded");
  EXPECT_EQ(done->message, "backup catalog-backup completed at 2026-11-28T01:00:07Z");

  // A failure is taken only once the sidecar is idle (not the previous backup's result while
  // ours waits).
  SidecarReport failing = Report(true, false, "failure");
  EXPECT_EQ(AdvanceBackupRequest(Record("Accepted"), &failing)->phase, "Accepted");
  SidecarReport failed = Report(false, false, "failure");
  failed.last_backup_error = "backup store: No space left on device";
  auto lost = AdvanceBackupRequest(Record("Accepted"), &failed);
  EXPECT_EQ(lost->phase, "Failed");
  EXPECT_EQ(lost->message, "the backup failed: backup store: No space left on device");

  // Settled records stay.
  EXPECT_EQ(AdvanceBackupRequest(Record("Failed"), &newer)->phase, "Failed");
  EXPECT_EQ(AdvanceBackupRequest(Record("Succeeded"), &failed)->phase, "Succeeded");
}

}  // namespace
}  // namespace tidemark::reconcile
