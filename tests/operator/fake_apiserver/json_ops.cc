#include "tests/operator/fake_apiserver/json_ops.h"

namespace tidemark::fake {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// RFC 6901 pointer to tokens.
bool ParsePointer(const std::string& pointer, FieldPath* out) {
  out->clear();
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  size_t pos = 1;
  while (true) {
    size_t next = pointer.find('/', pos);
    std::string token =
        pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    std::string unescaped;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size()) {
        unescaped += token[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    out->push_back(unescaped);
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

bool IsIndex(const std::string& token) {
  return !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
}

// The container that holds the last token of `path`, or nullptr.
Json* Parent(Json& doc, const FieldPath& path) {
  Json* cur = &doc;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (cur->is_object()) {
      if (!cur->has_field(path[i])) return nullptr;
      cur = &cur->at(path[i]);
    } else if (cur->is_array() && IsIndex(path[i])) {
      size_t idx = std::stoul(path[i]);
      if (idx >= cur->size()) return nullptr;
      cur = &cur->at(idx);
    } else {
      return nullptr;
    }
  }
  return cur;
}

const Json* Get(const Json& doc, const FieldPath& path) {
  const Json* cur = &doc;
  for (const std::string& t : path) {
    if (cur->is_object()) {
      if (!cur->has_field(t)) return nullptr;
      cur = &cur->at(t);
    } else if (cur->is_array() && IsIndex(t)) {
      size_t idx = std::stoul(t);
      if (idx >= cur->size()) return nullptr;
      cur = &cur->at(idx);
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool Remove(Json& doc, const FieldPath& path, Json* removed) {
  if (path.empty()) return false;
  Json* parent = Parent(doc, path);
  if (parent == nullptr) return false;
  const std::string& last = path.back();
  if (parent->is_object()) {
    if (!parent->has_field(last)) return false;
    if (removed != nullptr) *removed = parent->at(last);
    parent->erase(last);
    return true;
  }
  if (parent->is_array() && IsIndex(last)) {
    size_t idx = std::stoul(last);
    if (idx >= parent->size()) return false;
    if (removed != nullptr) *removed = parent->at(idx);
    parent->as_array().erase(idx);
    return true;
  }
  return false;
}

bool Add(Json& doc, const FieldPath& path, const Json& value) {
  if (path.empty()) {
    doc = value;
    return true;
  }
  Json* parent = Parent(doc, path);
  if (parent == nullptr) return false;
  const std::string& last = path.back();
  if (parent->is_object()) {
    (*parent)[last] = value;
    return true;
  }
  if (parent->is_array()) {
    Json copy = Json::array();
    size_t n = parent->size();
    size_t idx = last == "-" ? n : (IsIndex(last) ? std::stoul(last) : n + 1);
    if (idx > n) return false;
    size_t j = 0;
    for (size_t i = 0; i <= n; ++i) {
      if (i == idx) copy[j++] = value;
      if (i < n) copy[j++] = parent->at(i);
    }
    *parent = copy;
    return true;
  }
  return false;
}

}  // namespace

bool JsonEqual(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::Number: {
      const auto& x = a.as_number();
      const auto& y = b.as_number();
      if (x.is_integral() && y.is_integral()) {
        if (x.is_int64() && y.is_int64()) return x.to_int64() == y.to_int64();
        if (x.is_uint64() && y.is_uint64()) return x.to_uint64() == y.to_uint64();
        return false;
      }
      return x.to_double() == y.to_double();
    }
    case Json::Object: {
      if (a.size() != b.size()) return false;
      for (const auto& [k, v] : a.as_object()) {
        if (!b.has_field(k) || !JsonEqual(v, b.at(k))) return false;
      }
      return true;
    }
    case Json::Array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!JsonEqual(a.at(i), b.at(i))) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

Json MergePatch(const Json& target, const Json& patch) {
  if (!patch.is_object()) return patch;
  Json result = target.is_object() ? target : Json::object();
  for (const auto& [key, value] : patch.as_object()) {
    if (value.is_null()) {
      if (result.has_field(key)) result.erase(key);
    } else {
      Json current = result.has_field(key) ? result.at(key) : Json::null();
      result[key] = MergePatch(current, value);
    }
  }
  return result;
}

bool ApplyJsonPatch(Json& doc, const Json& ops, std::string* error) {
  if (!ops.is_array()) {
    *error = "a JSON patch is an array of operations";
    return false;
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const Json& op = ops.at(i);
    if (!op.is_object() || !op.has_field("op") || !op.has_field("path")) {
      *error = "operation " + std::to_string(i) + " lacks op or path";
      return false;
    }
    std::string name = op.at("op").as_string();
    FieldPath path;
    if (!ParsePointer(op.at("path").as_string(), &path)) {
      *error = "bad path";
      return false;
    }
    bool ok = false;
    if (name == "add") {
      ok = op.has_field("value") && Add(doc, path, op.at("value"));
    } else if (name == "remove") {
      ok = Remove(doc, path, nullptr);
    } else if (name == "replace") {
      ok = op.has_field("value") && Get(doc, path) != nullptr && Remove(doc, path, nullptr) &&
           Add(doc, path, op.at("value"));
    } else if (name == "test") {
      const Json* have = Get(doc, path);
      ok = have != nullptr && op.has_field("value") && JsonEqual(*have, op.at("value"));
    } else if (name == "move" || name == "copy") {
      FieldPath from;
      Json value;
      if (op.has_field("from") && ParsePointer(op.at("from").as_string(), &from)) {
        if (name == "move") {
          ok = Remove(doc, from, &value) && Add(doc, path, value);
        } else if (const Json* v = Get(doc, from)) {
          ok = Add(doc, path, *v);
        }
      }
    }
    if (!ok) {
      *error = "operation " + std::to_string(i) + " (" + name + ") failed";
      return false;
    }
  }
  return true;
}

void CollectLeaves(const Json& value, const FieldPath& prefix, FieldSet& out) {
  if (value.is_object() && value.size() > 0) {
    for (const auto& [key, child] : value.as_object()) {
      FieldPath p = prefix;
      p.push_back(key);
      CollectLeaves(child, p, out);
    }
    return;
  }
  if (!prefix.empty()) out.insert(prefix);
}

const Json* At(const Json& value, const FieldPath& path) {
  const Json* cur = &value;
  for (const std::string& t : path) {
    if (!cur->is_object() || !cur->has_field(t)) return nullptr;
    cur = &cur->at(t);
  }
  return cur;
}

void SetAt(Json& value, const FieldPath& path, const Json& leaf) {
  Json* cur = &value;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!cur->is_object()) *cur = Json::object();
    if (i + 1 == path.size()) {
      (*cur)[path[i]] = leaf;
      return;
    }
    cur = &(*cur)[path[i]];
  }
}

void RemoveAt(Json& value, const FieldPath& path) {
  if (path.empty()) return;
  Json* cur = &value;
  std::vector<Json*> chain;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!cur->is_object() || !cur->has_field(path[i])) return;
    chain.push_back(cur);
    cur = &cur->at(path[i]);
  }
  if (cur->is_object() && cur->has_field(path.back())) cur->erase(path.back());
  // Drop maps left empty by the removal (the real server prunes them the same way).
  for (size_t i = chain.size(); i-- > 0;) {
    Json& parent = *chain[i];
    if (parent.at(path[i]).is_object() && parent.at(path[i]).size() == 0) {
      parent.erase(path[i]);
    } else {
      break;
    }
  }
}

std::string PathString(const FieldPath& path) {
  std::string out;
  for (const std::string& p : path) out += "." + p;
  return out;
}

Json EncodeFieldsV1(const FieldSet& fields) {
  Json out = Json::object();
  for (const FieldPath& path : fields) {
    Json* cur = &out;
    for (const std::string& p : path) cur = &(*cur)["f:" + p];
    if (!cur->is_object()) *cur = Json::object();
  }
  return out;
}

namespace {
void Decode(const Json& node, FieldPath& prefix, FieldSet& out) {
  bool any = false;
  if (node.is_object()) {
    for (const auto& [key, child] : node.as_object()) {
      if (key.rfind("f:", 0) != 0) continue;
      any = true;
      prefix.push_back(key.substr(2));
      Decode(child, prefix, out);
      prefix.pop_back();
    }
  }
  if (!any && !prefix.empty()) out.insert(prefix);
}
}  // namespace

FieldSet DecodeFieldsV1(const Json& fields) {
  FieldSet out;
  FieldPath prefix;
  Decode(fields, prefix, out);
  return out;
}

bool ParseLabelSelector(const std::string& text, std::vector<LabelRequirement>* out,
                        std::string* error) {
  out->clear();
  // Split on commas outside parentheses.
  std::vector<std::string> parts;
  int depth = 0;
  std::string cur;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty() || !parts.empty()) parts.push_back(cur);
  for (std::string part : parts) {
    part = Trim(part);
    if (part.empty()) {
      *error = "empty requirement";
      return false;
    }
    LabelRequirement r;
    size_t pos;
    if ((pos = part.find("!=")) != std::string::npos) {
      r = {Trim(part.substr(0, pos)), "!=", {Trim(part.substr(pos + 2))}};
    } else if ((pos = part.find("==")) != std::string::npos) {
      r = {Trim(part.substr(0, pos)), "=", {Trim(part.substr(pos + 2))}};
    } else if ((pos = part.find('=')) != std::string::npos) {
      r = {Trim(part.substr(0, pos)), "=", {Trim(part.substr(pos + 1))}};
    } else if ((pos = part.find(" notin ")) != std::string::npos ||
               (pos = part.find(" in ")) != std::string::npos) {
      bool notin = part.compare(pos, 7, " notin ") == 0;
      r.key = Trim(part.substr(0, pos));
      r.op = notin ? "notin" : "in";
      size_t open = part.find('(', pos);
      size_t close = part.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close < open) {
        *error = "expected (values) in \"" + part + "\"";
        return false;
      }
      std::string list = part.substr(open + 1, close - open - 1);
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        r.values.push_back(Trim(
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (part[0] == '!') {
      r = {Trim(part.substr(1)), "!", {}};
    } else {
      r = {part, "exists", {}};
    }
    if (r.key.empty() || r.key.find(' ') != std::string::npos) {
      *error = "bad key in \"" + part + "\"";
      return false;
    }
    out->push_back(r);
  }
  return true;
}

bool MatchesLabels(const std::vector<LabelRequirement>& selector,
                   const std::map<std::string, std::string>& labels) {
  for (const LabelRequirement& r : selector) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    if (r.op == "=" && !(has && it->second == r.values[0])) return false;
    if (r.op == "!=" && has && it->second == r.values[0]) return false;
    if (r.op == "exists" && !has) return false;
    if (r.op == "!" && has) return false;
    if (r.op == "in") {
      bool found = false;
      for (const auto& v : r.values) found = found || (has && it->second == v);
      if (!found) return false;
    }
    if (r.op == "notin" && has) {
      for (const auto& v : r.values) {
        if (it->second == v) return false;
      }
    }
  }
  return true;
}

std::string Base64UrlEncode(const std::string& data) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  while (i + 2 < data.size()) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
    i += 3;
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < data.size()) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string Base64UrlDecode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace tidemark::fake
