// The dataset digest's SHA-1 work, deferred and batched so it can run in SIMD lanes (sha1_multi.h).
//
// DatasetDigest (dataset_digest.h) describes each key as calls here, in walk order; the hashing
// happens when the batch fills up and at Finish(). It gives exactly the bytes hashing each call
// at once would, because of where the algorithm has independence:
//   - SHA1(element) of every element is independent of everything else;
//   - a key's chain  k = SHA1(k ^ SHA1(element))  is serial within the key, but keys are
//     independent: the chains of all keys in a batch advance together, one step per round;
//   - a sorted-set member's or hash field's own chain  e = SHA1(e ^ ...)  is independent of the
//     key's; SHA1(e) is xored into k, as are SHA1(member) of set members: xor is order-free, so
//     these are applied whenever ready (SHA1(e) is one more step of the field's chain);
//   - a key's final SHA1(k), xored into its database's digest, is independent across keys.
//
// Memory: element bytes up to kMaxLaneBytes are copied (the visitor's views die with the call)
// into a buffer of at most about kBatchBytes, plus per element 20 bytes of hash and 12 of
// bookkeeping, at most kBatchElements of them; longer elements are hashed at once, not copied.
// A key bigger than a batch is carried across flushes with its chain state.
//
// Given a Background (core/base/background.h), a full batch is hashed there while the caller
// fills the next one: the SHA-1s leave the walking thread (the backup's pass has one core for
// the walk and one for reading, SHA-256 and writing, and the walk was the longer). Two batches
// then exist, so each is half the size: the same memory, the same digest. Calls come from one
// thread; the hashing side touches only the batch it was handed, the digests so far, its scratch
// vectors and the state of the key carried into the next batch (carry_), none of which the
// calling side reads or writes until it has waited. Batches are hashed one at a time, in the
// order they were filled (a batch is handed over only after the one before was waited for):
// a key's chain and a field's chain are serial and go from one batch to the next through
// carry_, so that order is what the digest needs; the XORs (members, fields into their key,
// keys into their database) commute. A walk that stops early (an invalid file, a failed write)
// destroys the DigestBatch, which waits for the batch in flight before its memory goes.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/base/background.h"
#include "core/digest/sha1_multi.h"

namespace tidemark {

class DigestBatch {
 public:
  // Of both batches together (each holds half with a Background).
  static constexpr size_t kBatchBytes = size_t{512} << 10;
  static constexpr size_t kBatchElements = 8192;

  // `background`, if given, must outlive this object.
  explicit DigestBatch(Sha1Level level, Background* background = nullptr);
  ~DigestBatch();
  DigestBatch(const DigestBatch&) = delete;
  DigestBatch& operator=(const DigestBatch&) = delete;

  // Calls for one key, in this order: BeginKey, then any of MixKey/XorKey and
  // BeginField -> MixField... -> EndField groups, then EndKey or DropKey. Each of MixKey, XorKey
  // and MixField takes the element's bytes, or its SHA-1 when the caller hashed it already (a
  // constant, or an element too long to hold, hashed as it streamed past).
  void BeginKey(uint64_t db);
  void MixKey(std::span<const uint8_t> bytes);  // k = SHA1(k ^ SHA1(bytes))
  void MixKey(const Sha1Digest& hash);          // k = SHA1(k ^ hash)
  void XorKey(std::span<const uint8_t> bytes);  // k ^= SHA1(bytes)
  void XorKey(const Sha1Digest& hash);          // k ^= hash
  void BeginField();                            // e = 0
  void MixField(std::span<const uint8_t> bytes);  // e = SHA1(e ^ SHA1(bytes))
  void MixField(const Sha1Digest& hash);          // e = SHA1(e ^ hash)
  void EndField(const Sha1Digest* xor_first);   // [e ^= *xor_first]; k ^= SHA1(e)
  void EndKey(const Sha1Digest* xor_first);     // [k ^= *xor_first]; digest[db] ^= SHA1(k)
  void DropKey();                               // the key does not count

  // Hashes what is pending (and waits for the Background); then the XOR of SHA1(k) over the
  // ended keys, per database.
  const std::map<uint64_t, Sha1Digest>& Finish();

 private:
  // A serial chain state = SHA1(state ^ hashes[i]) for i in [begin, end): a key's or a field's.
  struct Chain {
    Sha1Digest state{};
    uint32_t begin = 0, end = 0;
    uint32_t key = 0;         // a field's key (index in keys)
    bool field = false;
    bool closed = false;  // a field whose EndField came: its state is SHA1(e) now
  };
  struct Key {
    Sha1Digest acc{};  // set members and finished fields, xored
    uint64_t db = 0;
    uint32_t chain = 0;
    bool ended = false, dropped = false, xor_after = false;
    Sha1Digest after{};
  };
  struct Pending {
    uint32_t slot, offset, size;
  };
  // What the calls described since the last flush, until hashed.
  struct Batch {
    std::vector<uint8_t> bytes;
    std::vector<Pending> pending;
    std::vector<Sha1Digest> hashes;
    std::vector<Chain> chains;
    std::vector<Key> keys;
    std::vector<std::pair<uint32_t, uint32_t>> xors;  // (slot, key): k ^= hashes[slot]
    // keys[0] is the previous batch's last key, still open: its acc and chain state (chains[0],
    // and chains[1] when its field is open too) are the previous batch's results, set when
    // this batch is hashed.
    bool continues_key = false, continues_field = false;
  };
  // The open key's results, from one batch's hashing to the next's.
  struct Carry {
    Sha1Digest acc{}, own{}, field{};
  };

  uint32_t AddHash(std::span<const uint8_t> bytes);
  uint32_t AddKnownHash(const Sha1Digest& hash);
  void AddStep(Chain& chain, uint32_t slot);
  void MaybeFlush();
  // Hands the batch filled to the hashing side and starts the next with the open key.
  void Flush();
  static void StartAfter(const Batch& full, Batch& next);
  // Returns once the batch handed to the Background (if any) is hashed; throws what that threw.
  void WaitForHashing();

  // The hashing side (the Background's thread when there is one).
  void Hash(Batch& b);
  void HashPending(Batch& b);
  void RunChains(Batch& b);
  void FinishKeys(Batch& b);
  // Sha1Many over 20-byte messages in msgs_, into out_.
  void HashMessages();

  Sha1Level level_;
  Background* background_;
  size_t max_bytes_, max_elements_;  // per batch
  Batch filling_, hashing_;
  bool hashing_started_ = false;  // on the Background, not yet waited for
  // Hashing side only.
  Carry carry_;
  std::map<uint64_t, Sha1Digest> dbs_;
  std::vector<std::span<const uint8_t>> spans_;  // scratch reused across flushes
  std::vector<Sha1Digest> msgs_, out_;
  std::vector<uint32_t> active_;
};

}  // namespace tidemark
