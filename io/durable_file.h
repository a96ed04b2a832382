// The one durable-write helper: every file that must survive a crash is written through it.
//
// DurableFile writes to a temporary file in the destination's directory; Commit() fsyncs it,
// renames it over the destination and fsyncs the directory, so after a crash the destination is
// either entirely old or entirely new. If Commit() is not reached (an error, an exception, a
// return), the destructor removes the temporary file: a failure path never touches the
// destination. Not thread-safe; one writer per object.
#pragma once

#include <span>
#include <string>

#include "core/base/byte_source.h"

namespace tidemark {

class DurableFile final : public ByteSink {
 public:
  // Creates `<dir>/.<name>.tmp-<pid>-<n>` next to `final_path` with the given mode.
  static Result<DurableFile> Create(const std::string& final_path, unsigned mode = 0644);
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&&) = delete;
  ~DurableFile() override;

  // Appends bytes; handles short writes and EINTR. ENOSPC and EIO come back as kIo errors.
  Status Update(std::span<const uint8_t> chunk) override;
  Status Append(std::string_view text) {
    return Update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  // fsync, rename over the final path, fsync the directory. After an error nothing was renamed.
  Status Commit();
  // Removes the temporary file now (also done by the destructor when not committed).
  void Abort();

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }

 private:
  DurableFile(int fd, std::string temp, std::string final_path)
      : fd_(fd), temp_path_(std::move(temp)), final_path_(std::move(final_path)) {}
  int fd_ = -1;
  std::string temp_path_;
  std::string final_path_;
  bool committed_ = false;
};

// Writes `content` durably to `path` (temp + fsync + rename + fsync dir).
Status WriteFileDurably(const std::string& path, std::string_view content, unsigned mode = 0644);

// True when the plain file name `file_name` is a temporary file that Create() makes for a
// destination whose plain name is `final_name` (".<final_name>.tmp-<pid>-<n>"): what a killed
// writer leaves behind. Lets a directory's owner clean those up without touching anything else.
bool IsDurableTempFileFor(std::string_view file_name, std::string_view final_name);

// fsyncs a directory so that a rename or unlink inside it is durable.
Status SyncDirectory(const std::string& dir);

}  // namespace tidemark
