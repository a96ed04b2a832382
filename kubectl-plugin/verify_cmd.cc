// `verify NAME`: POST /v1/verify on every pod's sidecar (sidecar/verify_files.h), one report per
// pod.
#include <cstdio>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/output.h"
#include "kubectl-plugin/resource_view.h"
#include "kubectl-plugin/table.h"

namespace tidemark::kubectl {

using reconcile::Find;
using reconcile::GetBool;
using reconcile::GetInt;
using reconcile::GetString;
using reconcile::Json;

namespace {

std::string VerifyScreen(const std::vector<Json>& reports, const Paint& paint) {
  std::string out;
  for (const Json& r : reports) {
    const std::string pod = GetString(r, "pod").value_or("?");
    if (auto error = GetString(r, "sidecarError")) {
      out += paint.Bold(pod) + ": " + paint.Bad(*error) + "\n";
      continue;
    }
    const bool valid = GetBool(r, "valid").value_or(false);
    out += paint.Bold(pod) + " (" + GetString(r, "dataDir").value_or("?") +
           "): " + (valid ? paint.Good("all files verify") : paint.Bad("PROBLEMS FOUND")) + "\n";
    const Json* files = Find(r, "files");
    if (files == nullptr || files->size() == 0) {
      out += "  no data files yet\n";
      continue;
    }
    std::vector<std::vector<Cell>> rows;
    for (const Json& f : files->as_array()) {
      const bool ok = GetBool(f, "valid").value_or(false);
      const std::string count =
          GetInt(f, "keys") ? std::to_string(*GetInt(f, "keys")) + " keys"
                            : std::to_string(GetInt(f, "commands").value_or(0)) + " commands";
      rows.push_back({{GetString(f, "path").value_or("?")},
                      {GetString(f, "kind").value_or("?")},
                      {HumanBytes(GetInt(f, "bytes").value_or(0))},
                      {count},
                      ok ? Cell{"valid", Tone::kGood}
                         : Cell{GetString(f, "error").value_or("invalid"), Tone::kBad}});
    }
    out += FormatTable({"FILE", "KIND", "SIZE", "CONTENT", "RESULT"}, rows, paint);
  }
  return out;
}

}  // namespace

Outcome RunVerify(const Options& options, Connection& c) {
  auto name = OneName(options);
  if (!name) return name.error();
  auto target = LoadTarget(*c.client, c.namespace_, *name);
  if (!target) return target.error();
  if (target->pods.empty()) return Fail(kExitNotFound, "resource " + *name + " has no pods yet");
  SidecarApi api(*c.client, c.namespace_);
  std::vector<Json> reports;
  Outcome worst = Ok();
  for (const kube::Object& pod : target->pods) {
    auto reply = api.CallPod(pod, "POST", "/v1/verify");
    Json report;
    if (!reply) {
      report = reconcile::Obj({{"pod", reconcile::Str(pod.name)},
                               {"sidecarError", reconcile::Str(reply.error().message)}});
      if (worst.code == kExitOk || worst.code == kExitFailed) worst = reply.error();
    } else if (reply->http_status == 404) {
      report = reconcile::Obj({{"pod", reconcile::Str(pod.name)},
                               {"sidecarError", reconcile::Str("not supported by this sidecar "
                                                               "(POST /v1/verify answered 404)")}});
      if (worst.code == kExitOk)
        worst = Fail(kExitUnsupported, "verify is not supported by the sidecar of " + pod.name);
    } else if (reply->http_status != 200 || !reply->json.is_object()) {
      report =
          reconcile::Obj({{"pod", reconcile::Str(pod.name)},
                          {"sidecarError", reconcile::Str("the sidecar answered HTTP " +
                                                          std::to_string(reply->http_status) +
                                                          ": " + reply->body.substr(0, 200))}});
      if (worst.code == kExitOk)
        worst = Fail(kExitFailed, "verification of " + pod.name + " did not run");
    } else {
      report = reply->json;
      if (!GetBool(report, "valid").value_or(false) && worst.code == kExitOk)
        worst = Fail(kExitFailed, "data files of " + pod.name + " do not verify");
    }
    reports.push_back(report);
  }
  if (options.output == OutputFormat::kText)
    std::fputs(VerifyScreen(reports, Paint(UseColor(options.color, 1))).c_str(), stdout);
  else
    std::fputs(Render(reconcile::Obj({{"pods", reconcile::Arr(reports)}}), options.output).c_str(),
               stdout);
  return worst;
}

}  // namespace tidemark::kubectl
