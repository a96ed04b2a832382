#include "kubectl-plugin/output.h"

#include <unistd.h>

#include <cstdio>

namespace tidemark::kubectl {

using reconcile::Json;

namespace {

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : kWords)
    if (lower == w) return true;
  if (s.find_first_not_of("0123456789.+-eE") == std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  for (char c : s) {
    if (c == ':' || c == '#' || c == '\n' || c == '"' || c == '\'' || c == '\\' ||
        static_cast<unsigned char>(c) < 0x20)
      return true;
  }
  return std::string("-?[]{},&*!|>%@`").find(s.front()) != std::string::npos;
}

std::string Scalar(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.as_bool() ? "true" : "false";
  if (v.is_number()) return v.serialize();
  const std::string s = v.as_string();
  // A JSON string is a valid YAML double-quoted scalar.
  return NeedsQuotes(s) ? v.serialize() : s;
}

bool IsEmptyCollection(const Json& v) {
  return (v.is_object() && v.size() == 0) || (v.is_array() && v.size() == 0);
}

void Emit(const Json& v, int indent, std::string& out);

void EmitMember(const std::string& prefix, const Json& v, int indent, std::string& out) {
  if ((v.is_object() || v.is_array()) && !IsEmptyCollection(v)) {
    out += prefix + "\n";
    Emit(v, v.is_array() ? indent : indent + 2, out);
  } else if (IsEmptyCollection(v)) {
    out += prefix + (v.is_object() ? " {}\n" : " []\n");
  } else {
    out += prefix + " " + Scalar(v) + "\n";
  }
}

void Emit(const Json& v, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    for (const auto& [key, member] : v.as_object()) {
      EmitMember(pad + (NeedsQuotes(key) ? Json::string(key).serialize() : key) + ":", member,
                 indent, out);
    }
  } else if (v.is_array()) {
    for (const Json& item : v.as_array()) {
      if (item.is_object() && item.size() > 0) {
        // "- " then the first member on the same line, the rest aligned under it.
        std::string nested;
        Emit(item, indent + 2, nested);
        out += pad + "- " + nested.substr(static_cast<size_t>(indent) + 2);
      } else {
        EmitMember(pad + "-", item, indent + 2, out);
      }
    }
  } else {
    out += pad + Scalar(v) + "\n";
  }
}

}  // namespace

std::string ToYaml(const Json& value) {
  std::string out;
  if (IsEmptyCollection(value) || !(value.is_object() || value.is_array())) {
    out = IsEmptyCollection(value) ? (value.is_object() ? "{}\n" : "[]\n") : Scalar(value) + "\n";
    return out;
  }
  Emit(value, 0, out);
  return out;
}

std::string Render(const Json& value, OutputFormat format) {
  return format == OutputFormat::kYaml ? ToYaml(value) : reconcile::PrettyJson(value);
}

bool UseColor(ColorMode mode, int fd) {
  if (mode == ColorMode::kAlways) return true;
  if (mode == ColorMode::kNever) return false;
  return ::isatty(fd) == 1;
}

std::string HumanBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0)
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

}  // namespace tidemark::kubectl
