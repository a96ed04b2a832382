// A FileSystem (io/file_system.h) for tests: passes every operation through to the real one and
// can (a) fail the Nth operation of a kind with an errno (ENOSPC or EIO on write, EIO on fsync),
// (b) make writes short, (c) "lose power" after N operations: from then on nothing reaches the
// disk, and DurableState() says what a machine would find after rebooting — only file bytes
// that an fsync covered and directory entries (creates, renames, unlinks) that an fsync of their
// directory covered. It models the directories under `roots` (their content is read at
// construction); operations elsewhere pass through unmodelled.
//
// A failed fsync poisons the file as on Linux: the pages it failed to write are marked clean,
// so a later fsync that "succeeds" still leaves zeros on disk where those bytes should be.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "io/file_system.h"

namespace tidemark::testing {

class FaultFileSystem final : public FileSystem {
 public:
  enum class Op {
    kOpen, kWrite, kFsync, kClose, kRename, kLink, kExchange, kUnlink, kMkdir, kRmdir, kSyncDir
  };
  static constexpr Op kAllOps[] = {Op::kOpen,  Op::kWrite,    Op::kFsync,  Op::kClose,
                                   Op::kRename, Op::kLink,    Op::kExchange, Op::kUnlink,
                                   Op::kMkdir, Op::kRmdir,    Op::kSyncDir};
  static const char* Name(Op op);

  explicit FaultFileSystem(std::vector<std::string> roots = {});

  // The `nth` (1-based) operation of kind `op` fails with `err`, once. A failed close still
  // closes the descriptor, as close(2) does.
  void FailNth(Op op, int nth, int err);
  // Every write writes at most `max_bytes` (a short write, not an error).
  void ShortWrites(size_t max_bytes) { short_writes_ = max_bytes; }
  // After `ops` operations, the power is cut: every later operation fails with EIO and changes
  // nothing (closes still release the descriptor).
  void CrashAfter(int ops) { crash_after_ = ops; }

  int ops() const { return ops_; }
  int count(Op op) const;
  bool fault_fired() const { return fired_; }
  bool crashed() const { return crashed_; }
  // "kind path" per operation, in order (for test failure messages).
  const std::vector<std::string>& log() const { return log_; }

  // What the disk holds under `root` after a power cut now: relative path -> bytes, with
  // directories as "path/" -> "".
  std::map<std::string, std::string> DurableState(const std::string& root) const;

  int Open(const std::string& path, int flags, unsigned mode) override;
  ssize_t Write(int fd, const void* data, size_t size) override;
  int Fsync(int fd) override;
  int Close(int fd) override;
  int Rename(const std::string& from, const std::string& to) override;
  int Link(const std::string& from, const std::string& to) override;
  int Exchange(const std::string& a, const std::string& b) override;
  int Unlink(const std::string& path) override;
  int Mkdir(const std::string& path, unsigned mode) override;
  int Rmdir(const std::string& path) override;
  int SyncDir(const std::string& dir) override;

 private:
  struct Inode {
    bool dir = false;
    std::string data, durable;       // a file's bytes now, and on disk
    bool poisoned = false;           // an fsync failed: unsynced bytes are lost
    std::map<std::string, int> entries, durable_entries;  // a directory's
  };
  // -1: let the call run; otherwise the caller returns -1 with errno already set.
  int Begin(Op op, const std::string& what);
  int NewInode(bool dir);
  int Lookup(const std::string& path) const;  // -1 when not modelled or absent
  // The modelled parent directory and the last component, {-1, ""} when not modelled.
  std::pair<int, std::string> Parent(const std::string& path) const;
  void ReadTree(int inode, const std::string& path);
  void Dump(int inode, const std::string& prefix, std::map<std::string, std::string>& out) const;

  std::map<std::string, int> roots_;
  std::vector<Inode> inodes_;
  std::map<int, std::pair<int, size_t>> fds_;  // fd -> inode, offset
  std::map<std::pair<Op, int>, int> faults_;    // (op, nth) -> errno
  std::map<Op, int> counts_;
  std::vector<std::string> log_;
  size_t short_writes_ = 0;
  int crash_after_ = -1;
  int ops_ = 0;
  bool fired_ = false;
  bool crashed_ = false;
};

// The files under `root` now (relative path -> bytes; directories as "path/" -> ""), to compare
// with DurableState() and with what a test saved before.
std::map<std::string, std::string> ReadTreeState(const std::string& root);
// Replaces everything under `root` with `state` (what a rebooted machine would find).
void WriteTreeState(const std::string& root, const std::map<std::string, std::string>& state);

}  // namespace tidemark::testing
