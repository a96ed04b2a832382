// A command as the AOF holds it: a RESP array of bulk strings.
#pragma once

#include <initializer_list>
#include <string>

namespace tidemark::aof {

inline std::string Cmd(std::initializer_list<std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

}  // namespace tidemark::aof
