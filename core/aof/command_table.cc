#include "core/aof/command_table.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

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

const AofCommand* Find(std::string_view lowered) {
  auto it = std::lower_bound(std::begin(kCommands), std::end(kCommands), lowered,
                             [](const AofCommand& c, std::string_view n) { return c.name < n; });
  if (it == std::end(kCommands) || it->name != lowered) return nullptr;
  return it;
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

bool IsContainer(const AofCommand* cmd) {
  const std::string_view base = cmd->name;
  for (const AofCommand* it = cmd + 1; it != std::end(kCommands); ++it) {
    if (!it->name.starts_with(base)) return false;
    if (it->name.size() > base.size() && it->name[base.size()] == '|') return true;
  }
  return false;
}


std::string ArityText(int arity) {
  return arity >= 0 ? "exactly " + std::to_string(arity) : "at least " + std::to_string(-arity);
}

}  // namespace

size_t AofCommandTableSize() { return std::size(kCommands); }
const AofCommand& AofCommandAt(size_t index) { return kCommands[index]; }
bool AofCommandIsContainer(size_t index) { return IsContainer(&kCommands[index]); }
bool AofArityOk(int arity, uint64_t argc) {
  return arity >= 0 ? argc == static_cast<uint64_t>(arity) : argc >= static_cast<uint64_t>(-arity);
}

AofCommandCheck CheckAofCommand(std::string_view name, std::string_view arg1, uint64_t argc) {
  AofCommandCheck out;
  char buf[64];
  const AofCommand* cmd = Find(LowerInto(name, buf));
  if (!cmd) {
    out.unknown = true;
    out.problem = "unknown command '" + std::string(name.substr(0, 64)) +
                  "': not a command Redis writes to an AOF (redis-server stops loading at an "
                  "unknown command; module commands need their module)";
    return out;
  }
  if (argc >= 2 && IsContainer(cmd)) {
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
