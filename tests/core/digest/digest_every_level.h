// For tests that compare the file digest with a server's DEBUG DIGEST at every SHA-1 level this
// CPU runs: each level has its own lane code, and each must give the same number. The fastest
// level runs a second time with its batches hashed on a BackgroundThread, as the backup's pass
// hashes them (digest_batch.h): the hand-off must give the same number too.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/digest/dataset_digest.h"
#include "io/background_thread.h"
#include "io/file_source.h"

namespace tidemark {

// Digests `rdb_path` in process at each supported level (and on a thread) and hands the result
// to `check`.
inline void ForEachSha1Level(const std::string& rdb_path,
                             const std::function<void(const RdbDigestResult&)>& check) {
  auto run = [&](Sha1Level level, Background* background) {
    auto src = FileSource::Open(rdb_path);
    ASSERT_TRUE(src.has_value()) << src.error().ToString();
    RdbDigestResult r =
        DigestRdb(*src, RdbVerifyOptions{.name = rdb_path},
                  DigestOptions{.at_ms = 0, .sha1_level = level, .background = background});
    ASSERT_TRUE(r.report.valid()) << r.report.error->ToString();
    check(r);
  };
  for (Sha1Level level : {Sha1Level::kScalar, Sha1Level::kAvx2, Sha1Level::kAvx512}) {
    if (!Sha1LevelSupported(level)) continue;
    SCOPED_TRACE(Sha1LevelName(level));
    run(level, nullptr);
  }
  SCOPED_TRACE(std::string(Sha1LevelName(BestSha1Level())) + " on a BackgroundThread");
  BackgroundThread thread;
  run(BestSha1Level(), &thread);
}

}  // namespace tidemark
