// The reconcile library's one door to cpprestsdk's web::json: building objects tersely, reading
// members without exceptions, a deterministic pretty printer (for golden files and logs), the
// "does the live object already hold what we want" comparison, and a content hash.
//
// cpprestsdk is in maintenance mode upstream; everything here keeps its use in one place so it can
// be replaced. Objects built here keep members sorted by key (cpprest's default), so printing and
// hashing are deterministic. Pure functions, thread-safe on distinct values.
#pragma once

#include <cpprest/json.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/error.h"

namespace tidemark::reconcile {

using Json = web::json::value;

// {"k": v, ...}, members sorted by key.
Json Obj(std::initializer_list<std::pair<std::string, Json>> members);
// [v, ...]
Json Arr(std::vector<Json> items);
Json Str(std::string_view text);
Json StrList(const std::vector<std::string>& items);

// Member `key` of an object, or nullptr (not an object, or no such member). Never throws.
const Json* Find(const Json& object, std::string_view key);
// A member path such as {"spec", "template", "metadata"}; nullptr when any step is missing.
const Json* FindPath(const Json& root, std::initializer_list<std::string_view> path);
std::optional<std::string> GetString(const Json& object, std::string_view key);
std::optional<int64_t> GetInt(const Json& object, std::string_view key);
std::optional<bool> GetBool(const Json& object, std::string_view key);
// Sets `object[key] = value`, turning a null `object` into an object first.
void Set(Json& object, std::string_view key, Json value);

// Parses JSON text; kInvalidArgument with cpprest's message when it is not JSON.
Result<Json> ParseJson(std::string_view text, const std::string& where);

// Two-space indented JSON with a final newline, members in the value's (sorted) order.
std::string PrettyJson(const Json& value);

// Does `observed` (an object as the API server returns it, with server defaults and other
// managers' fields) already hold everything in `desired`? Objects: every desired member is
// present and covered (extra observed members are fine: defaults). Arrays of objects that all
// have a "name" member: every desired item is covered by the observed item of that name (order
// and extra items from other managers do not matter). Other arrays: same length, item by item.
// Under "requests", "limits" and "capacity" objects, strings are compared as Kubernetes
// quantities ("1000m" covers "1", "1536Mi" covers "1.5Gi"), because the API server rewrites
// quantities to its canonical form. Integers compare by value (1 and 1.0 are equal).
bool Covers(const Json& observed, const Json& desired);
// The same test, saying where: nullopt when covered, else the path of the first desired member
// the observed object lacks or holds differently ("spec.template.spec.containers[redis].image";
// "" for the root), for the log.
std::optional<std::string> Uncovered(const Json& observed, const Json& desired);

// A 16-hex-digit FNV-1a 64 hash of the compact serialization: for change detection, not
// security (nobody gains from a collision; a restart or apply is merely skipped).
std::string HashHex(std::string_view bytes);
std::string JsonHash(const Json& value);

}  // namespace tidemark::reconcile
