#include "core/digest/digest_batch.h"

#include <cstdlib>
#include <cstring>

namespace tidemark {

namespace {

void XorInto(Sha1Digest& d, const Sha1Digest& s) {
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= s[i];
}

}  // namespace

DigestBatch::DigestBatch(Sha1Level level) : level_(level) {}

void DigestBatch::BeginKey(uint64_t db) {
  MaybeFlush();
  Key key;
  key.db = db;
  key.chain = static_cast<uint32_t>(chains_.size());
  chains_.emplace_back();
  keys_.push_back(key);
}

void DigestBatch::MixKey(std::span<const uint8_t> bytes) {
  MaybeFlush();
  const uint32_t slot = AddHash(bytes);
  AddStep(chains_[keys_.back().chain], slot);
}

void DigestBatch::MixKey(const Sha1Digest& hash) {
  MaybeFlush();
  AddStep(chains_[keys_.back().chain], AddKnownHash(hash));
}

void DigestBatch::XorKey(std::span<const uint8_t> bytes) {
  MaybeFlush();
  xors_.emplace_back(AddHash(bytes), static_cast<uint32_t>(keys_.size() - 1));
}

void DigestBatch::XorKey(const Sha1Digest& hash) {
  MaybeFlush();
  xors_.emplace_back(AddKnownHash(hash), static_cast<uint32_t>(keys_.size() - 1));
}

void DigestBatch::BeginField() {
  MaybeFlush();
  Chain chain;
  chain.field = true;
  chain.key = static_cast<uint32_t>(keys_.size() - 1);
  chains_.push_back(chain);
}

void DigestBatch::MixField(std::span<const uint8_t> bytes) {
  MaybeFlush();
  const uint32_t slot = AddHash(bytes);
  AddStep(chains_.back(), slot);
}

void DigestBatch::MixField(const Sha1Digest& hash) {
  MaybeFlush();
  AddStep(chains_.back(), AddKnownHash(hash));
}

void DigestBatch::EndField(const Sha1Digest* xor_first) {
  // k ^= SHA1(e ^ x) is one more chain step, SHA1(state ^ operand), with x (or zeros) as operand.
  AddStep(chains_.back(), AddKnownHash(xor_first ? *xor_first : Sha1Digest{}));
  chains_.back().closed = true;
}

void DigestBatch::EndKey(const Sha1Digest* xor_first) {
  Key& key = keys_.back();
  key.ended = true;
  if (xor_first) {
    key.xor_after = true;
    key.after = *xor_first;
  }
}

void DigestBatch::DropKey() {
  keys_.back().ended = true;
  keys_.back().dropped = true;
}

const std::map<uint64_t, Sha1Digest>& DigestBatch::Finish() {
  Flush();
  return dbs_;
}

uint32_t DigestBatch::AddHash(std::span<const uint8_t> bytes) {
  const auto slot = static_cast<uint32_t>(hashes_.size());
  hashes_.emplace_back();
  if (bytes.size() > kMaxLaneBytes) {  // long: no lane would take it, and no copy is needed
    Sha1One(bytes, hashes_.back().data());
    return slot;
  }
  pending_.push_back({slot, static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(bytes.size())});
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return slot;
}

uint32_t DigestBatch::AddKnownHash(const Sha1Digest& hash) {
  const auto slot = static_cast<uint32_t>(hashes_.size());
  hashes_.push_back(hash);
  return slot;
}

void DigestBatch::AddStep(Chain& chain, uint32_t slot) {
  // A chain's steps are consecutive slots: the walk finishes one field (or the key's own mixes)
  // before it starts the next. Anything else is a bug in the caller's order of calls.
  if (chain.begin == chain.end) {
    chain.begin = slot;
  } else if (chain.end != slot) {
    std::abort();
  }
  chain.end = slot + 1;
}

void DigestBatch::MaybeFlush() {
  if (bytes_.size() + kMaxLaneBytes > kBatchBytes || hashes_.size() >= kBatchElements) Flush();
}

void DigestBatch::Flush() {
  HashPending();
  for (const auto& [slot, key] : xors_) XorInto(keys_[key].acc, hashes_[slot]);
  RunChains();
  FinishKeys();
  KeepOpenKey();
}

void DigestBatch::HashPending() {
  spans_.clear();
  for (const Pending& p : pending_) spans_.emplace_back(bytes_.data() + p.offset, p.size);
  out_.resize(pending_.size());
  Sha1Many(spans_, out_, level_);
  for (size_t i = 0; i < pending_.size(); ++i) hashes_[pending_[i].slot] = out_[i];
}

void DigestBatch::HashMessages() {
  spans_.clear();
  for (const Sha1Digest& m : msgs_) spans_.emplace_back(m.data(), m.size());
  out_.resize(msgs_.size());
  Sha1Many(spans_, out_, level_);
}

// Every chain with steps advances one step per round, all of a round's steps hashed together.
void DigestBatch::RunChains() {
  active_.clear();
  for (uint32_t c = 0; c < chains_.size(); ++c)
    if (chains_[c].begin < chains_[c].end) active_.push_back(c);
  while (!active_.empty()) {
    msgs_.resize(active_.size());
    for (size_t i = 0; i < active_.size(); ++i) {
      const Chain& chain = chains_[active_[i]];
      msgs_[i] = chain.state;
      XorInto(msgs_[i], hashes_[chain.begin]);
    }
    HashMessages();
    size_t kept = 0;
    for (size_t i = 0; i < active_.size(); ++i) {
      Chain& chain = chains_[active_[i]];
      chain.state = out_[i];
      if (++chain.begin < chain.end) active_[kept++] = active_[i];
    }
    active_.resize(kept);
  }
  for (Chain& chain : chains_) {
    if (chain.field && chain.closed) XorInto(keys_[chain.key].acc, chain.state);
  }
}

void DigestBatch::FinishKeys() {
  msgs_.clear();
  for (const Key& key : keys_) {
    if (!key.ended || key.dropped) continue;
    Sha1Digest k = chains_[key.chain].state;
    XorInto(k, key.acc);
    if (key.xor_after) XorInto(k, key.after);
    msgs_.push_back(k);
  }
  HashMessages();
  size_t i = 0;
  for (const Key& key : keys_) {
    if (!key.ended || key.dropped) continue;
    XorInto(dbs_[key.db], out_[i++]);
  }
}

// The key being walked (if any) and its open field keep their state into the next batch; every
// hash, step and finished key of this one is spent.
void DigestBatch::KeepOpenKey() {
  std::vector<Chain> kept_chains;
  std::vector<Key> kept_keys;
  if (!keys_.empty() && !keys_.back().ended) {
    Key key = keys_.back();
    Chain own = chains_[key.chain];
    own.begin = own.end = 0;
    key.chain = 0;
    kept_chains.push_back(own);
    if (chains_.back().field && !chains_.back().closed) {
      Chain field = chains_.back();
      field.begin = field.end = 0;
      field.key = 0;
      kept_chains.push_back(field);
    }
    kept_keys.push_back(key);
  }
  chains_.swap(kept_chains);
  keys_.swap(kept_keys);
  bytes_.clear();
  pending_.clear();
  hashes_.clear();
  xors_.clear();
}

}  // namespace tidemark
