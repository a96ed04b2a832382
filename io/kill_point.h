// Named kill points (as etcd's gofail or FreeBSD's fail points, reduced to the one fault a crash
// test needs): at a point the process raises SIGKILL on itself, so a test can stop a real
// tidemark process at an exact step of a backup or a restore and check what the next run finds.
//
// Armed by the environment variable TIDEMARK_KILL_AT, read once (at the first point reached):
//   TIDEMARK_KILL_AT=<point>[:<fragment>][@<n>]
// kills at the n-th time (default 1) that <point> is reached with a detail containing <fragment>
// (default: any detail). Unset or empty: every point is one load of a static and a branch.
// The points (the detail in brackets):
//   write-mib [temporary path]   a DurableFile's written bytes crossed another MiB
//   synced [final path]          a DurableFile's temporary file is fsynced, not yet renamed
//   renamed [final path]         renamed into place, the directory not yet fsynced
//   bgsave-requested [""]        BGSAVE sent to Redis, its completion not yet seen
//   backup-copied [backup name]  every byte copied and verified, nothing published
//   backup-published [name]      data and metadata published, retention not yet run
//   backup-deleting [name]       retention: the metadata unlinked, the data not yet
//   install-swapped [AOF dir]    a restored AOF directory renamed or exchanged into place,
//                                the data directory not yet fsynced
//   restore-installed [path]     the restore installed its choice, no restore record yet
// A malformed value is reported on stderr once and arms nothing. Never armed in production
// manifests; the variable is for tests.
#pragma once

#include <string_view>

namespace tidemark {

// True when TIDEMARK_KILL_AT names a point (read once; thread-safe).
bool KillPointsArmed();

// Counts a pass through `point` and raises SIGKILL when the armed spec says so. Thread-safe.
void ReachKillPoint(std::string_view point, std::string_view detail);

inline void KillPoint(std::string_view point, std::string_view detail = {}) {
  if (KillPointsArmed()) ReachKillPoint(point, detail);
}

}  // namespace tidemark
