#include "operator/reconcile/json.h"

#include <cmath>
#include <cstdlib>

namespace tidemark::reconcile {

Json Obj(std::initializer_list<std::pair<std::string, Json>> members) {
  Json out = Json::object();
  for (const auto& [key, value] : members) out[key] = value;
  return out;
}

Json Arr(std::vector<Json> items) { return Json::array(std::move(items)); }

Json Str(std::string_view text) { return Json::string(std::string(text)); }

Json StrList(const std::vector<std::string>& items) {
  std::vector<Json> out;
  out.reserve(items.size());
  for (const auto& s : items) out.push_back(Str(s));
  return Arr(std::move(out));
}

const Json* Find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto& members = object.as_object();
  auto it = members.find(std::string(key));
  return it == members.end() ? nullptr : &it->second;
}

const Json* FindPath(const Json& root, std::initializer_list<std::string_view> path) {
  const Json* at = &root;
  for (std::string_view key : path) {
    at = Find(*at, key);
    if (!at) return nullptr;
  }
  return at;
}

std::optional<std::string> GetString(const Json& object, std::string_view key) {
  const Json* v = Find(object, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->as_string();
}

std::optional<int64_t> GetInt(const Json& object, std::string_view key) {
  const Json* v = Find(object, key);
  if (!v || !v->is_number()) return std::nullopt;
  const auto& n = v->as_number();
  if (n.is_int64()) return n.to_int64();
  if (n.is_uint64()) return static_cast<int64_t>(n.to_uint64());
  return static_cast<int64_t>(n.to_double());
}

std::optional<bool> GetBool(const Json& object, std::string_view key) {
  const Json* v = Find(object, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->as_bool();
}

void Set(Json& object, std::string_view key, Json value) {
  if (!object.is_object()) object = Json::object();
  object[std::string(key)] = std::move(value);
}

Result<Json> ParseJson(std::string_view text, const std::string& where) {
  std::error_code ec;
  Json v = Json::parse(std::string(text), ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "not JSON: " + ec.message(), -1, where);
  return v;
}

namespace {

void Pretty(const Json& v, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent) * 2, ' ');
  if (v.is_object() && v.size() > 0) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + "  " + Json::string(key).serialize() + ": ";
      Pretty(member, indent + 1, out);
    }
    out += "\n" + pad + "}";
  } else if (v.is_array() && v.size() > 0) {
    out += "[\n";
    bool first = true;
    for (const auto& item : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + "  ";
      Pretty(item, indent + 1, out);
    }
    out += "\n" + pad + "]";
  } else {
    out += v.serialize();
  }
}

// The value of a Kubernetes quantity ("1.5Gi", "500m", "1e3"), or nullopt.
std::optional<long double> QuantityValue(std::string_view s) {
  size_t i = 0;
  long double sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  long double mantissa = 0, scale = 1;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
      mantissa = mantissa * 10 + (s[i] - '0');
      if (dot) scale *= 10;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  const long double number = sign * mantissa / scale;
  std::string_view suffix = s.substr(i);
  if (suffix.empty()) return number;
  static constexpr std::pair<std::string_view, long double> kSuffixes[] = {
      {"Ki", 0x1p10L}, {"Mi", 0x1p20L}, {"Gi", 0x1p30L}, {"Ti", 0x1p40L}, {"Pi", 0x1p50L},
      {"Ei", 0x1p60L}, {"n", 1e-9L},    {"u", 1e-6L},    {"m", 1e-3L},    {"k", 1e3L},
      {"M", 1e6L},     {"G", 1e9L},     {"T", 1e12L},    {"P", 1e15L},    {"E", 1e18L}};
  for (const auto& [name, factor] : kSuffixes)
    if (suffix == name) return number * factor;
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string exp(suffix.substr(1));
    if (exp.empty()) return std::nullopt;
    char* end = nullptr;
    long e = std::strtol(exp.c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    return number * std::pow(10.0L, static_cast<long double>(e));
  }
  return std::nullopt;
}

bool SameQuantity(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto x = QuantityValue(a), y = QuantityValue(b);
  if (!x || !y) return false;
  return std::fabs(*x - *y) <= 1e-12L * std::max(std::fabs(*x), std::fabs(*y));
}

bool AllNamed(const web::json::array& items) {
  for (const auto& item : items)
    if (!Find(item, "name")) return false;
  return items.size() > 0;
}

// nullopt when `observed` covers `desired`; else the path of the first desired member that is
// missing or different ("" for the root).
std::optional<std::string> UncoveredIn(const Json& observed, const Json& desired, bool quantities,
                                       const std::string& path) {
  auto at = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  if (desired.is_object()) {
    if (!observed.is_object()) return path;
    for (const auto& [key, want] : desired.as_object()) {
      const Json* have = Find(observed, key);
      if (!have) return at(key);
      if (quantities && want.is_string() && have->is_string()) {
        if (!SameQuantity(have->as_string(), want.as_string())) return at(key);
        continue;
      }
      const bool q = key == "requests" || key == "limits" || key == "capacity";
      if (auto miss = UncoveredIn(*have, want, q, at(key))) return miss;
    }
    return std::nullopt;
  }
  if (desired.is_array()) {
    if (!observed.is_array()) return path;
    const auto& want = desired.as_array();
    const auto& have = observed.as_array();
    if (AllNamed(want) && AllNamed(have)) {
      for (const auto& item : want) {
        const Json& name = *Find(item, "name");
        const std::string item_path =
            path + "[" + (name.is_string() ? name.as_string() : name.serialize()) + "]";
        const Json* match = nullptr;
        for (const auto& candidate : have) {
          if (*Find(candidate, "name") == name) {
            match = &candidate;
            break;
          }
        }
        if (!match) return item_path;
        if (auto miss = UncoveredIn(*match, item, false, item_path)) return miss;
      }
      return std::nullopt;
    }
    if (want.size() != have.size()) return path;
    for (size_t i = 0; i < want.size(); ++i)
      if (auto miss =
              UncoveredIn(have.at(i), want.at(i), false, path + "[" + std::to_string(i) + "]"))
        return miss;
    return std::nullopt;
  }
  if (desired.is_number() && observed.is_number()) {
    const auto& a = desired.as_number();
    const auto& b = observed.as_number();
    if (a.is_integral() && b.is_integral())
      return a.to_int64() == b.to_int64() ? std::nullopt : std::optional<std::string>(path);
    return a.to_double() == b.to_double() ? std::nullopt : std::optional<std::string>(path);
  }
  return desired == observed ? std::nullopt : std::optional<std::string>(path);
}

}  // namespace

std::string PrettyJson(const Json& value) {
  std::string out;
  Pretty(value, 0, out);
  return out + "\n";
}

std::optional<std::string> Uncovered(const Json& observed, const Json& desired) {
  return UncoveredIn(observed, desired, false, "");
}

bool Covers(const Json& observed, const Json& desired) { return !Uncovered(observed, desired); }

std::string HashHex(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

std::string JsonHash(const Json& value) { return HashHex(value.serialize()); }

}  // namespace tidemark::reconcile
