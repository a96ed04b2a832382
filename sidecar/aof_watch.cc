#include "sidecar/aof_watch.h"

#include "core/aof/aof_verifier.h"
#include "core/aof/manifest.h"
#include "io/aof_files.h"
#include "io/file_source.h"
#include "sidecar/verify_budget.h"

namespace tidemark::sidecar {

Result<AofWatchResult> AofWatcher::Check(const std::string& aof_dir,
                                         const std::string& manifest_name) {
  AofWatchResult out;
  auto text = ReadSmallFile(aof_dir + "/" + manifest_name);
  if (!text) return std::unexpected(text.error());
  auto report = [&](Error e, const std::string& file) {
    if (problem_ && problem_file_ == file) return;  // already reported
    problem_ = e;
    problem_file_ = file;
    out.new_problem = std::move(e);
  };
  auto manifest = aof::ParseManifest(*text, aof_dir + "/" + manifest_name);
  if (!manifest) {
    report(manifest.error(), manifest_name);
    return out;
  }
  DirectoryAofOpener opener(aof_dir);
  // Redis's own files, verified while it runs: within the sidecar's memory budget.
  aof::AofVerifyOptions options = BoundedAofVerifyOptions(aof::AofVerifyOptions{}.max_rdb_version);
  if (manifest->base && manifest->base->name != base_) {
    base_ = manifest->base->name;
    auto r = aof::VerifyAofFile(opener, base_, aof::AofPartType::kBase, false, options);
    out.bytes_verified += r.bytes;
    if (r.verdict != aof::AofVerdict::kValid && r.error) report(*r.error, base_);
  }
  if (manifest->incrs.empty()) return out;
  const std::string& incr = manifest->incrs.back().name;
  if (incr != incr_) {  // a rewrite started a new incremental file
    incr_ = incr;
    offset_ = 0;
  }
  auto opened = opener.Open(incr_, offset_);
  if (!opened) return std::unexpected(opened.error());
  if (opened->size <= offset_) return out;
  aof::AofFileReport r;
  r.name = incr_;
  r.type = aof::AofPartType::kIncr;
  r.last = true;
  r.bytes = opened->size;
  aof::VerifyAofCommands(*opened->source, offset_, options, r);
  out.bytes_verified += r.last_good_offset - offset_;
  if (r.verdict == aof::AofVerdict::kCorrupt && r.error) report(*r.error, incr_);
  else offset_ = r.last_good_offset;  // valid, or a record Redis is still writing
  return out;
}

}  // namespace tidemark::sidecar
