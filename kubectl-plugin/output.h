// Printing for kubectl-tidemark: -o json (the reconcile printer, stable member order), -o yaml
// (the same document as block YAML), and the text screens' colour, which is on only for a
// terminal (isatty) unless --color says otherwise. Pure except IsTerminal.
#pragma once

#include <string>

#include "kubectl-plugin/options.h"
#include "operator/reconcile/json.h"

namespace tidemark::kubectl {

// The document as YAML (2-space block style; strings quoted when YAML would read them as
// something else).
std::string ToYaml(const reconcile::Json& value);

// The document in the requested machine format (json or yaml).
std::string Render(const reconcile::Json& value, OutputFormat format);

bool UseColor(ColorMode mode, int fd);

// ANSI colours, or nothing when off.
class Paint {
 public:
  explicit Paint(bool on) : on_(on) {}
  std::string Bold(const std::string& s) const { return Wrap("1", s); }
  std::string Good(const std::string& s) const { return Wrap("32", s); }
  std::string Bad(const std::string& s) const { return Wrap("31", s); }
  std::string Warn(const std::string& s) const { return Wrap("33", s); }
  std::string Dim(const std::string& s) const { return Wrap("2", s); }
  // A drill's result as `status` and `drill` both show it: success green, skipped yellow, else red.
  std::string DrillResult(const std::string& result) const {
    return result == "success" ? Good(result) : result == "skipped" ? Warn(result) : Bad(result);
  }

 private:
  std::string Wrap(const char* code, const std::string& s) const {
    return on_ ? "\x1b[" + std::string(code) + "m" + s + "\x1b[0m" : s;
  }
  bool on_;
};

// "1.5 MiB", "12 B".
std::string HumanBytes(int64_t bytes);

}  // namespace tidemark::kubectl
