// For tests that compare the file digest with a server's DEBUG DIGEST at every SHA-1 level this
// CPU runs: each level has its own lane code, and each must give the same number.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/digest/dataset_digest.h"
#include "io/file_source.h"

namespace tidemark {

// Digests `rdb_path` in process at each supported level and hands the result to `check`.
inline void ForEachSha1Level(const std::string& rdb_path,
                             const std::function<void(const RdbDigestResult&)>& check) {
  for (Sha1Level level : {Sha1Level::kScalar, Sha1Level::kAvx2, Sha1Level::kAvx512}) {
    if (!Sha1LevelSupported(level)) continue;
    SCOPED_TRACE(Sha1LevelName(level));
    auto src = FileSource::Open(rdb_path);
    ASSERT_TRUE(src.has_value()) << src.error().ToString();
    RdbDigestResult r = DigestRdb(*src, RdbVerifyOptions{.name = rdb_path},
                                  DigestOptions{.at_ms = 0, .sha1_level = level});
    ASSERT_TRUE(r.report.valid()) << r.report.error->ToString();
    check(r);
  }
}

}  // namespace tidemark
