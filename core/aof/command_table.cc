#include "core/aof/command_table.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace tidemark::aof {

namespace {

// Sorted by name. Generated from `COMMAND` of redis-server 7.0.15 (write-flagged commands and
// their subcommands) plus the additions listed in the header.
constexpr AofCommand kCommands[] = {
    {"append", 3},
    {"bitfield", -2},
    {"bitop", -4},
    {"blmove", 6},
    {"blmpop", -5},
    {"blpop", -3},
    {"brpop", -3},
    {"brpoplpush", 4},
    {"bzmpop", -5},
    {"bzpopmax", -3},
    {"bzpopmin", -3},
    {"copy", -3},
    {"decr", 2},
    {"decrby", 3},
    {"del", -2},
    {"eval", -3},
    {"evalsha", -3},
    {"exec", 1},
    {"expire", -3},
    {"expireat", -3},
    {"fcall", -3},
    {"flushall", -1},
    {"flushdb", -1},
    {"function", -2},
    {"function|delete", 3},
    {"function|dump", 2},
    {"function|flush", -2},
    {"function|help", 2},
    {"function|kill", 2},
    {"function|list", -2},
    {"function|load", -3},
    {"function|restore", -3},
    {"function|stats", 2},
    {"geoadd", -5},
    {"georadius", -6},
    {"georadiusbymember", -5},
    {"geosearchstore", -8},
    {"getdel", 2},
    {"getex", -2},
    {"getset", 3},
    {"hdel", -3},
    {"hexpire", -6},
    {"hexpireat", -6},
    {"hgetdel", -5},
    {"hgetex", -5},
    {"hincrby", 4},
    {"hincrbyfloat", 4},
    {"hmset", -4},
    {"hpersist", -5},
    {"hpexpire", -6},
    {"hpexpireat", -6},
    {"hset", -4},
    {"hsetex", -6},
    {"hsetnx", 4},
    {"incr", 2},
    {"incrby", 3},
    {"incrbyfloat", 3},
    {"linsert", 5},
    {"lmove", 5},
    {"lmpop", -4},
    {"lpop", -2},
    {"lpush", -3},
    {"lpushx", -3},
    {"lrem", 4},
    {"lset", 4},
    {"ltrim", 4},
    {"migrate", -6},
    {"move", 3},
    {"mset", -3},
    {"msetnx", -3},
    {"multi", 1},
    {"persist", 2},
    {"pexpire", -3},
    {"pexpireat", -3},
    {"pfadd", -2},
    {"pfdebug", 3},
    {"pfmerge", -2},
    {"ping", -1},
    {"psetex", 4},
    {"publish", 3},
    {"rename", 3},
    {"renamenx", 3},
    {"restore", -4},
    {"restore-asking", -4},
    {"rpop", -2},
    {"rpoplpush", 3},
    {"rpush", -3},
    {"rpushx", -3},
    {"sadd", -3},
    {"script", -2},
    {"script|debug", 3},
    {"script|exists", -3},
    {"script|flush", -2},
    {"script|help", 2},
    {"script|kill", 2},
    {"script|load", 3},
    {"sdiffstore", -3},
    {"select", 2},
    {"set", -3},
    {"setbit", 4},
    {"setex", 4},
    {"setnx", 3},
    {"setrange", 4},
    {"sinterstore", -3},
    {"smove", 4},
    {"sort", -2},
    {"spop", -2},
    {"srem", -3},
    {"sunionstore", -3},
    {"swapdb", 3},
    {"unlink", -2},
    {"xack", -4},
    {"xadd", -5},
    {"xautoclaim", -6},
    {"xclaim", -6},
    {"xdel", -3},
    {"xgroup", -2},
    {"xgroup|create", -5},
    {"xgroup|createconsumer", 5},
    {"xgroup|delconsumer", 5},
    {"xgroup|destroy", 4},
    {"xgroup|help", 2},
    {"xgroup|setid", -5},
    {"xreadgroup", -7},
    {"xsetid", -3},
    {"xtrim", -4},
    {"zadd", -4},
    {"zdiffstore", -4},
    {"zincrby", 4},
    {"zinterstore", -4},
    {"zmpop", -4},
    {"zpopmax", -2},
    {"zpopmin", -2},
    {"zrangestore", -5},
    {"zrem", -3},
    {"zremrangebylex", 4},
    {"zremrangebyrank", 4},
    {"zremrangebyscore", 4},
    {"zunionstore", -4},
};

// Lowercases `s` into `buf` (names longer than the buffer cannot be in the table).
std::string_view LowerInto(std::string_view s, char (&buf)[64]) {
  if (s.size() > sizeof buf) return {};
  for (size_t i = 0; i < s.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  return {buf, s.size()};
}

// Every record is looked up by name, so the lookup is a hash index built at compile time: the
// name is zero-padded into three words, lowercased a word at a time, hashed with one multiply
// and compared as words. Table names are shorter than the key; longer names are unknown.
constexpr size_t kKeyBytes = 24;
constexpr size_t kIndexBits = 9;  // 512 slots for 139 names: short probe runs
constexpr uint64_t kOnes = 0x0101010101010101;

struct Key {
  uint64_t w[3] = {};
  size_t size = 0;
};

// ASCII A-Z to a-z in each byte, as std::tolower does in the "C" locale (bytes >= 0x80 kept).
constexpr uint64_t LowerWord(uint64_t w) {
  const uint64_t heptets = w & (0x7f * kOnes);
  const uint64_t at_least_a = heptets + (0x80 - 'A') * kOnes;   // high bit: byte >= 'A'
  const uint64_t above_z = heptets + (0x80 - 'Z' - 1) * kOnes;  // high bit: byte > 'Z'
  const uint64_t upper = at_least_a & ~above_z & ~w & (0x80 * kOnes);
  return w | (upper >> 2);  // 0x80 >> 2 == 0x20, the case bit
}

// Little-endian packing, the same at compile time (table names) and at run time (RecordKey).
static_assert(std::endian::native == std::endian::little, "RecordKey must pack like MakeKey");
constexpr Key MakeKey(std::string_view name) {
  Key k;
  k.size = name.size();
  for (size_t i = 0; i < name.size(); ++i)
    k.w[i / 8] |= static_cast<uint64_t>(static_cast<uint8_t>(name[i])) << (8 * (i % 8));
  for (uint64_t& w : k.w) w = LowerWord(w);
  return k;
}

// The 1 to 8 bytes at p as a little-endian word, read with two overlapping loads (bytes
// loaded twice land on the same place) rather than copied: no loop, no read past p + n, and no
// stall reading a word back from byte-sized stores.
inline uint64_t LoadUpTo8(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | (uint64_t{hi} << (8 * (n - 4)));
  }
  const auto byte = [p](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])} << (8 * i); };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

// MakeKey for 0 < name.size() < kKeyBytes, without its byte loop.
inline Key RecordKey(std::string_view name) {
  Key k;
  const size_t n = name.size();
  k.size = n;
  k.w[0] = LowerWord(LoadUpTo8(name.data(), std::min<size_t>(n, 8)));
  if (n > 8) k.w[1] = LowerWord(LoadUpTo8(name.data() + 8, std::min<size_t>(n - 8, 8)));
  if (n > 16) k.w[2] = LowerWord(LoadUpTo8(name.data() + 16, n - 16));
  return k;
}

constexpr size_t Slot(const Key& k) {
  // Any mix will do (collisions probe on); the top bits of a golden-ratio multiply are good ones.
  const uint64_t mixed = k.w[0] + 31 * k.w[1] + 961 * k.w[2] + k.size;
  return static_cast<size_t>((mixed * 0x9e3779b97f4a7c15) >> (64 - kIndexBits));
}

struct Index {
  std::array<uint8_t, size_t{1} << kIndexBits> slot_to_entry{};  // entry + 1; 0 is empty
  std::array<Key, std::size(kCommands)> keys{};
};

constexpr Index BuildIndex() {
  Index index;
  for (size_t i = 0; i < std::size(kCommands); ++i) {
    index.keys[i] = MakeKey(kCommands[i].name);
    size_t s = Slot(index.keys[i]);
    while (index.slot_to_entry[s] != 0) s = (s + 1) % index.slot_to_entry.size();
    index.slot_to_entry[s] = static_cast<uint8_t>(i + 1);
  }
  return index;
}

constexpr bool NamesFitTheKey() {
  for (const AofCommand& c : kCommands)
    if (c.name.empty() || c.name.size() >= kKeyBytes) return false;
  return std::size(kCommands) < 255;
}
static_assert(NamesFitTheKey());

constexpr Index kIndex = BuildIndex();

// Same answer as a case-insensitive search of kCommands by full name ("function|load" included).
inline const AofCommand* Find(std::string_view name) {
  if (name.empty() || name.size() >= kKeyBytes) return nullptr;
  const Key k = RecordKey(name);
  for (size_t s = Slot(k);; s = (s + 1) % kIndex.slot_to_entry.size()) {
    const uint8_t entry = kIndex.slot_to_entry[s];
    if (entry == 0) return nullptr;
    const Key& e = kIndex.keys[entry - 1];
    if (e.size == k.size && e.w[0] == k.w[0] && e.w[1] == k.w[1] && e.w[2] == k.w[2])
      return &kCommands[entry - 1];
  }
}

const AofCommand* FindSub(const AofCommand* container, std::string_view lowered_sub) {
  // Subcommands sort after their container; other names sharing its prefix may come between.
  const std::string_view base = container->name;
  for (const AofCommand* it = container + 1; it != std::end(kCommands); ++it) {
    if (!it->name.starts_with(base)) break;
    if (it->name.size() > base.size() && it->name[base.size()] == '|' &&
        it->name.substr(base.size() + 1) == lowered_sub)
      return it;
  }
  return nullptr;
}

constexpr bool IsContainer(const AofCommand* cmd) {
  const std::string_view base = cmd->name;
  for (const AofCommand* it = cmd + 1; it != std::end(kCommands); ++it) {
    if (!it->name.starts_with(base)) return false;
    if (it->name.size() > base.size() && it->name[base.size()] == '|') return true;
  }
  return false;
}

constexpr auto kIsContainer = [] {
  std::array<bool, std::size(kCommands)> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = IsContainer(&kCommands[i]);
  return out;
}();

std::string ArityText(int arity) {
  return arity >= 0 ? "exactly " + std::to_string(arity) : "at least " + std::to_string(-arity);
}

}  // namespace

int FindAofCommand(std::string_view name) {
  const AofCommand* cmd = Find(name);
  return cmd ? static_cast<int>(cmd - std::begin(kCommands)) : -1;
}

size_t AofCommandTableSize() { return std::size(kCommands); }
const AofCommand& AofCommandAt(size_t index) { return kCommands[index]; }
bool AofCommandIsContainer(size_t index) { return kIsContainer[index]; }
bool AofArityOk(int arity, uint64_t argc) {
  return arity >= 0 ? argc == static_cast<uint64_t>(arity) : argc >= static_cast<uint64_t>(-arity);
}

AofCommandCheck CheckAofCommand(std::string_view name, std::string_view arg1, uint64_t argc) {
  AofCommandCheck out;
  const AofCommand* cmd = Find(name);
  if (!cmd) {
    out.unknown = true;
    out.problem = "unknown command '" + std::string(name.substr(0, 64)) +
                  "': not a command Redis writes to an AOF (redis-server stops loading at an "
                  "unknown command; module commands need their module)";
    return out;
  }
  if (argc >= 2 && kIsContainer[static_cast<size_t>(cmd - std::begin(kCommands))]) {
    char sub_buf[64];
    const AofCommand* sub = FindSub(cmd, LowerInto(arg1, sub_buf));
    if (!sub) {
      out.unknown = true;
      out.problem = "unknown subcommand '" + std::string(name.substr(0, 64)) + " " +
                    std::string(arg1.substr(0, 64)) + "'";
      return out;
    }
    cmd = sub;
  }
  out.index = static_cast<int>(cmd - std::begin(kCommands));
  if (!AofArityOk(cmd->arity, argc))
    out.problem = "'" + std::string(cmd->name) + "' with " + std::to_string(argc) +
                  " arguments, expected " + ArityText(cmd->arity) +
                  " (redis-server loads AOF records without an arity check and may crash)";
  return out;
}

}  // namespace tidemark::aof
