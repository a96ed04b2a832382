#include "cli/aof_output.h"

#include "cli/report_output.h"

namespace tidemark::cli {

namespace {

using web::json::value;

bool operator==(const Error& a, const Error& b) {
  return a.code == b.code && a.where == b.where && a.offset == b.offset && a.message == b.message;
}

value Int(uint64_t v) { return value::number(static_cast<int64_t>(v)); }

std::string Title(const aof::AofReport& r) {
  if (r.multi_part) return r.manifest.empty() ? std::string("AOF") : r.manifest;
  return r.files.empty() ? std::string("AOF") : r.files[0].name;
}

std::string Upper(const char* s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

}  // namespace

std::string AofReportText(const aof::AofReport& r) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line(Title(r) + ": " + Upper(aof::AofVerdictName(r.verdict)) + " (" +
       (r.multi_part ? "multi-part AOF, " + std::to_string(r.files.size()) + " files"
                     : std::string("single-file AOF")) +
       ")");
  if (r.error) line("  error:      " + r.error->ToString());
  for (const auto& f : r.files) {
    std::string desc = std::string("  ") + aof::AofPartTypeName(f.type) + "  " + f.name + "  " +
                       aof::AofPartFormatName(f.format) + "  " + std::to_string(f.bytes) +
                       " bytes";
    if (f.format == aof::AofPartFormat::kRdbPreamble)
      desc += "  RDB " + std::to_string(f.rdb_version) + " (" + std::to_string(f.rdb_bytes) +
              " bytes, " + std::to_string(f.rdb_keys) + " keys)";
    desc += "  " + std::to_string(f.commands) + " commands";
    if (f.transactions) desc += ", " + std::to_string(f.transactions) + " transactions";
    if (f.timestamps) desc += ", " + std::to_string(f.timestamps) + " #TS";
    desc += "  " + std::string(aof::AofVerdictName(f.verdict));
    line(desc);
    if (f.error && f.verdict != aof::AofVerdict::kValid && !(r.error && *r.error == *f.error))
      line("        " + f.error->ToString());
    if (f.verdict == aof::AofVerdict::kTruncated)
      line("        last good offset " + std::to_string(f.last_good_offset) + ", " +
           std::to_string(f.bytes_to_cut) + " bytes would be cut" +
           (f.zero_filled_tail ? " (NUL-filled tail)" : "") +
           (f.last ? ": repair with `tidemark verify aof --fix`" : ""));
    if (f.unknown_commands)
      line("        " + std::to_string(f.unknown_commands) + " commands not in the table");
  }
  for (const auto& h : r.history_files) line("  history " + h + " (ignored, as Redis does)");
  line("  commands:   " + std::to_string(r.total_commands()) + " (checked against " +
       std::to_string(r.command_table_size) + " commands Redis writes to AOFs)");
  if (auto first = r.first_timestamp())
    line("  timestamps: " + std::to_string(*first) + " .. " + std::to_string(*r.last_timestamp()));
  return out;
}

value AofReportJson(const aof::AofReport& r) {
  auto j = value::object();
  j["kind"] = value::string(r.multi_part ? "multi-part" : "single-file");
  if (r.multi_part) j["manifest"] = value::string(r.manifest);
  j["valid"] = value::boolean(r.valid());
  j["verdict"] = value::string(aof::AofVerdictName(r.verdict));
  j["error"] = r.error ? ErrorJson(*r.error) : value::null();
  auto files = value::array(r.files.size());
  for (size_t i = 0; i < r.files.size(); ++i) {
    const auto& f = r.files[i];
    auto jf = value::object();
    jf["name"] = value::string(f.name);
    jf["type"] = value::string(aof::AofPartTypeName(f.type));
    jf["format"] = value::string(aof::AofPartFormatName(f.format));
    jf["bytes"] = Int(f.bytes);
    if (f.format == aof::AofPartFormat::kRdbPreamble) {
      auto rdb = value::object();
      rdb["bytes"] = Int(f.rdb_bytes);
      rdb["version"] = Int(f.rdb_version);
      rdb["keys"] = Int(f.rdb_keys);
      if (f.rdb_ctime) rdb["ctime"] = value::number(*f.rdb_ctime);
      jf["rdb"] = rdb;
    }
    jf["commands"] = Int(f.commands);
    jf["transactions"] = Int(f.transactions);
    jf["annotations"] = Int(f.annotations);
    jf["unknown_commands"] = Int(f.unknown_commands);
    auto by_name = value::object();
    for (const auto& [name, n] : f.commands_by_name) by_name[name] = Int(n);
    jf["commands_by_name"] = by_name;
    auto ts = value::object();
    ts["count"] = Int(f.timestamps);
    ts["first"] = f.first_timestamp ? value::number(*f.first_timestamp) : value::null();
    ts["last"] = f.last_timestamp ? value::number(*f.last_timestamp) : value::null();
    jf["timestamps"] = ts;
    jf["verdict"] = value::string(aof::AofVerdictName(f.verdict));
    jf["last_good_offset"] = Int(f.last_good_offset);
    jf["bytes_to_cut"] = Int(f.bytes_to_cut);
    jf["zero_filled_tail"] = value::boolean(f.zero_filled_tail);
    jf["error"] = f.error ? ErrorJson(*f.error) : value::null();
    if (f.timestamp_cut_offset) jf["timestamp_cut_offset"] = Int(*f.timestamp_cut_offset);
    files[i] = jf;
  }
  j["files"] = files;
  auto hist = value::array(r.history_files.size());
  for (size_t i = 0; i < r.history_files.size(); ++i) hist[i] = value::string(r.history_files[i]);
  j["history_files"] = hist;
  auto totals = value::object();
  totals["files"] = Int(r.files.size());
  totals["commands"] = Int(r.total_commands());
  totals["bytes"] = Int(r.total_bytes());
  totals["first_timestamp"] = r.first_timestamp() ? value::number(*r.first_timestamp()) : value::null();
  totals["last_timestamp"] = r.last_timestamp() ? value::number(*r.last_timestamp()) : value::null();
  j["totals"] = totals;
  j["command_table_size"] = Int(r.command_table_size);
  return j;
}

value AofCutPlanJson(const aof::AofCutPlan& p) {
  auto j = value::object();
  j["file"] = value::string(p.file);
  j["original_size"] = Int(p.original_size);
  j["new_size"] = Int(p.new_size);
  j["bytes_cut"] = Int(p.original_size - p.new_size);
  j["reason"] = value::string(p.reason);
  return j;
}

}  // namespace tidemark::cli
