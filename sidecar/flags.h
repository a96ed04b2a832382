// Minimal "--name value" / "--switch" parsing for the sidecar's commands. Unknown flags, missing
// values and repeated flags are usage errors naming the flag.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark::sidecar {

class Flags {
 public:
  static Result<Flags> Parse(const std::vector<std::string>& args,
                             const std::set<std::string>& with_value,
                             const std::set<std::string>& switches);
  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace tidemark::sidecar
