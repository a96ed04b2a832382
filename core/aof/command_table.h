// The commands Redis writes to an AOF, with their arity: the table the verifier checks each
// record against.
//
// redis-server loads an AOF record by looking its name up in the command table and calling the
// command's implementation directly, without the arity check clients get: an unknown name stops
// the load ("Unknown command"), and a wrong argument count can crash the server (seen: a
// two-argument SET segfaults 7.0.15). redis-check-aof checks neither.
//
// The table holds every command that 7.0.15 flags "write" (from COMMAND), with the subcommands
// of container commands (FUNCTION LOAD, XGROUP CREATE, ...), plus MULTI, EXEC, SELECT, PING,
// PUBLISH, EVAL/EVALSHA/FCALL/SCRIPT (older AOFs), and the hash-field-expiry commands of 7.4 and
// 8.0 (HEXPIRE... HPERSIST, HSETEX, HGETEX, HGETDEL). Module commands are not in it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::aof {

struct AofCommand {
  std::string_view name;  // lowercase; "container|sub" for a subcommand
  int arity;              // Redis convention: N exact, -N at least N (the name counts)
};

struct AofCommandCheck {
  int index = -1;  // table entry of the command (or subcommand), -1 when unknown
  bool unknown = false;             // the name (or subcommand) is not in the table
  std::optional<std::string> problem;  // what is wrong; nullopt when Redis accepts it
};

// Checks a record named `name` (case-insensitive) with `argc` arguments and second argument
// `arg1` (used for container commands). Allocates only to describe a problem.
AofCommandCheck CheckAofCommand(std::string_view name, std::string_view arg1, uint64_t argc);

// Table index of the entry named `name` (case-insensitive, a subcommand spelled "container|sub"),
// -1 if there is none.
int FindAofCommand(std::string_view name);

// Number of entries in the table (reported, so a reader knows what was checked against).
size_t AofCommandTableSize();
// The entry at `index` (0 <= index < AofCommandTableSize()).
const AofCommand& AofCommandAt(size_t index);
// Whether the entry at `index` has subcommands (its second argument selects one).
bool AofCommandIsContainer(size_t index);
// Whether `argc` fits `arity` (Redis convention).
bool AofArityOk(int arity, uint64_t argc);

}  // namespace tidemark::aof
