// `drill NAME [--wait]`: POST /v1/drills on pod 0's sidecar (sidecar/drill.h), whose store holds
// the backups. The sidecar answers 202 (queued) or 409 (one is pending or running already); an
// old sidecar without drills answers 404 (exit 9).
//
// --wait follows the drill through the same proxy: GET /v1/status every half second. The sidecar
// marks the drill pending under the same lock that answers the POST, then running, then records
// `lastDrill` and clears `running` together, so "neither pending nor running" means finished.
// A finished drill that left `lastDrill` as it was before the request drilled nothing (the
// policy's `what: everyNew` and no backup newer than the last one drilled).
#include <cstdio>

#include "kubectl-plugin/commands.h"
#include "kubectl-plugin/follow.h"
#include "kubectl-plugin/output.h"
#include "kubectl-plugin/resource_view.h"

namespace tidemark::kubectl {

using reconcile::GetBool;
using reconcile::GetString;
using reconcile::Json;

namespace {

constexpr std::chrono::milliseconds kPollInterval{500};

// The sidecar's GET /v1/status as JSON.
std::expected<Json, Outcome> SidecarStatus(SidecarApi& api, const kube::Object& pod) {
  auto reply = api.CallPod(pod, "GET", "/v1/status");
  if (!reply) return std::unexpected(reply.error());
  if (reply->http_status != 200 || !reply->json.is_object())
    return std::unexpected(Fail(kExitFailed, "the sidecar of " + pod.name + " answered HTTP " +
                                                 std::to_string(reply->http_status) +
                                                 " to GET /v1/status: " +
                                                 reply->body.substr(0, 200)));
  return reply->json;
}

std::string LastDrillText(const Json& status) {
  const Json* last = reconcile::Find(status, "lastDrill");
  return last == nullptr || last->is_null() ? std::string() : last->serialize();
}

std::string DrillScreen(const std::string& pod, const Json& drill, const Paint& paint) {
  const std::string result = GetString(drill, "result").value_or("?");
  const std::string shown = paint.DrillResult(result);
  std::string out = paint.Bold("drill on " + pod) + ": " + shown + "\n";
  auto line = [&out](const std::string& label, const std::string& value) {
    if (!value.empty()) out += "  " + label + std::string(14 - label.size(), ' ') + value + "\n";
  };
  line("time", GetString(drill, "time").value_or(""));
  line("backup", GetString(drill, "backup").value_or("none"));
  if (result != "skipped") {
    line("keys", std::to_string(reconcile::GetInt(drill, "keys").value_or(0)));
    char seconds[32];
    const Json* load = reconcile::Find(drill, "loadSeconds");
    std::snprintf(seconds, sizeof seconds, "%.3f s",
                  load != nullptr && load->is_number() ? load->as_double() : 0.0);
    line("load", seconds);
    const std::string expected = GetString(drill, "expectedDigest").value_or("");
    const std::string actual = GetString(drill, "actualDigest").value_or("");
    line("digest", expected.empty() || actual.empty()
                       ? std::string("not compared")
                       : expected == actual ? paint.Good("equal") + " (" + actual + ")"
                                            : paint.Bad("DIFFERENT") + " (backup " + expected +
                                                  ", restored " + actual + ")");
    line("server", GetString(drill, "serverVersion").value_or(""));
  }
  line(result == "success" ? "note" : "reason", GetString(drill, "reason").value_or(""));
  return out;
}

Outcome DrillOutcome(const std::string& pod, const Json& drill) {
  const std::string result = GetString(drill, "result").value_or("");
  const std::string reason = GetString(drill, "reason").value_or("no reason given");
  if (result == "success") return Ok();
  if (result == "skipped")
    return Fail(kExitSkipped, "the drill on " + pod + " was skipped: " + reason);
  return Fail(kExitFailed, "the drill on " + pod + " failed: " + reason);
}

}  // namespace

Outcome RunDrill(const Options& options, Connection& c) {
  auto name = OneName(options);
  if (!name) return name.error();
  auto target = LoadTarget(*c.client, c.namespace_, *name);
  if (!target) return target.error();
  auto pod = RequirePodZero(*target);
  if (!pod) return pod.error();
  const std::string& pod0 = (*pod)->name;
  SidecarApi api(*c.client, c.namespace_);

  std::string before;
  if (options.wait) {
    auto status = SidecarStatus(api, **pod);
    if (!status) return status.error();
    before = LastDrillText(*status);
  }
  auto reply = api.CallPod(**pod, "POST", "/v1/drills");
  if (!reply) return reply.error();
  if (reply->http_status == 404)
    return Fail(kExitUnsupported, "drills are not supported by the sidecar of " + pod0 +
                                      " (POST /v1/drills answered 404)");
  if (reply->http_status == 409 && options.wait) {
    std::fprintf(stderr, "a drill is already pending or running on %s: following it\n",
                 pod0.c_str());
  } else if (reply->http_status / 100 != 2) {
    return Fail(kExitFailed, "the sidecar of " + pod0 + " refused the drill: HTTP " +
                                 std::to_string(reply->http_status) + ": " +
                                 reply->body.substr(0, 200));
  } else {
    std::fprintf(stderr, "drill queued on %s\n", pod0.c_str());
  }
  if (!options.wait) {
    if (options.output != OutputFormat::kText)
      std::fputs(Render(reconcile::Obj({{"pod", reconcile::Str(pod0)},
                                        {"accepted", Json::boolean(true)}}),
                        options.output)
                     .c_str(),
                 stdout);
    else
      std::printf("drill queued on %s; follow it with: kubectl tidemark drill %s --wait\n",
                  pod0.c_str(), name->c_str());
    return Ok();
  }

  Json last;
  Outcome followed = FollowWith(
      [&]() { return SidecarStatus(api, **pod); },
      [](const Json& status) {
        Progress p;
        const Json* drill = reconcile::Find(status, "drill");
        const Json state = drill != nullptr ? *drill : Json::object();
        if (GetBool(state, "running").value_or(false))
          p.phase = "running";
        else if (GetBool(state, "pending").value_or(false))
          p.phase = "queued";
        else
          p.done = true;
        return p;
      },
      options.timeout, kPollInterval, &last);
  if (followed.code != kExitOk) return followed;
  if (LastDrillText(last) == before) {
    std::fprintf(stderr,
                 "the drill on %s finished without drilling: no backup newer than the last one "
                 "drilled (the policy's backup.drill.what is everyNew)\n",
                 pod0.c_str());
    if (options.output != OutputFormat::kText)
      std::fputs(Render(reconcile::Obj({{"pod", reconcile::Str(pod0)},
                                        {"lastDrill", Json::null()}}),
                        options.output)
                     .c_str(),
                 stdout);
    return Ok();
  }
  const Json drill = *reconcile::Find(last, "lastDrill");
  if (options.output != OutputFormat::kText)
    std::fputs(Render(reconcile::Obj({{"pod", reconcile::Str(pod0)}, {"lastDrill", drill}}),
                      options.output)
                   .c_str(),
               stdout);
  else
    std::fputs(DrillScreen(pod0, drill, Paint(UseColor(options.color, 1))).c_str(), stdout);
  return DrillOutcome(pod0, drill);
}

}  // namespace tidemark::kubectl
