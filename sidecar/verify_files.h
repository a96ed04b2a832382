// POST /v1/verify: the data files of this pod verified as they are now, by the same verifiers as
// `tidemark verify` and the restore step. What is checked in the data directory:
//   every "*.rdb" file directly in it (dump.rdb, or another dbfilename; hidden and temporary
//   files are skipped): full RDB verification (checksum, every encoding) within the sidecar's
//   memory budget (verify_budget.h: no duplicate-key check, since Redis's own files are of
//   unknown size; members checked for collections up to 2^18);
//   the AOF found there (appendonlydir/ through its manifest, or a legacy file): every part,
//   with the same bounds.
// Files Redis is writing are read as they are at that moment: a torn last record of the AOF
// while writes arrive can be a write in progress (the report says "truncated"; ask again).
// The answer: {"pod", "dataDir", "valid", "files": [{"path", "kind", "valid", "bytes", "keys" |
// "commands", "error"}]}; "valid" is false when any file fails or nothing was found to verify
// is not an error (an empty volume: files []). Blocking; reads each file once.
#pragma once

#include <string>

namespace tidemark::sidecar {

struct VerifyAnswer {
  bool valid = true;
  std::string json;  // the answer's body, one line
};

VerifyAnswer VerifyDataFiles(const std::string& data_dir, const std::string& pod);

}  // namespace tidemark::sidecar
