// JSON operations the fake API server needs, on cpprestsdk's web::json: merge patch (RFC 7386),
// JSON patch (RFC 6902), field paths for server-side apply ownership (FieldsV1 encoding), label
// selectors, base64url. Pure functions.
#pragma once

#include <cpprest/json.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace tidemark::fake {

using Json = web::json::value;
using FieldPath = std::vector<std::string>;
using FieldSet = std::set<FieldPath>;

// Deep equality with numbers compared by value (cpprestsdk's operator== also compares whether a
// number was stored signed or unsigned).
bool JsonEqual(const Json& a, const Json& b);

Json MergePatch(const Json& target, const Json& patch);
// false (and *error) when an operation fails, including a failing "test".
bool ApplyJsonPatch(Json& doc, const Json& ops, std::string* error);

// Leaf paths of `value` below `prefix`: maps are descended, lists and scalars are leaves, as is
// an empty map.
void CollectLeaves(const Json& value, const FieldPath& prefix, FieldSet& out);
const Json* At(const Json& value, const FieldPath& path);
void SetAt(Json& value, const FieldPath& path, const Json& leaf);
void RemoveAt(Json& value, const FieldPath& path);
// ".spec.fsync"
std::string PathString(const FieldPath& path);
// {"f:spec":{"f:fsync":{}}} and back.
Json EncodeFieldsV1(const FieldSet& fields);
FieldSet DecodeFieldsV1(const Json& fields);

// Equality-based and set-based label selectors. false (and *error) when it does not parse.
struct LabelRequirement {
  std::string key;
  std::string op;  // "=", "!=", "exists", "!", "in", "notin"
  std::vector<std::string> values;
};
bool ParseLabelSelector(const std::string& text, std::vector<LabelRequirement>* out,
                        std::string* error);
bool MatchesLabels(const std::vector<LabelRequirement>& selector,
                   const std::map<std::string, std::string>& labels);

std::string Base64UrlEncode(const std::string& data);  // no padding
std::string Base64UrlDecode(const std::string& text);
std::string PercentDecode(const std::string& text);

}  // namespace tidemark::fake
