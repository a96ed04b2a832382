// The backup's one pass (sidecar/snapshot_backup.h) over an RDB file into a directory store, with
// no Redis and no BGSAVE: what bench/backup_copy_bench.sh times as the copy phase, alone, so that
// the two threads of the pass can be profiled (perf record, /proc/PID/task) run after run.
// Usage: snapshot_backup_bench RDB STORE_DIR [verify-after-copy: 1|0]. Prints the backup's
// sha256 and dataset digest, and the seconds the call took.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/file_source.h"
#include "sidecar/dir_backup_store.h"
#include "sidecar/snapshot_backup.h"

int main(int argc, char** argv) {
  using namespace tidemark;
  if (argc < 3) {
    std::fprintf(stderr, "usage: snapshot_backup_bench RDB STORE_DIR [1|0]\n");
    return 2;
  }
  auto source = FileSource::Open(argv[1]);
  auto store = sidecar::DirBackupStore::Open(argv[2]);
  if (!source || !store) {
    std::fprintf(stderr, "%s\n", (!source ? source.error() : store.error()).ToString().c_str());
    return 1;
  }
  sidecar::SnapshotBackupContext ctx;
  ctx.now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  ctx.verify_after_copy = argc < 4 || std::string(argv[3]) != "0";
  ctx.check_duplicate_keys = false;  // as the sidecar for a snapshot of more than 2^18 keys
  const auto t0 = std::chrono::steady_clock::now();
  auto meta = sidecar::BackupSnapshot(*source, argv[1], *store, ctx);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!meta) {
    std::fprintf(stderr, "%s\n", meta.error().ToString().c_str());
    return 1;
  }
  std::printf("%s sha256=%s digest=%s seconds=%.3f\n", meta->name.c_str(), meta->sha256.c_str(),
              meta->dataset_digest.value_or("-").c_str(), s);
  return 0;
}
