#include "tests/testing/fault_file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace tidemark::testing {

namespace fs = std::filesystem;

const char* FaultFileSystem::Name(Op op) {
  switch (op) {
    case Op::kOpen: return "open";
    case Op::kWrite: return "write";
    case Op::kFsync: return "fsync";
    case Op::kClose: return "close";
    case Op::kRename: return "rename";
    case Op::kLink: return "link";
    case Op::kExchange: return "exchange";
    case Op::kUnlink: return "unlink";
    case Op::kMkdir: return "mkdir";
    case Op::kRmdir: return "rmdir";
    case Op::kSyncDir: return "fsync-dir";
  }
  return "?";
}

FaultFileSystem::FaultFileSystem(std::vector<std::string> roots) {
  for (auto& r : roots) {
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    int root = NewInode(true);
    roots_[r] = root;
    ReadTree(root, r);
  }
}

void FaultFileSystem::ReadTree(int inode, const std::string& path) {
  for (const auto& e : fs::directory_iterator(path)) {
    std::string name = e.path().filename().string();
    bool dir = e.is_directory();
    int child = NewInode(dir);
    if (dir) {
      ReadTree(child, e.path().string());
    } else {
      std::ifstream in(e.path(), std::ios::binary);
      inodes_[child].data.assign(std::istreambuf_iterator<char>(in), {});
      inodes_[child].durable = inodes_[child].data;
    }
    inodes_[inode].entries[name] = child;
  }
  inodes_[inode].durable_entries = inodes_[inode].entries;
}

int FaultFileSystem::NewInode(bool dir) {
  Inode inode;
  inode.dir = dir;
  inodes_.push_back(std::move(inode));
  return static_cast<int>(inodes_.size()) - 1;
}

void FaultFileSystem::FailNth(Op op, int nth, int err) { faults_[{op, nth}] = err; }

int FaultFileSystem::count(Op op) const {
  auto it = counts_.find(op);
  return it == counts_.end() ? 0 : it->second;
}

int FaultFileSystem::Begin(Op op, const std::string& what) {
  log_.push_back(std::string(Name(op)) + " " + what);
  if (crashed_ || (crash_after_ >= 0 && ops_ >= crash_after_)) {
    crashed_ = true;
    errno = EIO;
    return EIO;
  }
  ++ops_;
  int nth = ++counts_[op];
  auto it = faults_.find({op, nth});
  if (it == faults_.end()) return -1;
  fired_ = true;
  errno = it->second;
  return it->second;
}

std::pair<int, std::string> FaultFileSystem::Parent(const std::string& path) const {
  for (const auto& [root, inode] : roots_) {
    if (!path.starts_with(root + "/")) continue;
    std::string rest = path.substr(root.size() + 1);
    int cur = inode;
    size_t pos = 0;
    for (;;) {
      auto slash = rest.find('/', pos);
      if (slash == std::string::npos) return {cur, rest.substr(pos)};
      auto it = inodes_[cur].entries.find(rest.substr(pos, slash - pos));
      if (it == inodes_[cur].entries.end()) return {-1, ""};
      cur = it->second;
      pos = slash + 1;
    }
  }
  return {-1, ""};
}

int FaultFileSystem::Lookup(const std::string& path) const {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (auto r = roots_.find(p); r != roots_.end()) return r->second;
  auto [dir, name] = Parent(p);
  if (dir < 0) return -1;
  auto it = inodes_[dir].entries.find(name);
  return it == inodes_[dir].entries.end() ? -1 : it->second;
}

int FaultFileSystem::Open(const std::string& path, int flags, unsigned mode) {
  if (Begin(Op::kOpen, path) >= 0) return -1;
  int fd = PosixFileSystem().Open(path, flags, mode);
  if (fd < 0) return fd;
  int inode = Lookup(path);
  if (inode < 0) {
    auto [dir, name] = Parent(path);
    if (dir < 0) return fd;
    inode = NewInode(false);
    inodes_[dir].entries[name] = inode;
  }
  if (flags & O_TRUNC) inodes_[inode].data.clear();
  fds_[fd] = {inode, 0};
  return fd;
}

ssize_t FaultFileSystem::Write(int fd, const void* data, size_t size) {
  if (Begin(Op::kWrite, "fd " + std::to_string(fd)) >= 0) return -1;
  if (short_writes_ > 0) size = std::min(size, short_writes_);
  ssize_t n = PosixFileSystem().Write(fd, data, size);
  auto it = fds_.find(fd);
  if (n > 0 && it != fds_.end()) {
    auto& [inode, offset] = it->second;
    std::string& bytes = inodes_[inode].data;
    if (bytes.size() < offset + n) bytes.resize(offset + n);
    bytes.replace(offset, n, static_cast<const char*>(data), n);
    offset += n;
  }
  return n;
}

int FaultFileSystem::Fsync(int fd) {
  auto it = fds_.find(fd);
  if (Begin(Op::kFsync, "fd " + std::to_string(fd)) >= 0) {
    if (it != fds_.end() && !crashed_) inodes_[it->second.first].poisoned = true;
    return -1;
  }
  int rc = PosixFileSystem().Fsync(fd);
  if (rc == 0 && it != fds_.end()) {
    Inode& f = inodes_[it->second.first];
    // Poisoned: what the failed fsync should have written is gone; the rest reads as zeros.
    if (f.poisoned)
      f.durable.resize(f.data.size(), '\0');
    else
      f.durable = f.data;
  }
  return rc;
}

int FaultFileSystem::Close(int fd) {
  bool fail = Begin(Op::kClose, "fd " + std::to_string(fd)) >= 0;
  int err = errno;
  fds_.erase(fd);
  int rc = PosixFileSystem().Close(fd);
  if (fail) {
    errno = err;
    return -1;
  }
  return rc;
}

int FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  if (Begin(Op::kRename, from + " -> " + to) >= 0) return -1;
  int rc = PosixFileSystem().Rename(from, to);
  if (rc != 0) return rc;
  auto [fdir, fname] = Parent(from);
  auto [tdir, tname] = Parent(to);
  if (fdir < 0 || tdir < 0) return rc;
  auto it = inodes_[fdir].entries.find(fname);
  if (it == inodes_[fdir].entries.end()) return rc;
  int inode = it->second;
  inodes_[fdir].entries.erase(it);
  inodes_[tdir].entries[tname] = inode;
  return rc;
}

int FaultFileSystem::Link(const std::string& from, const std::string& to) {
  if (Begin(Op::kLink, from + " -> " + to) >= 0) return -1;
  int rc = PosixFileSystem().Link(from, to);
  if (rc != 0) return rc;
  int inode = Lookup(from);
  if (auto [dir, name] = Parent(to); dir >= 0 && inode >= 0) inodes_[dir].entries[name] = inode;
  return rc;
}

int FaultFileSystem::Exchange(const std::string& a, const std::string& b) {
  if (Begin(Op::kExchange, a + " <-> " + b) >= 0) return -1;
  int rc = PosixFileSystem().Exchange(a, b);
  if (rc != 0) return rc;
  auto [adir, aname] = Parent(a);
  auto [bdir, bname] = Parent(b);
  if (adir >= 0 && bdir >= 0) std::swap(inodes_[adir].entries[aname], inodes_[bdir].entries[bname]);
  return rc;
}

int FaultFileSystem::Unlink(const std::string& path) {
  if (Begin(Op::kUnlink, path) >= 0) return -1;
  int rc = PosixFileSystem().Unlink(path);
  if (rc == 0)
    if (auto [dir, name] = Parent(path); dir >= 0) inodes_[dir].entries.erase(name);
  return rc;
}

int FaultFileSystem::Mkdir(const std::string& path, unsigned mode) {
  if (Begin(Op::kMkdir, path) >= 0) return -1;
  int rc = PosixFileSystem().Mkdir(path, mode);
  if (rc == 0)
    if (auto [dir, name] = Parent(path); dir >= 0) inodes_[dir].entries[name] = NewInode(true);
  return rc;
}

int FaultFileSystem::Rmdir(const std::string& path) {
  if (Begin(Op::kRmdir, path) >= 0) return -1;
  int rc = PosixFileSystem().Rmdir(path);
  if (rc == 0)
    if (auto [dir, name] = Parent(path); dir >= 0) inodes_[dir].entries.erase(name);
  return rc;
}

int FaultFileSystem::SyncDir(const std::string& dir) {
  if (Begin(Op::kSyncDir, dir) >= 0) return -1;
  int rc = PosixFileSystem().SyncDir(dir);
  if (rc == 0)
    if (int inode = Lookup(dir); inode >= 0)
      inodes_[inode].durable_entries = inodes_[inode].entries;
  return rc;
}

void FaultFileSystem::Dump(int inode, const std::string& prefix,
                           std::map<std::string, std::string>& out) const {
  for (const auto& [name, child] : inodes_[inode].durable_entries) {
    if (inodes_[child].dir) {
      out[prefix + name + "/"] = "";
      Dump(child, prefix + name + "/", out);
    } else {
      out[prefix + name] = inodes_[child].durable;
    }
  }
}

std::map<std::string, std::string> FaultFileSystem::DurableState(const std::string& root) const {
  std::map<std::string, std::string> out;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (auto it = roots_.find(r); it != roots_.end()) Dump(it->second, "", out);
  return out;
}

std::map<std::string, std::string> ReadTreeState(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).string();
    if (e.is_directory()) {
      out[rel + "/"] = "";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    out[rel].assign(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

void WriteTreeState(const std::string& root, const std::map<std::string, std::string>& state) {
  for (const auto& e : fs::directory_iterator(root)) fs::remove_all(e.path());
  for (const auto& [rel, bytes] : state) {  // sorted: a directory comes before its entries
    if (rel.ends_with("/")) {
      fs::create_directories(root + "/" + rel);
      continue;
    }
    std::ofstream out(root + "/" + rel, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
}

}  // namespace tidemark::testing
