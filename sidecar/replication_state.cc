#include "sidecar/replication_state.h"

#include <cpprest/json.h>

#include <charconv>

#include "sidecar/json_log.h"

namespace tidemark::sidecar {

namespace {

namespace json = web::json;

std::optional<int64_t> Int(const InfoFields& f, const char* key) {
  auto it = f.find(key);
  if (it == f.end()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) return std::nullopt;
  return v;
}

std::string Str(const InfoFields& f, const char* key) {
  auto it = f.find(key);
  return it == f.end() ? "" : it->second;
}

std::string OptInt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

}  // namespace

ReplicationState ReplicationFromInfo(const InfoFields& f, uint64_t keys) {
  ReplicationState s;
  s.role = Str(f, "role");
  s.replid = Str(f, "master_replid");
  s.offset = static_cast<uint64_t>(std::max<int64_t>(0, Int(f, "master_repl_offset").value_or(0)));
  s.keys = keys;
  s.replid2 = Str(f, "master_replid2");
  s.second_offset = Int(f, "second_repl_offset").value_or(-1);
  if (!s.replica()) return s;
  s.master_host = Str(f, "master_host");
  s.master_port = Int(f, "master_port").value_or(0);
  s.link_status = Str(f, "master_link_status");
  // Redis prints master_last_io_seconds_ago as -1 while the link is down.
  if (auto io = Int(f, "master_last_io_seconds_ago"); io && *io >= 0 && s.link_status == "up")
    s.last_io_seconds_ago = io;
  if (s.link_status != "up") s.link_down_seconds = Int(f, "master_link_down_since_seconds");
  return s;
}

backup::ReplicationPosition ReplicationState::Position() const {
  return {role, replid, offset, replid2, second_offset, keys, loading, restored_replid,
          restored_offset};
}

Result<ReplicationState> ReadReplicationState(RedisClient& redis) {
  auto info = Info(redis, "replication");
  if (!info) return std::unexpected(info.error());
  auto keys = KeyCount(redis);
  if (!keys) return std::unexpected(keys.error());
  auto persistence = Info(redis, "persistence");
  if (!persistence) return std::unexpected(persistence.error());
  ReplicationState s = ReplicationFromInfo(*info, *keys);
  s.loading = Str(*persistence, "loading") == "1";
  return s;
}

std::string RenderReplicationJson(const ReplicationState& s) {
  const bool r = s.replica();
  return "{\"role\":" + JsonQuote(s.role) + ",\"replid\":" + JsonQuote(s.replid) +
         ",\"offset\":" + std::to_string(s.offset) + ",\"replid2\":" + JsonQuote(s.replid2) +
         ",\"secondOffset\":" + std::to_string(s.second_offset) +
         ",\"loading\":" + (s.loading ? "true" : "false") +
         ",\"masterHost\":" + (r ? JsonQuote(s.master_host) : "null") +
         ",\"masterPort\":" + (r ? std::to_string(s.master_port) : "null") +
         ",\"linkStatus\":" + (r ? JsonQuote(s.link_status) : "null") +
         ",\"lastIoSecondsAgo\":" + OptInt(s.last_io_seconds_ago) +
         ",\"linkDownSeconds\":" + OptInt(s.link_down_seconds) +
         ",\"keys\":" + std::to_string(s.keys) + ",\"restoredFrom\":" +
         (s.restored_offset >= 0 ? "{\"replid\":" + JsonQuote(s.restored_replid) +
                                       ",\"offset\":" + std::to_string(s.restored_offset) + "}"
                                 : std::string("null")) +
         "}";
}

Result<ReplicationState> ParseStatusReplication(std::string_view body, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kCorrupt, "replication state: " + what, -1, where);
  };
  // cpprestsdk reports bad JSON and wrong types by throwing: converted here.
  try {
    json::value v = json::value::parse(std::string(body));
    if (!v.is_object() || !v.has_field("replication")) return bad("no member 'replication'");
    const json::value& r = v.at("replication");
    if (r.is_null()) return bad("'replication' is null (the sidecar does not reach its Redis)");
    ReplicationState s;
    s.role = r.at("role").as_string();
    s.replid = r.at("replid").as_string();
    s.offset = r.at("offset").as_number().to_uint64();
    s.keys = r.at("keys").as_number().to_uint64();
    auto opt_int = [&](const char* k) -> std::optional<int64_t> {
      if (!r.has_field(k) || r.at(k).is_null()) return std::nullopt;
      return r.at(k).as_number().to_int64();
    };
    if (r.has_field("masterHost") && r.at("masterHost").is_string())
      s.master_host = r.at("masterHost").as_string();
    s.master_port = opt_int("masterPort").value_or(0);
    if (r.has_field("linkStatus") && r.at("linkStatus").is_string())
      s.link_status = r.at("linkStatus").as_string();
    s.last_io_seconds_ago = opt_int("lastIoSecondsAgo");
    s.link_down_seconds = opt_int("linkDownSeconds");
    // Absent from sidecars older than the hold-back.
    if (r.has_field("replid2") && r.at("replid2").is_string()) s.replid2 = r.at("replid2").as_string();
    s.second_offset = opt_int("secondOffset").value_or(-1);
    s.loading = r.has_field("loading") && r.at("loading").is_boolean() && r.at("loading").as_bool();
    if (r.has_field("restoredFrom") && r.at("restoredFrom").is_object()) {
      const json::value& from = r.at("restoredFrom");
      s.restored_replid = from.at("replid").as_string();
      s.restored_offset = from.at("offset").as_number().to_int64();
    }
    return s;
  } catch (const std::exception& e) {
    return bad(std::string("'replication' does not read: ") + e.what());
  }
}

}  // namespace tidemark::sidecar
