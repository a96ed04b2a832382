// The one durable-write helper: every file that must survive a crash is written through it.
//
// DurableFile writes to a temporary file in the destination's directory; Commit() fsyncs it,
// renames it over the destination and fsyncs the directory, so after a crash the destination is
// either entirely old or entirely new. If Commit() is not reached (an error, an exception, a
// return), the destructor removes the temporary file: a failure path never touches the
// destination. After any write or fsync error the object only aborts: a Commit() after a failed
// fsync is refused, because Linux marks the lost pages clean and a retried fsync "succeeds"
// over data that never reached the disk. Kill points (io/kill_point.h): write-mib, synced,
// renamed. Every file operation goes through a FileSystem
// (io/file_system.h; tests inject faults there). Not thread-safe; one writer per object.
#pragma once

#include <span>
#include <string>

#include "core/base/byte_source.h"
#include "io/file_system.h"

namespace tidemark {

class DurableFile final : public ByteSink {
 public:
  // Creates `<dir>/.<name>.tmp-<pid>-<n>` next to `final_path` with the given mode; a name that
  // exists already (left by a killed process with the same pid) is skipped, never opened.
  static Result<DurableFile> Create(const std::string& final_path, unsigned mode = 0644,
                                    FileSystem& fs = PosixFileSystem());
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&&) = delete;
  ~DurableFile() override;

  // Appends bytes; handles short writes and EINTR. ENOSPC and EIO come back as kIo errors.
  Status Update(std::span<const uint8_t> chunk) override;
  Status Append(std::string_view text) {
    return Update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  // fsync, rename over the final path, fsync the directory. After an error nothing was renamed,
  // except when only the directory fsync failed (the error says so): the rename happened but
  // may not survive a power cut.
  Status Commit();
  // The first half of Commit(): fsync and close the temporary file. Commit() then only renames.
  // For a caller that must prepare the destination (move the old file aside) only once the new
  // bytes are known to be on disk.
  Status Sync();
  // Removes the temporary file now (also done by the destructor when not committed).
  void Abort();

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }

 private:
  DurableFile(FileSystem& fs, int fd, std::string temp, std::string final_path)
      : fs_(&fs), fd_(fd), temp_path_(std::move(temp)), final_path_(std::move(final_path)) {}
  Status Fail(Status s) {
    failed_ = true;
    return s;
  }
  // The kernel would write a large file's pages back only when pressed or at the final fsync,
  // which then waits for all of them (about 2 s for 1 GB here, after the pass). Starting the
  // writes every few MiB as the pass goes leaves the fsync the last few.
  static constexpr uint64_t kWritebackBytes = 8 << 20;
  void StartWriteback();
  FileSystem* fs_;
  int fd_ = -1;
  bool synced_ = false;
  uint64_t written_ = 0;  // for the write-mib kill point (io/kill_point.h)
  uint64_t writeback_from_ = 0;  // the first byte whose writeback has not been started
  bool failed_ = false;
  std::string temp_path_;
  std::string final_path_;
  bool committed_ = false;
};

// Writes `content` durably to `path` (temp + fsync + rename + fsync dir).
Status WriteFileDurably(const std::string& path, std::string_view content, unsigned mode = 0644,
                        FileSystem& fs = PosixFileSystem());

// True when the plain file name `file_name` is a temporary file that Create() makes for a
// destination whose plain name is `final_name` (".<final_name>.tmp-<pid>-<n>"): what a killed
// writer leaves behind. Lets a directory's owner clean those up without touching anything else.
bool IsDurableTempFileFor(std::string_view file_name, std::string_view final_name);

// fsyncs a directory so that a rename or unlink inside it is durable.
Status SyncDirectory(const std::string& dir, FileSystem& fs = PosixFileSystem());

}  // namespace tidemark
