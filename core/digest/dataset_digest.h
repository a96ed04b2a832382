// The dataset digest Redis's DEBUG DIGEST returns, computed from the content of an RDB file as
// the verifier walks it (a ValueVisitor), so the result is known without loading the file.
//
// Redis's algorithm (src/debug.c), in terms of SHA-1:
//   xor(d, s): d ^= SHA1(s)            mix(d, s): d = SHA1(d ^ SHA1(s))   (mix keeps order)
//   per key:  k = 0; mix(k, name); mix(k, big-endian u32 type: string 0, list 1, set 2, zset 3,
//             hash 4, stream 6); then by type:
//               string  mix(k, value)            list   mix(k, element) head to tail
//               set     xor(k, member)           stream mix(k, "ms.seq") then mix(k, field),
//                                                       mix(k, value) per entry, oldest first
//               zset    e = 0; mix(e, member); mix(e, score as text); xor(k, e)  per member
//               hash    e = 0; mix(e, field); mix(e, value); [xor(e, "!!hexpire!!") when the
//                       field has a TTL, 7.4+]; xor(k, e)  per field
//             then xor(k, "!!expire!!") when the key has an expire time (its value is not used)
//   dataset:  D = 0; for each non-empty db in ascending index: mix(D, big-endian u32 index);
//             xor(D, k) for each of its keys.  Printed as 40 lowercase hex digits.
// Integers are hashed as their decimal text; scores per ScoreFormat (score_text.h).
//
// Keys whose expire time is before `at` are left out, as a master loading the file drops them.
// Hash fields whose TTL is before `at` are left out too (Redis 7.4 loads them and its active
// expiry deletes them moments later; a hash left with no field is deleted with it). Module
// values make the walk fail: their digest is the module's own callback. Function libraries
// and stream consumer groups do not count, as in Redis.
//
// The SHA-1s are not computed as the events arrive but batched (digest_batch.h) and hashed
// many at once in SIMD lanes (sha1_multi.h), which gives the same digest at a fraction of the CPU.
//
// Memory: the batch (about 2 MB at most), and 20 bytes and two counters per database seen.
// Elements too long to hold (value_visitor.h) are hashed piece by piece as they stream past:
// a value of any size costs no more.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/base/background.h"
#include "core/base/byte_source.h"
#include "core/digest/digest_batch.h"
#include "core/digest/score_text.h"
#include "core/digest/sha1_multi.h"
#include "core/rdb/rdb_verifier.h"
#include "core/rdb/value_visitor.h"

namespace tidemark {

struct DigestOptions {
  int64_t at_ms = 0;  // "now" for expiry, Unix milliseconds
  // The score formatting of the server the digest predicts; unset: chosen from the file's
  // redis-ver AUX field (older than 7.2: printf), and the 7.2+ formatting without one.
  std::optional<ScoreFormat> score_format = std::nullopt;
  // A module value fails the walk (the CLI: no number rather than a wrong one). False: the walk
  // goes on and the digest is marked unavailable (a backup still verifies and copies the file).
  bool fail_on_module = true;
  // The SHA-1 implementation; unset: the fastest this CPU runs. Tests set each level.
  std::optional<Sha1Level> sha1_level = std::nullopt;
  // Where the batched SHA-1s run while the walk goes on (digest_batch.h); unset: on the
  // walking thread. Must outlive the DatasetDigest.
  Background* background = nullptr;
};

struct DigestDbCounts {
  uint64_t keys = 0;     // keys that count (loaded and not expired)
  uint64_t expired = 0;  // keys left out: expired at `at` (or every hash field expired)
};

class DatasetDigest final : public ValueVisitor {
 public:
  explicit DatasetDigest(const DigestOptions& options);

  void Aux(std::string_view key, std::string_view value) override;
  bool BeginKey(const KeyStart& key) override;
  void Element(std::span<const uint8_t> bytes) override;
  void BeginLongElement(uint64_t length) override;
  void ElementPiece(std::span<const uint8_t> bytes) override;
  void EndLongElement() override;
  void Score(double score) override;
  void FieldExpire(uint64_t expire_ms) override;
  void StreamEntry(uint64_t ms, uint64_t seq) override;
  Status Module(const std::string& module_name) override;
  void EndKey() override;

  // After the walk: the digest as DEBUG DIGEST prints it (all zeros for an empty dataset). Not
  // const: it hashes what the batch still holds.
  std::string Hex();
  const std::map<uint64_t, DigestDbCounts>& dbs() const { return counts_; }
  ScoreFormat score_format() const { return format_; }
  // Set when a module value was seen with fail_on_module false: why there is no digest.
  const std::optional<std::string>& unavailable() const { return unavailable_; }

  using Sha1 = std::array<uint8_t, 20>;

 private:
  enum class Kind { kString, kList, kSet, kZset, kHash, kStream };
  template <class E>
  void Consume(const E& element);  // bytes, or the SHA-1 of a long element

  Kind kind_ = Kind::kString;
  bool named_ = false;        // the key's name was mixed in
  bool has_expire_ = false;
  bool field_has_ttl_ = false, field_expired_ = false;
  bool second_ = false;       // zset/hash: the next element is the pair's second half
  uint64_t db_ = 0;
  uint32_t type_ = 0;
  uint64_t fields_kept_ = 0;
  int64_t at_ms_;
  ScoreFormat format_;
  bool format_fixed_;
  bool fail_on_module_;
  std::optional<std::string> unavailable_;
  DigestBatch batch_;
  Sha1Stream long_;  // the SHA-1 of a long element, piece by piece
  Sha1Digest expire_hash_, hexpire_hash_;  // SHA1("!!expire!!"), SHA1("!!hexpire!!")
  std::array<Sha1Digest, 7> type_hashes_;  // SHA1 of each big-endian type number
  std::map<uint64_t, DigestDbCounts> counts_;
};

// One pass: verifies `source` (as VerifyRdb) and computes its digest. The digest is meaningful
// only when report.valid().
struct RdbDigestResult {
  RdbReport report;
  std::string digest;  // 40 hex digits
  std::map<uint64_t, DigestDbCounts> dbs;
  ScoreFormat score_format = ScoreFormat::kGrisu;
};
RdbDigestResult DigestRdb(ByteSource& source, const RdbVerifyOptions& verify, const DigestOptions& options);

}  // namespace tidemark
