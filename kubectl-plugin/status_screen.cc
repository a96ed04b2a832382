#include "kubectl-plugin/status_screen.h"

#include <cstdio>

#include "kubectl-plugin/table.h"

namespace tidemark::kubectl {

using reconcile::Find;
using reconcile::GetBool;
using reconcile::GetInt;
using reconcile::GetString;
using reconcile::Json;

namespace {

std::string Text(const Json& v, std::string_view key, const std::string& fallback = "-") {
  if (auto s = GetString(v, key)) return *s;
  if (auto n = GetInt(v, key)) return std::to_string(*n);
  if (auto b = GetBool(v, key)) return *b ? "true" : "false";
  return fallback;
}

std::string Bytes(const Json& v, std::string_view key) {
  auto n = GetInt(v, key);
  return n ? HumanBytes(*n) : "-";
}

std::string Line(const Paint& paint, const std::string& label, const std::string& value) {
  std::string padded = label + ":";
  if (padded.size() < 14) padded += std::string(14 - padded.size(), ' ');
  return "  " + paint.Bold(padded) + " " + value + "\n";
}

const Json* PodHealth(const Json& status, const std::string& pod) {
  const Json* pods = Find(status, "pods");
  if (pods == nullptr || !pods->is_array()) return nullptr;
  for (const Json& p : pods->as_array())
    if (GetString(p, "name") == pod) return &p;
  return nullptr;
}

std::string PolicySection(const Json& policy, const Paint& paint) {
  std::string out = paint.Bold("Policy") + "\n";
  if (auto error = GetString(policy, "policyError")) {
    return out + "  " + paint.Bad("the spec does not validate: ") + *error;
  }
  out += Line(paint, "Mode",
              Text(policy, "mode") + ", " + Text(policy, "replicas") + " pod(s), image " +
                  Text(policy, "image"));
  if (const Json* points = Find(policy, "savePoints")) {
    std::string list;
    for (const Json& p : points->as_array())
      list += (list.empty() ? "" : ", ") + Text(p, "seconds") + "s/" + Text(p, "changes");
    out += Line(paint, "Save points", list.empty() ? "none" : list + " (seconds/changes)");
  }
  if (const Json* aof = Find(policy, "aof")) {
    const Json* rw = Find(*aof, "rewrite");
    std::string rewrite =
        rw == nullptr ? "-"
        : Text(*rw, "growthPercent") == "0"
            ? "automatic rewrites off"
            : "rewrite at +" + Text(*rw, "growthPercent") + "% over " + Text(*rw, "minSize");
    if (rw != nullptr && Find(*rw, "maxSize")) rewrite += ", cap " + Text(*rw, "maxSize");
    if (rw != nullptr && Find(*rw, "window")) rewrite += ", window " + Text(*rw, "window");
    out += Line(paint, "AOF",
                "fsync " + Text(*aof, "fsync") + ", RDB preamble " + Text(*aof, "rdbPreamble") +
                    ", " + rewrite);
  }
  if (const Json* b = Find(policy, "backup")) {
    out +=
        Line(paint, "Backups",
             "schedule \"" + Text(*b, "schedule") + "\", keep last " + Text(*b, "keepLast") +
                 " / daily " + Text(*b, "keepDaily") + " / weekly " + Text(*b, "keepWeekly") +
                 (GetBool(*b, "verifyAfterCopy").value_or(false) ? ", verified after copy" : ""));
  } else {
    out += Line(paint, "Backups", paint.Warn("none scheduled (spec.backup not set)"));
  }
  if (const Json* r = Find(policy, "restore")) {
    std::string source = Text(*r, "source");
    if (Find(*r, "backup")) source += " " + Text(*r, "backup");
    if (Find(*r, "pointInTime")) source += " " + Text(*r, "pointInTime");
    out += Line(paint, "Restore", Text(*r, "when") + " on an empty volume, from " + source);
  }
  return out;
}

std::string PodsSection(const Json& view, const Paint& paint) {
  std::string out = paint.Bold("Pods") + "\n";
  if (auto error = GetString(view, "podsError")) return out + "  " + paint.Bad(*error) + "\n";
  const Json* pods = Find(view, "pods");
  if (pods == nullptr || pods->size() == 0) return out + "  none yet\n";
  const Json status = Find(view, "status") ? *Find(view, "status") : Json::object();
  const Json* policy = Find(view, "policy");
  const Json* rewrite = policy ? reconcile::FindPath(*policy, {"aof", "rewrite"}) : nullptr;
  const std::string cap = rewrite ? Text(*rewrite, "maxSize") : "-";
  std::vector<std::vector<Cell>> rows;
  for (const Json& p : pods->as_array()) {
    const std::string name = Text(p, "name");
    const Json* health = PodHealth(status, name);
    const Json none = Json::object();
    const Json& h = health ? *health : none;
    Cell sidecar;
    if (auto error = GetString(p, "sidecarError")) {
      sidecar = {"unreachable", Tone::kBad};
    } else if (const Json* live = Find(p, "sidecar")) {
      const bool up = reconcile::FindPath(*live, {"redis", "up"}) &&
                      reconcile::FindPath(*live, {"redis", "up"})->is_boolean() &&
                      reconcile::FindPath(*live, {"redis", "up"})->as_bool();
      sidecar = up ? Cell{"ok", Tone::kGood} : Cell{"redis down", Tone::kBad};
    }
    Cell save{Text(h, "lastSaveTime")};
    if (auto ok = GetBool(h, "lastSaveOk")) {
      save.text += *ok ? " ok" : " FAILED";
      save.tone = *ok ? Tone::kPlain : Tone::kBad;
    }
    std::string aof = Bytes(h, "aofSizeBytes") + " / " + Bytes(h, "aofBaseSizeBytes") + " / " + cap;
    if (GetBool(h, "aofRewriteInProgress").value_or(false)) aof += " (rewriting)";
    const std::string verification = Text(h, "verification");
    Cell verify{verification, verification == "Passed"   ? Tone::kGood
                              : verification == "Failed" ? Tone::kBad
                                                         : Tone::kPlain};
    rows.push_back({{name}, {Text(p, "phase")}, {Text(h, "role")}, sidecar, save, {aof}, verify});
  }
  out += FormatTable(
      {"NAME", "PHASE", "ROLE", "SIDECAR", "LAST SAVE", "AOF SIZE/BASE/CAP", "VERIFICATION"}, rows,
      paint);
  for (const Json& p : pods->as_array()) {
    if (auto error = GetString(p, "sidecarError"))
      out += "  " + paint.Warn(Text(p, "name") + ": " + *error) + "\n";
    const Json* health = PodHealth(status, Text(p, "name"));
    if (health != nullptr) {
      if (auto message = GetString(*health, "verificationMessage"))
        out += "  " + Text(p, "name") + ": verification: " + *message + "\n";
    }
    if (const Json* live = Find(p, "sidecar")) {
      if (auto problem = reconcile::FindPath(*live, {"aof", "problem"});
          problem != nullptr && problem->is_string())
        out += "  " + paint.Bad(Text(p, "name") + ": AOF problem: " + problem->as_string()) + "\n";
    }
  }
  return out;
}

// status.lastDrill as one line: its result, and its load time named for what it tells a person,
// the expected recovery time of that backup (the guide's "slow recovery" question).
std::string LastDrillLine(const Json& status, const Paint& paint) {
  const Json* d = Find(status, "lastDrill");
  if (d == nullptr || !d->is_object())
    return Line(paint, "Last drill", paint.Dim("none recorded by the operator"));
  const std::string result = Text(*d, "result", "?");
  std::string text = Text(*d, "time") + " on " + Text(*d, "pod") + ": " +
                     paint.DrillResult(result) +
                     ", backup " + Text(*d, "backup");
  if (result != "skipped") {
    text += ", " + Text(*d, "keys") + " keys";
    if (const Json* load = Find(*d, "loadSeconds"); load != nullptr && load->is_number()) {
      char seconds[48];
      std::snprintf(seconds, sizeof seconds, "%.1f s", load->as_double());
      text += "; expected recovery time " + std::string(seconds);
    }
    if (GetInt(*d, "peakMemoryBytes")) text += ", peak memory " + Bytes(*d, "peakMemoryBytes");
  }
  if (auto reason = GetString(*d, "reason"); reason && !reason->empty()) text += " (" + *reason + ")";
  return Line(paint, "Last drill", text);
}

// status.lastRestore.check on its own line, so a mismatch is not lost at the end of the restore
// line: whether Redis, once it loaded the installed backup, holds what the backup holds (its DEBUG
// DIGEST against the digest in the backup's metadata), and why it could not tell when it could not.
std::string RestoreCheckLine(const Json& restore, const Paint& paint) {
  const Json* c = Find(restore, "check");
  if (c == nullptr || !c->is_object()) {
    // Only an installed backup is checked, and only once Redis has loaded it.
    if (!Text(restore, "source", "").starts_with("backup/")) return {};
    return Line(paint, "Restore check", paint.Dim("not reported yet"));
  }
  const std::string result = Text(*c, "result", "?");
  std::string text = result == "verified"   ? paint.Good(result)
                     : result == "mismatch" ? paint.Bad(result)
                                            : paint.Warn(result);
  const auto expected = GetString(*c, "expectedDigest");
  const auto actual = GetString(*c, "actualDigest");
  if (result == "verified" && actual) {
    text += ": DEBUG DIGEST " + *actual + " equals the backup's";
  } else {
    if (expected) text += ", backup's digest " + *expected;
    if (actual) text += ", Redis's DEBUG DIGEST " + *actual;
  }
  if (auto reason = GetString(*c, "reason"); reason && !reason->empty()) text += " (" + *reason + ")";
  return Line(paint, "Restore check", text);
}

std::string ConditionsSection(const Json& status, const Paint& paint) {
  std::string out = paint.Bold("Conditions") + "\n";
  const Json* conditions = Find(status, "conditions");
  if (conditions == nullptr || conditions->size() == 0) return out + "  none yet\n";
  std::vector<std::vector<Cell>> rows;
  for (const Json& c : conditions->as_array()) {
    const std::string type = Text(c, "type"), value = Text(c, "status");
    // Degraded=True is the bad one; for the others False is.
    const bool bad = type == "Degraded" ? value == "True" : value == "False";
    rows.push_back({{type},
                    {value, bad               ? Tone::kBad
                            : value == "True" ? Tone::kGood
                                              : Tone::kWarn},
                    {Text(c, "reason")},
                    {Text(c, "message", "")}});
  }
  return out + FormatTable({"TYPE", "STATUS", "REASON", "MESSAGE"}, rows, paint);
}

// A partial backup (published to some destinations only) says where it is missing and why, so
// nobody takes the object store for covered when only the volume holds the backup.
std::string DestinationLines(const Json& backup, const Paint& paint) {
  const Json* destinations = Find(backup, "destinations");
  if (destinations == nullptr || !destinations->is_array()) return {};
  std::string out;
  for (const Json& d : destinations->as_array()) {
    const std::string message = Text(d, "message", "");
    out += Line(paint, "  to " + Text(d, "destination"),
                Text(d, "result") == "Succeeded"
                    ? paint.Good("published")
                    : paint.Bad("missing") + (message.empty() ? "" : " (" + message + ")"));
  }
  return out;
}

}  // namespace

std::string BackupsScreen(const Json& backups, const Paint& paint) {
  std::string out = paint.Bold("Backups");
  if (auto store = GetString(backups, "store")) out += paint.Dim(" (" + *store + ")");
  out += "\n";
  if (auto error = GetString(backups, "error")) return out + "  " + paint.Bad(*error) + "\n";
  const Json* items = Find(backups, "items");
  if (items == nullptr || items->size() == 0) {
    out += "  none\n";
  } else {
    std::vector<std::vector<Cell>> rows;
    for (const Json& b : items->as_array()) {
      const bool verified = GetBool(b, "verified").value_or(false);
      rows.push_back({{Text(b, "name")},
                      {Text(b, "createdAt")},
                      {Bytes(b, "sizeBytes")},
                      {Text(b, "keys")},
                      verified ? Cell{"yes", Tone::kGood} : Cell{"no", Tone::kBad}});
    }
    out += FormatTable({"NAME", "CREATED", "SIZE", "KEYS", "VERIFIED"}, rows, paint);
  }
  if (const Json* problems = Find(backups, "problems"); problems && problems->is_array()) {
    for (const Json& p : problems->as_array())
      out +=
          "  " + paint.Warn("problem: " + (p.is_string() ? p.as_string() : p.serialize())) + "\n";
  }
  return out;
}

std::string StatusScreen(const Json& view, const Paint& paint) {
  const Json status = Find(view, "status") ? *Find(view, "status") : Json::object();
  const std::string phase = Text(status, "phase", "unknown");
  std::string out = paint.Bold(Text(view, "name")) + " in namespace " + Text(view, "namespace") +
                    "   phase " +
                    (phase == "Ready"                           ? paint.Good(phase)
                     : phase == "Degraded" || phase == "Failed" ? paint.Bad(phase)
                                                                : paint.Warn(phase)) +
                    "\n\n";
  out += PolicySection(Find(view, "policy") ? *Find(view, "policy") : Json::object(), paint);
  out += "\n" + PodsSection(view, paint);
  if (const Json* backups = Find(view, "backups")) out += "\n" + BackupsScreen(*backups, paint);
  out += "\n" + paint.Bold("Recent") + "\n";
  if (const Json* b = Find(status, "lastBackup")) {
    out += Line(paint, "Last backup",
                Text(*b, "name") + " at " + Text(*b, "time") + ", " + Bytes(*b, "sizeBytes") +
                    ", " + Text(*b, "keys") + " keys");
    out += DestinationLines(*b, paint);
  } else {
    out += Line(paint, "Last backup", paint.Warn("none recorded"));
  }
  if (const Json* r = Find(status, "lastRestore")) {
    out += Line(paint, "Last restore",
                Text(*r, "time") + " on " + Text(*r, "pod") + " from " + Text(*r, "source") + " (" +
                    Text(*r, "reason") + ")");
    out += RestoreCheckLine(*r, paint);
  }
  if (const Json* q = Find(status, "backupRequest")) {
    out +=
        Line(paint, "Backup request",
             "\"" + Text(*q, "value") + "\" " + Text(*q, "phase") + ": " + Text(*q, "message", ""));
  }
  out += LastDrillLine(status, paint);
  out += "\n" + ConditionsSection(status, paint);
  return out;
}

}  // namespace tidemark::kubectl
