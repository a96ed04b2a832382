#include "sidecar/flags.h"

namespace tidemark::sidecar {

Result<Flags> Flags::Parse(const std::vector<std::string>& args,
                           const std::set<std::string>& with_value,
                           const std::set<std::string>& switches) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    if (auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      if (!with_value.count(name))
        return MakeError(ErrorCode::kInvalidArgument, "option " + name + " takes no value");
    } else if (with_value.count(name)) {
      if (i + 1 >= args.size())
        return MakeError(ErrorCode::kInvalidArgument, "option " + name + " needs a value");
      value = args[++i];
    } else if (!switches.count(name)) {
      return MakeError(ErrorCode::kInvalidArgument, "unknown option '" + name + "'");
    }
    if (!f.values_.emplace(name, value).second)
      return MakeError(ErrorCode::kInvalidArgument, "option " + name + " given twice");
  }
  return f;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace tidemark::sidecar
