#include "operator/controller/flags.h"

#include <charconv>
#include <functional>
#include <map>

namespace tidemark::controller {

const char kUsage[] =
    "usage: tidemark-operator [--metrics-bind-address=ADDR] [--health-probe-bind-address=ADDR]\n"
    "    [--log-level=debug|info|warn|error] [--leader-elect] [--leader-election-namespace=NS]\n"
    "    [--leader-election-id=NAME] [--leader-election-lease-duration=SECONDS]\n"
    "    [--leader-election-renew-deadline=SECONDS] [--leader-election-retry-period=SECONDS]\n"
    "    [--watch-namespace=NS] --sidecar-image=IMAGE [--kubeconfig=FILE [--context=NAME]]\n"
    "    [--sidecar-port=PORT] [--sidecar-timeout=SECONDS] [--resync-period=SECONDS]\n"
    "    [--network-policy=true|false] (each set's NetworkPolicy: its sidecars' peer port\n"
    "    for the set's own pods only; default true)\n"
    "       tidemark-operator --print-rbac   (the RBAC rules it needs, as the chart's YAML)\n";

namespace {

std::unexpected<Error> Bad(const std::string& flag, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, what + "\n" + kUsage, -1, flag);
}

// Seconds as a decimal ("15", "0.5") -> milliseconds; false when not a positive number.
bool ParseSeconds(const std::string& text, std::chrono::milliseconds* out) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value > 0) || value > 86400) {
    return false;
  }
  *out = std::chrono::milliseconds(static_cast<int64_t>(value * 1000));
  return true;
}

}  // namespace

Result<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags f;
  using Setter = std::function<bool(const std::string&)>;
  auto str = [](std::string* target) {
    return Setter([target](const std::string& v) { return *target = v, true; });
  };
  auto secs = [](std::chrono::milliseconds* target) {
    return Setter([target](const std::string& v) { return ParseSeconds(v, target); });
  };
  auto port = [](int* target) {
    return Setter([target](const std::string& v) {
      int value = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
      if (ec != std::errc() || end != v.data() + v.size() || value < 1 || value > 65535)
        return false;
      return *target = value, true;
    });
  };
  const std::map<std::string, Setter> with_value = {
      {"--metrics-bind-address", str(&f.metrics_address)},
      {"--health-probe-bind-address", str(&f.health_address)},
      {"--log-level", str(&f.log_level)},
      {"--leader-election-namespace", str(&f.leader_election_namespace)},
      {"--leader-election-id", str(&f.leader_election_id)},
      {"--leader-election-lease-duration", secs(&f.lease_duration)},
      {"--leader-election-renew-deadline", secs(&f.renew_deadline)},
      {"--leader-election-retry-period", secs(&f.retry_period)},
      {"--watch-namespace", str(&f.watch_namespace)},
      {"--sidecar-image", str(&f.sidecar_image)},
      {"--kubeconfig", str(&f.kubeconfig)},
      {"--context", str(&f.context)},
      {"--sidecar-port", port(&f.sidecar_port)},
      {"--sidecar-timeout", secs(&f.sidecar_timeout)},
      {"--resync-period", secs(&f.resync_period)},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") {
      f.help = true;
      continue;
    }
    if (arg == "--print-rbac") {
      f.print_rbac = true;
      continue;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (name == "--leader-elect" || name == "--network-policy") {
      if (has_value && value != "true" && value != "false") return Bad(name, "must be true|false");
      (name == "--leader-elect" ? f.leader_elect : f.network_policy) = !has_value || value == "true";
      continue;
    }
    auto it = with_value.find(name);
    if (it == with_value.end()) return Bad(name, "unknown flag");
    if (!has_value) {
      if (i + 1 >= args.size()) return Bad(name, "needs a value");
      value = args[++i];
    }
    if (!it->second(value)) return Bad(name, "bad value \"" + value + "\"");
  }
  if (f.help || f.print_rbac) return f;
  if (f.sidecar_image.empty()) return Bad("--sidecar-image", "is required");
  if (f.log_level != "debug" && f.log_level != "info" && f.log_level != "warn" &&
      f.log_level != "warning" && f.log_level != "error") {
    return Bad("--log-level", "must be debug, info, warn or error");
  }
  if (!(f.renew_deadline < f.lease_duration) || !(f.retry_period < f.renew_deadline)) {
    return Bad("--leader-election-renew-deadline",
               "need retry period < renew deadline < lease duration");
  }
  for (const std::string* addr : {&f.metrics_address, &f.health_address}) {
    if (*addr != "0" && addr->find(':') == std::string::npos) {
      return Bad(*addr, "an address is [host]:port, or 0 to turn the endpoint off");
    }
  }
  return f;
}

std::string ListenAddress(const std::string& bind_address) {
  auto colon = bind_address.rfind(':');
  std::string host = bind_address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  return host + bind_address.substr(colon);
}

}  // namespace tidemark::controller
