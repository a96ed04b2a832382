#include "core/digest/digest_batch.h"

#include <cstdlib>
#include <cstring>

namespace tidemark {

namespace {

void XorInto(Sha1Digest& d, const Sha1Digest& s) {
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= s[i];
}

}  // namespace

DigestBatch::DigestBatch(Sha1Level level, Background* background)
    : level_(level),
      background_(background),
      max_bytes_(background ? kBatchBytes / 2 : kBatchBytes),
      max_elements_(background ? kBatchElements / 2 : kBatchElements) {}

DigestBatch::~DigestBatch() {
  // The hashing side may still be using this object (a walk that stopped early). What it threw,
  // if anything, is dropped with the digest nobody will read.
  try {
    WaitForHashing();
  } catch (...) {
  }
}

void DigestBatch::BeginKey(uint64_t db) {
  MaybeFlush();
  Key key;
  key.db = db;
  key.chain = static_cast<uint32_t>(filling_.chains.size());
  filling_.chains.emplace_back();
  filling_.keys.push_back(key);
}

void DigestBatch::MixKey(std::span<const uint8_t> bytes) {
  MaybeFlush();
  const uint32_t slot = AddHash(bytes);
  AddStep(filling_.chains[filling_.keys.back().chain], slot);
}

void DigestBatch::MixKey(const Sha1Digest& hash) {
  MaybeFlush();
  AddStep(filling_.chains[filling_.keys.back().chain], AddKnownHash(hash));
}

void DigestBatch::XorKey(std::span<const uint8_t> bytes) {
  MaybeFlush();
  filling_.xors.emplace_back(AddHash(bytes), static_cast<uint32_t>(filling_.keys.size() - 1));
}

void DigestBatch::XorKey(const Sha1Digest& hash) {
  MaybeFlush();
  filling_.xors.emplace_back(AddKnownHash(hash), static_cast<uint32_t>(filling_.keys.size() - 1));
}

void DigestBatch::BeginField() {
  MaybeFlush();
  Chain chain;
  chain.field = true;
  chain.key = static_cast<uint32_t>(filling_.keys.size() - 1);
  filling_.chains.push_back(chain);
}

void DigestBatch::MixField(std::span<const uint8_t> bytes) {
  MaybeFlush();
  const uint32_t slot = AddHash(bytes);
  AddStep(filling_.chains.back(), slot);
}

void DigestBatch::MixField(const Sha1Digest& hash) {
  MaybeFlush();
  AddStep(filling_.chains.back(), AddKnownHash(hash));
}

void DigestBatch::EndField(const Sha1Digest* xor_first) {
  // k ^= SHA1(e ^ x) is one more chain step, SHA1(state ^ operand), with x (or zeros) as operand.
  AddStep(filling_.chains.back(), AddKnownHash(xor_first ? *xor_first : Sha1Digest{}));
  filling_.chains.back().closed = true;
}

void DigestBatch::EndKey(const Sha1Digest* xor_first) {
  Key& key = filling_.keys.back();
  key.ended = true;
  if (xor_first) {
    key.xor_after = true;
    key.after = *xor_first;
  }
}

void DigestBatch::DropKey() {
  filling_.keys.back().ended = true;
  filling_.keys.back().dropped = true;
}

const std::map<uint64_t, Sha1Digest>& DigestBatch::Finish() {
  Flush();
  WaitForHashing();
  return dbs_;
}

uint32_t DigestBatch::AddHash(std::span<const uint8_t> bytes) {
  Batch& b = filling_;
  const auto slot = static_cast<uint32_t>(b.hashes.size());
  b.hashes.emplace_back();
  if (bytes.size() > kMaxLaneBytes) {  // long: no lane would take it, and no copy is needed
    Sha1One(bytes, b.hashes.back().data());
    return slot;
  }
  b.pending.push_back({slot, static_cast<uint32_t>(b.bytes.size()), static_cast<uint32_t>(bytes.size())});
  b.bytes.insert(b.bytes.end(), bytes.begin(), bytes.end());
  return slot;
}

uint32_t DigestBatch::AddKnownHash(const Sha1Digest& hash) {
  const auto slot = static_cast<uint32_t>(filling_.hashes.size());
  filling_.hashes.push_back(hash);
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
  if (filling_.bytes.size() + kMaxLaneBytes > max_bytes_ || filling_.hashes.size() >= max_elements_) Flush();
}

void DigestBatch::Flush() {
  if (!background_) {
    Hash(filling_);
    StartAfter(filling_, filling_);
    return;
  }
  WaitForHashing();
  std::swap(filling_, hashing_);
  StartAfter(hashing_, filling_);
  background_->Start([this] { Hash(hashing_); });
  hashing_started_ = true;
}

void DigestBatch::WaitForHashing() {
  if (!hashing_started_) return;
  hashing_started_ = false;  // also when Wait() throws: that piece is over
  background_->Wait();
}

// The key being walked (if any) and its open field go on into the next batch, their results so
// far still to come from hashing `full`; every hash, step and finished key of `full` is spent.
// `next` may be `full` itself (no Background): what goes on is copied out first.
void DigestBatch::StartAfter(const Batch& full, Batch& next) {
  const bool open = !full.keys.empty() && !full.keys.back().ended;
  Key key;
  Chain own, field;
  bool open_field = false;
  if (open) {
    key = full.keys.back();
    own = full.chains[key.chain];
    own.begin = own.end = 0;
    key.chain = 0;
    open_field = full.chains.back().field && !full.chains.back().closed;
    if (open_field) {
      field = full.chains.back();
      field.begin = field.end = 0;
      field.key = 0;
    }
  }
  // clear() keeps the vectors' memory: each batch is allocated once.
  next.bytes.clear();
  next.pending.clear();
  next.hashes.clear();
  next.chains.clear();
  next.keys.clear();
  next.xors.clear();
  next.continues_key = open;
  next.continues_field = open_field;
  if (!open) return;
  next.chains.push_back(own);
  if (open_field) next.chains.push_back(field);
  next.keys.push_back(key);
}

void DigestBatch::Hash(Batch& b) {
  if (b.continues_key) {
    b.keys[0].acc = carry_.acc;
    b.chains[0].state = carry_.own;
    if (b.continues_field) b.chains[1].state = carry_.field;
  }
  HashPending(b);
  for (const auto& [slot, key] : b.xors) XorInto(b.keys[key].acc, b.hashes[slot]);
  RunChains(b);
  FinishKeys(b);
  if (!b.keys.empty() && !b.keys.back().ended) {
    const Key& open = b.keys.back();
    carry_.acc = open.acc;
    carry_.own = b.chains[open.chain].state;
    if (b.chains.back().field && !b.chains.back().closed) carry_.field = b.chains.back().state;
  }
}

void DigestBatch::HashPending(Batch& b) {
  spans_.clear();
  for (const Pending& p : b.pending) spans_.emplace_back(b.bytes.data() + p.offset, p.size);
  out_.resize(b.pending.size());
  Sha1Many(spans_, out_, level_);
  for (size_t i = 0; i < b.pending.size(); ++i) b.hashes[b.pending[i].slot] = out_[i];
}

void DigestBatch::HashMessages() {
  spans_.clear();
  for (const Sha1Digest& m : msgs_) spans_.emplace_back(m.data(), m.size());
  out_.resize(msgs_.size());
  Sha1Many(spans_, out_, level_);
}

// Every chain with steps advances one step per round, all of a round's steps hashed together.
void DigestBatch::RunChains(Batch& b) {
  active_.clear();
  for (uint32_t c = 0; c < b.chains.size(); ++c)
    if (b.chains[c].begin < b.chains[c].end) active_.push_back(c);
  while (!active_.empty()) {
    msgs_.resize(active_.size());
    for (size_t i = 0; i < active_.size(); ++i) {
      const Chain& chain = b.chains[active_[i]];
      msgs_[i] = chain.state;
      XorInto(msgs_[i], b.hashes[chain.begin]);
    }
    HashMessages();
    size_t kept = 0;
    for (size_t i = 0; i < active_.size(); ++i) {
      Chain& chain = b.chains[active_[i]];
      chain.state = out_[i];
      if (++chain.begin < chain.end) active_[kept++] = active_[i];
    }
    active_.resize(kept);
  }
  for (Chain& chain : b.chains) {
    if (chain.field && chain.closed) XorInto(b.keys[chain.key].acc, chain.state);
  }
}

void DigestBatch::FinishKeys(Batch& b) {
  msgs_.clear();
  for (const Key& key : b.keys) {
    if (!key.ended || key.dropped) continue;
    Sha1Digest k = b.chains[key.chain].state;
    XorInto(k, key.acc);
    if (key.xor_after) XorInto(k, key.after);
    msgs_.push_back(k);
  }
  HashMessages();
  size_t i = 0;
  for (const Key& key : b.keys) {
    if (!key.ended || key.dropped) continue;
    XorInto(dbs_[key.db], out_[i++]);
  }
}

}  // namespace tidemark
